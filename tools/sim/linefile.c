// SPDX-License-Identifier: GPL-2.0
/*
 * The text files hmmv sim reads line by line (--schedule, --nb-placement,
 * --hmmv-placement, --nb-scans): each whole line to a parser, the first
 * error ending the read; and what their parsers share.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/sim/sim.h"

/*
 * Gives each line of @path to @parse(@arg, line, its number). -errno of the
 * open or the read, -EISDIR, -EINVAL a line too long (256 bytes), or the
 * parser's error; *line is then the line's number.
 */
int sim_lines_read(const char *path, int (*parse)(void *arg, const char *buf, uint32_t line),
		   void *arg, uint32_t *line)
{
	struct stat st;
	char buf[256];
	FILE *f;
	int r = 0;

	*line = 0;
	f = fopen(path, "r");
	if (!f)
		return -errno;
	if (fstat(fileno(f), &st))
		r = -errno;
	else if (S_ISDIR(st.st_mode))
		r = -EISDIR;
	while (!r && fgets(buf, sizeof(buf), f)) {
		++*line;
		r = strchr(buf, '\n') || feof(f) ? parse(arg, buf, *line) : -EINVAL;
	}
	if (!r && ferror(f))
		r = -EIO;
	fclose(f);
	return r;
}

/* Whether a line says nothing: blank, or a '#' comment. */
int sim_line_blank(const char *buf)
{
	return buf[strspn(buf, " \t\n")] == '\0' || buf[strspn(buf, " \t")] == '#';
}

/*
 * Room for element @n of the array *@arr (elements of @size bytes, *@cap
 * of them allocated), which doubles as it fills: 0 or -ENOMEM.
 */
int sim_grow(void **arr, uint32_t *cap, uint32_t n, size_t size)
{
	uint32_t c = *cap ? 2 * *cap : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, (size_t)c * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = c;
	return 0;
}
