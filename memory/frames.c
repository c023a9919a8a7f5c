// SPDX-License-Identifier: GPL-2.0
/* Frame allocator: a bitmap per tier file, lowest free frame first. */
#include <errno.h>
#include <stdlib.h>

#include "memory/internal.h"

int mem_frames_init(struct mem_frames *f, uint32_t nr)
{
	f->bits = calloc((nr + 63) / 64 + 1, sizeof(uint64_t));
	if (!f->bits)
		return -ENOMEM;
	f->nr = nr;
	f->used = 0;
	f->hint = 0;
	return 0;
}

void mem_frames_exit(struct mem_frames *f)
{
	free(f->bits);
	f->bits = NULL;
	f->nr = f->used = f->hint = 0;
}

bool mem_frames_used(const struct mem_frames *f, uint32_t frame)
{
	return frame < f->nr && (f->bits[frame / 64] >> (frame % 64)) & 1;
}

int mem_frames_take(struct mem_frames *f, uint32_t frame)
{
	if (frame >= f->nr)
		return -EINVAL;
	if (mem_frames_used(f, frame))
		return -EBUSY;
	f->bits[frame / 64] |= 1ULL << (frame % 64);
	f->used++;
	return 0;
}

int64_t mem_frames_alloc(struct mem_frames *f)
{
	uint32_t w, bit, frame;
	uint64_t free_bits;

	if (f->used >= f->nr)
		return -ENOSPC;
	/* Lowest first keeps launch mappings contiguous (fewer VMAs). */
	for (w = f->hint / 64; w * 64 < f->nr; w++) {
		free_bits = ~f->bits[w];
		if (!free_bits)
			continue;
		bit = (uint32_t)__builtin_ctzll(free_bits);
		frame = w * 64 + bit;
		if (frame >= f->nr)
			break;
		f->bits[w] |= 1ULL << bit;
		f->used++;
		f->hint = frame + 1;
		return frame;
	}
	return -ENOSPC;
}

int mem_frames_free(struct mem_frames *f, uint32_t frame)
{
	if (!mem_frames_used(f, frame))
		return -EINVAL;
	f->bits[frame / 64] &= ~(1ULL << (frame % 64));
	f->used--;
	if (frame < f->hint)
		f->hint = frame;
	return 0;
}
