// SPDX-License-Identifier: GPL-2.0
/*
 * The one size parser of hmmv: every flag that takes a size (-m, --dram,
 * --chunk, ...) goes through memory_parse_size, so a size means the same
 * everywhere (the rule is MEMORY_SIZE_RULE in memory/memory.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "memory/memory.h"

/* Binary shift of the suffix at @*end ("", K, M, G, T, each optionally
 * followed by "iB" or "B", any case), advancing @*end; -1 when unknown. */
static int size_suffix(const char **end)
{
	static const char units[] = "KMGT";
	const char *s = *end, *u;
	int shift;

	if (!*s)
		return 0;
	u = strchr(units, toupper((unsigned char)*s));
	if (!u)
		return -1;
	shift = 10 * (int)(u - units + 1);
	s++;
	if (!strncasecmp(s, "iB", 2))
		s += 2;
	else if (*s == 'B' || *s == 'b')
		s++;
	*end = s;
	return shift;
}

int memory_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	const char *end;
	char *num_end;
	int base = 10, shift;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16;	/* no octal: "010M" is ten MiB */
	errno = 0;
	v = strtoull(s, &num_end, base);
	if (errno)
		return -ERANGE;
	if (base == 16 && num_end <= s + 2)
		return -EINVAL;	/* "0x" alone */
	end = num_end;
	shift = size_suffix(&end);
	if (shift < 0 || *end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}
