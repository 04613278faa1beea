/*-------------------------------------------------------------------------
 *
 * worker/jsonregion.h
 *	  A region allocator for jansson, for the one-page-at-a-time hot path.
 *
 * While a region is open, every jansson allocation is carved from a few
 * large blocks and jansson's frees are no-ops; closing the region drops the
 * whole page's tree at once, without walking it. Nothing allocated by
 * jansson inside the region may be used after json_region_close(). Outside
 * a region, jansson uses malloc and free as usual. The blocks are kept for
 * the next page, so memory stays at the largest page's tree.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LOOP_JSONREGION_H
#define LOOP_JSONREGION_H

/* Route jansson's allocations through this module (once, at startup). */
extern void json_region_install(void);

extern void json_region_open(void);
extern void json_region_close(void);

/* Release the blocks (at exit). */
extern void json_region_free_all(void);

/* Free text returned by json_dumps(), in a region or not. */
extern void json_text_free(char *text);

#endif							/* LOOP_JSONREGION_H */
