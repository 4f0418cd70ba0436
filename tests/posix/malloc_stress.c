/* malloc, realloc and free under a long deterministic random workload:
 * every block keeps a pattern that is checked before it is freed or
 * resized. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS  512
#define ROUNDS 40000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

struct slot {
    unsigned char *p;
    size_t n;
    unsigned char tag;
};

static int check(const struct slot *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->p[i] != (unsigned char)(s->tag + i))
            return 0;
    return 1;
}

static void fill(struct slot *s)
{
    for (size_t i = 0; i < s->n; i++)
        s->p[i] = (unsigned char)(s->tag + i);
}

static size_t size(void)
{
    uint32_t r = next() % 100;
    if (r < 70)
        return next() % 128;
    if (r < 95)
        return next() % 4096;
    return next() % 200000;
}

int main(void)
{
    static struct slot slots[SLOTS];
    unsigned long bad = 0, allocs = 0, reallocs = 0, frees = 0;
    for (int round = 0; round < ROUNDS; round++) {
        struct slot *s = &slots[next() % SLOTS];
        if (s->p) {
            bad += !check(s);
            if (next() % 3 == 0) {
                size_t n = size();
                unsigned char *q = realloc(s->p, n ? n : 1);
                if (!q) {
                    printf("realloc failed\n");
                    return 1;
                }
                size_t keep = n < s->n ? n : s->n;
                s->p = q;
                s->n = keep;
                bad += !check(s);
                s->n = n;
                fill(s);
                reallocs++;
            } else {
                free(s->p);
                s->p = NULL;
                frees++;
            }
        } else {
            s->n = size();
            s->tag = (unsigned char)next();
            s->p = malloc(s->n);
            if (!s->p) {
                printf("malloc failed\n");
                return 1;
            }
            fill(s);
            allocs++;
        }
    }
    for (int i = 0; i < SLOTS; i++) {
        if (slots[i].p) {
            bad += !check(&slots[i]);
            free(slots[i].p);
        }
    }
    void *z = calloc(1000, 7);
    int zero = 1;
    for (int i = 0; i < 7000; i++)
        zero &= ((unsigned char *)z)[i] == 0;
    free(z);
    printf("allocs %lu reallocs %lu frees %lu corrupt %lu calloc zero %d\n", allocs, reallocs,
           frees, bad, zero);
    return bad != 0;
}
