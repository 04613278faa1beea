/*-------------------------------------------------------------------------
 *
 * worker/jsonregion.c
 *	  A region allocator for jansson, for the one-page-at-a-time hot path.
 *
 * Parsing a search page builds a tree of several thousand small nodes that
 * all die together when the page has been copied to PostgreSQL. Profiling
 * (callgrind, README "Benchmark") showed malloc, free and json_delete's walk
 * at about a quarter of loop-sync's instructions; a region removes them.
 * Uses jansson's documented json_set_alloc_funcs hook.
 *
 *-------------------------------------------------------------------------
 */
#include "jsonregion.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#define BLOCK_SIZE		(1024 * 1024)	/* bytes per block */
#define MAX_BLOCKS		256				/* 256 MiB; beyond, fall back to malloc */
#define ALIGNMENT		16

typedef struct Block
{
	char	   *base;
	size_t		size;
} Block;

static struct
{
	bool		open;
	Block		blocks[MAX_BLOCKS];
	int			nblocks;		/* allocated blocks, kept across regions */
	int			current;		/* block being carved */
	size_t		used;			/* bytes used in the current block */
} region;

/* Is p inside one of the blocks? */
static bool
in_region(const void *p)
{
	const char *c = p;

	for (int i = 0; i < region.nblocks; i++)
		if (c >= region.blocks[i].base && c < region.blocks[i].base + region.blocks[i].size)
			return true;
	return false;
}

/* jansson's malloc: carve from the region while open. */
static void *
region_malloc(size_t size)
{
	size = (size + ALIGNMENT - 1) & ~(size_t) (ALIGNMENT - 1);
	if (!region.open || size > BLOCK_SIZE)
		return malloc(size);
	while (region.current < region.nblocks &&
		   region.used + size > region.blocks[region.current].size)
	{
		region.current++;
		region.used = 0;
	}
	if (region.current == region.nblocks)
	{
		char	   *base;

		if (region.nblocks == MAX_BLOCKS || (base = malloc(BLOCK_SIZE)) == NULL)
			return malloc(size);
		region.blocks[region.nblocks++] = (Block) {base, BLOCK_SIZE};
		region.used = 0;
	}
	region.used += size;
	return region.blocks[region.current].base + region.used - size;
}

/* jansson's free: a no-op for region memory. */
static void
region_free(void *p)
{
	if (p != NULL && !in_region(p))
		free(p);
}

void
json_region_install(void)
{
	json_set_alloc_funcs(region_malloc, region_free);
}

void
json_region_open(void)
{
	region.open = true;
	region.current = 0;
	region.used = 0;
}

void
json_region_close(void)
{
	region.open = false;
	region.current = 0;
	region.used = 0;
}

void
json_region_free_all(void)
{
	for (int i = 0; i < region.nblocks; i++)
		free(region.blocks[i].base);
	region.nblocks = 0;
	json_region_close();
}

void
json_text_free(char *text)
{
	region_free(text);
}
