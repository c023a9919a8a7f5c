// SPDX-License-Identifier: GPL-2.0
/*
 * bootclock: runs a command (hmmv run ...) with its stdout on a pipe and
 * times, from just before the fork, the first line containing the kernel's
 * first message ("Linux version"), the first line containing the guest
 * init's marker ("hmmv-guest: init") and the command's exit. Samples the
 * command's memory (/proc/PID/status) at every output line and reports the
 * largest resident size outside shared memory (RssAnon + RssFile; guest RAM
 * is a shared memfd, RssShmem). For make bench-boot.
 * With -f it stops the command (SIGTERM) once the first message is seen.
 *   usage: bootclock [-f] [-o LOG] -- COMMAND [ARGS...]
 *   prints: first_msg_ms=F init_ms=I exit_ms=E status=S rss_kb=R shmem_kb=M
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FIRST_MSG	"Linux version"
#define INIT_MSG	"hmmv-guest: init"

struct sample {
	long rss_kb, shmem_kb;
};

static double now_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void sample_rss(pid_t pid, struct sample *s)
{
	char path[64], line[256];
	long anon = 0, file = 0, shmem = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "RssAnon: %ld", &anon);
		sscanf(line, "RssFile: %ld", &file);
		sscanf(line, "RssShmem: %ld", &shmem);
	}
	fclose(f);
	if (anon + file > s->rss_kb)
		s->rss_kb = anon + file;
	if (shmem > s->shmem_kb)
		s->shmem_kb = shmem;
}

static pid_t spawn(char **argv, int *out_fd)
{
	int p[2], null;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(p[1], 1) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*out_fd = p[0];
	return pid;
}

int main(int argc, char **argv)
{
	double first = -1, init = -1, end;
	struct sample s = { 0, 0 };
	struct timespec t0;
	FILE *in, *log = NULL;
	char line[4096];
	int i = 1, fd, status, stop_first = 0;
	pid_t pid;

	if (argc > i && !strcmp(argv[i], "-f")) {
		stop_first = 1;
		i++;
	}
	if (argc > i + 1 && !strcmp(argv[i], "-o")) {
		log = fopen(argv[i + 1], "we");
		i += 2;
	}
	if (i >= argc || strcmp(argv[i], "--") || i + 1 >= argc) {
		fprintf(stderr, "usage: bootclock [-f] [-o LOG] -- COMMAND [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = spawn(argv + i + 1, &fd);
	if (pid < 0) {
		perror("bootclock");
		return 1;
	}
	in = fdopen(fd, "r");
	while (in && fgets(line, sizeof(line), in)) {
		if (first < 0 && strstr(line, FIRST_MSG)) {
			first = now_ms(&t0);
			if (stop_first) {
				kill(pid, SIGTERM);
				break;
			}
		}
		if (init < 0 && strstr(line, INIT_MSG))
			init = now_ms(&t0);
		sample_rss(pid, &s);
		if (log)
			fputs(line, log);
	}
	if (in)
		fclose(in);
	if (waitpid(pid, &status, 0) < 0)
		return 1;
	end = now_ms(&t0);
	if (log)
		fclose(log);
	printf("first_msg_ms=%.0f init_ms=%.0f exit_ms=%.0f status=%d rss_kb=%ld shmem_kb=%ld\n",
	       first, init, end, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
	       s.rss_kb, s.shmem_kb);
	return 0;
}
