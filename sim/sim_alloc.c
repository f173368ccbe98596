/*
 * sim_alloc.c -- the kernel's allocation helpers and its one out-of-memory
 * path (contract in sim_alloc.h).
 *
 * Design
 *   A simulation that cannot get memory cannot go on meaningfully, and a
 *   NULL that travels up through every caller costs a check at each of
 *   hundreds of call sites for a case no run recovers from.  So allocation
 *   failure aborts here, once, with the size asked for.
 *
 * Rejected alternatives
 *   - Returning NULL and checking everywhere: error paths that are never
 *     exercised and so never correct.
 *   - Living in sim_queue.c (where it started): every module above the
 *     kernel then included the event-set header just to allocate.
 */
#include "sim_alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The one out-of-memory path: `what` was being allocated. */
static void oom(const char *what)
{
    fprintf(stderr, "cdnsim: out of memory (%s)\n", what);
    abort();
}

static void sim_oom(size_t n)
{
    char what[64];
    snprintf(what, sizeof what, "allocating %zu bytes", n);
    oom(what);
}

void *sim_xcheck(void *p, const char *what)
{
    if (!p)
        oom(what);
    return p;
}

void *sim_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        sim_oom(n);
    return p;
}

void *sim_xcalloc(size_t count, size_t size)
{
    if (count == 0 || size == 0)
        count = size = 1;
    void *p = calloc(count, size);
    if (!p)
        sim_oom(count > SIZE_MAX / size ? SIZE_MAX : count * size);
    return p;
}

void *sim_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        sim_oom(n);
    return q;
}

char *sim_xstrdup(const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s) + 1;
    char *d = sim_xmalloc(len);
    memcpy(d, s, len);
    return d;
}
