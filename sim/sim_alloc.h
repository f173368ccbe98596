/*
 * sim_alloc.h -- allocation that never returns NULL: the one place where
 * out of memory ends the process.
 *
 * Contract
 *   sim_xmalloc/sim_xcalloc/sim_xrealloc/sim_xstrdup behave as their libc
 *   namesakes, except that a size of zero allocates one byte (so the result
 *   is never NULL and may be freed) and that when memory runs out they
 *   print "cdnsim: out of memory (allocating N bytes)" on stderr and
 *   abort().  sim_xcalloc detects count * size overflow.  sim_xstrdup(NULL)
 *   returns NULL.  Memory is released with free().  sim_xcheck routes a
 *   library's NULL-on-failure through the same abort.
 *
 * Threads
 *   No state: safe from any thread.
 */
#ifndef CDNSIM_SIM_ALLOC_H
#define CDNSIM_SIM_ALLOC_H

#include <stddef.h>

void *sim_xmalloc(size_t n);
void *sim_xcalloc(size_t count, size_t size);
void *sim_xrealloc(void *p, size_t n);
char *sim_xstrdup(const char *s);
/* p, or the out-of-memory abort when p is NULL: for allocations made by a
 * library (cJSON_Print, cJSON_Duplicate) that report failure as NULL.
 * `what` names them in the message. */
void *sim_xcheck(void *p, const char *what);

#endif /* CDNSIM_SIM_ALLOC_H */
