// SPDX-License-Identifier: GPL-2.0
/*
 * tcpxfer: moves a pseudo-random byte stream over one TCP connection and
 * prints its length and checksum, so that both ends can be compared.
 * Built for the guest (/bin/tcpxfer) and for the test host (dev_tcpxfer).
 *   tcpxfer listen-send PORT BYTES SEED | listen-recv PORT
 *   tcpxfer connect-send ADDR PORT BYTES SEED | connect-recv ADDR PORT
 * Output: "tcpxfer: bytes N sum HEX" (FNV-1a 64 of the bytes moved).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ULL;
	return h;
}

static void stream(uint64_t *s, uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		buf[i] = (uint8_t)*s;
	}
}

static int do_send(int fd, uint64_t bytes, uint64_t seed)
{
	uint8_t buf[65536], sink[256];
	uint64_t h = 0xcbf29ce484222325ULL, s = seed | 1, done = 0;
	size_t n, off;
	ssize_t w;

	while (done < bytes) {
		n = bytes - done < sizeof(buf) ? (size_t)(bytes - done) : sizeof(buf);
		stream(&s, buf, n);
		h = fnv(h, buf, n);
		for (off = 0; off < n; off += (size_t)w) {
			w = write(fd, buf + off, n - off);
			if (w <= 0) {
				perror("tcpxfer: write");
				return 1;
			}
		}
		done += n;
	}
	/* Half-close, then wait for the peer's close: no data lost to a reset. */
	shutdown(fd, SHUT_WR);
	while (read(fd, sink, sizeof(sink)) > 0)
		;
	printf("tcpxfer: bytes %llu sum %016llx\n", (unsigned long long)done,
	       (unsigned long long)h);
	return 0;
}

static int do_recv(int fd)
{
	uint64_t h = 0xcbf29ce484222325ULL, done = 0;
	uint8_t buf[65536];
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		h = fnv(h, buf, (size_t)r);
		done += (uint64_t)r;
	}
	if (r < 0) {
		perror("tcpxfer: read");
		return 1;
	}
	printf("tcpxfer: bytes %llu sum %016llx\n", (unsigned long long)done,
	       (unsigned long long)h);
	return 0;
}

static int do_listen(const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	int one = 1, s, c;

	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1)) {
		perror("tcpxfer: listen");
		return -1;
	}
	c = accept(s, NULL, NULL);
	close(s);
	if (c < 0)
		perror("tcpxfer: accept");
	return c;
}

static int do_connect(const char *addr, const char *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port)) };
	int s, tries;

	if (inet_pton(AF_INET, addr, &a.sin_addr) != 1) {
		fprintf(stderr, "tcpxfer: bad address %s\n", addr);
		return -1;
	}
	/* The listener may come up a little later: retry for 30 s. */
	for (tries = 0; tries < 300; tries++) {
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			break;
		if (!connect(s, (struct sockaddr *)&a, sizeof(a)))
			return s;
		close(s);
		usleep(100000);
	}
	perror("tcpxfer: connect");
	return -1;
}

int main(int argc, char **argv)
{
	int fd = -1, r;

	if (argc == 5 && !strcmp(argv[1], "listen-send"))
		fd = do_listen(argv[2]);
	else if (argc == 3 && !strcmp(argv[1], "listen-recv"))
		fd = do_listen(argv[2]);
	else if (argc == 6 && !strcmp(argv[1], "connect-send"))
		fd = do_connect(argv[2], argv[3]);
	else if (argc == 4 && !strcmp(argv[1], "connect-recv"))
		fd = do_connect(argv[2], argv[3]);
	else {
		fprintf(stderr, "usage: tcpxfer listen-send PORT BYTES SEED | listen-recv PORT |\n"
			"       connect-send ADDR PORT BYTES SEED | connect-recv ADDR PORT\n");
		return 2;
	}
	if (fd < 0)
		return 1;
	if (!strcmp(argv[1], "listen-send"))
		r = do_send(fd, strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0));
	else if (!strcmp(argv[1], "connect-send"))
		r = do_send(fd, strtoull(argv[4], NULL, 0), strtoull(argv[5], NULL, 0));
	else
		r = do_recv(fd);
	close(fd);
	return r;
}
