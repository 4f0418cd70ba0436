/*
 * The heap: first-fit over an address-ordered free list with coalescing.
 *
 * Memory comes from a 64 KiB arena in .bss first (so small programs need no
 * VirtualMemory capability), then from the "memory" VirtualMemory capability
 * in chunks of at least 1 MiB, committed when mapped (charged and filled at
 * once, not on first touch): a native program that runs out of quota sees
 * malloc return NULL instead of dying on a later page fault, and memory a
 * thread touches for the first time (a deeper stack, a fresh block) never
 * changes the quota under code that measures it.  Every block has a 16-byte header (its size,
 * and a magic value while allocated, so a bad free is caught rather than
 * corrupting the list); blocks are 16-byte aligned.  One capos_mutex
 * serialises every thread's use of the free list.
 */
#include "capos.h"

#include "base/checked.h"
#include "base/mem.h"

#define HEAP_ALIGN      16
#define HEAP_MAGIC      0xA110CA7EDB10C4EDULL
#define HEAP_CHUNK      (1u << 20)
#define HEAP_ARENA_SIZE (64 * 1024)

struct heap_blk {
    size_t size;           /* bytes including this header */
    struct heap_blk *next; /* free: next free block by address; allocated: HEAP_MAGIC */
};

_Static_assert(sizeof(struct heap_blk) == HEAP_ALIGN, "header keeps alignment");

static uint8_t heap_arena[HEAP_ARENA_SIZE] __attribute__((aligned(HEAP_ALIGN)));
static struct heap_blk *heap_free;
static bool heap_started;
static uint32_t heap_vm;
static int heap_vm_state; /* 0 unknown, 1 present, -1 absent */
static struct capos_mutex heap_lock = CAPOS_MUTEX_INIT;

/* Inserts a block into the address-ordered free list, merging neighbours. */
static void heap_insert(struct heap_blk *b)
{
    struct heap_blk **pp = &heap_free, *prev = 0;
    while (*pp && *pp < b) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    b->next = *pp;
    *pp = b;
    if (b->next && (uint8_t *)b + b->size == (uint8_t *)b->next) {
        b->size += b->next->size;
        b->next = b->next->next;
    }
    if (prev && (uint8_t *)prev + prev->size == (uint8_t *)b) {
        prev->size += b->size;
        prev->next = b->next;
    }
}

static bool heap_grow(size_t need)
{
    uint64_t addr;
    size_t len = need > HEAP_CHUNK ? ALIGN_UP(need, 4096) : HEAP_CHUNK;
    if (heap_vm_state == 0)
        heap_vm_state = capos_capset_find(CAPOS_CAPSET_MEMORY, capos_VirtualMemory_INTERFACE_ID,
                                          &heap_vm) == CAPOS_OK
                            ? 1
                            : -1;
    if (heap_vm_state < 0 ||
        capos_vm_map_commit(heap_vm, 0, len, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &addr) != CAPOS_OK)
        return false;
    struct heap_blk *b = (struct heap_blk *)(uintptr_t)addr;
    b->size = len;
    heap_insert(b);
    return true;
}

static void *heap_alloc(size_t n)
{
    size_t need;
    if (!heap_started) {
        heap_started = true;
        struct heap_blk *b = (struct heap_blk *)heap_arena;
        b->size = sizeof(heap_arena);
        heap_insert(b);
    }
    if (n == 0 || !checked_add_size(n, sizeof(struct heap_blk) + HEAP_ALIGN - 1, &need))
        return 0;
    need &= ~(size_t)(HEAP_ALIGN - 1);
    for (int attempt = 0; attempt < 2; attempt++) {
        for (struct heap_blk **pp = &heap_free; *pp; pp = &(*pp)->next) {
            struct heap_blk *b = *pp;
            if (b->size < need)
                continue;
            if (b->size - need >= 2 * sizeof(struct heap_blk)) {
                struct heap_blk *rest = (struct heap_blk *)((uint8_t *)b + need);
                rest->size = b->size - need;
                rest->next = b->next;
                *pp = rest;
                b->size = need;
            } else {
                *pp = b->next;
            }
            b->next = (struct heap_blk *)(uintptr_t)HEAP_MAGIC;
            return b + 1;
        }
        if (!heap_grow(need))
            return 0;
    }
    return 0;
}

void *malloc(size_t n)
{
    capos_mutex_lock(&heap_lock);
    void *p = heap_alloc(n);
    capos_mutex_unlock(&heap_lock);
    return p;
}

void free(void *p)
{
    if (!p)
        return;
    struct heap_blk *b = (struct heap_blk *)p - 1;
    capos_mutex_lock(&heap_lock);
    if (((uintptr_t)p & (HEAP_ALIGN - 1)) || b->next != (struct heap_blk *)(uintptr_t)HEAP_MAGIC) {
        /* A double free or a wild pointer: stop rather than corrupt the heap. */
        capos_printf("heap: free(%p) of a block that is not allocated\n", p);
        capos_exit(134);
    }
    heap_insert(b);
    capos_mutex_unlock(&heap_lock);
}

void *calloc(size_t n, size_t size)
{
    size_t total;
    if (!checked_mul_size(n, size, &total))
        return 0;
    void *p = malloc(total);
    if (p)
        memset(p, 0, total);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (n == 0) {
        free(p);
        return 0;
    }
    struct heap_blk *b = (struct heap_blk *)p - 1;
    size_t have = b->size - sizeof(struct heap_blk);
    if (n <= have)
        return p;
    void *q = malloc(n);
    if (q) {
        memcpy(q, p, have);
        free(p);
    }
    return q;
}
