/*
 * Shared image pages (see imagepages.h).
 *
 * One record per boot binary, a single frame: the binary's address, where
 * each read-only segment's pages start in the frame table, and the table
 * itself, one entry per page (0 until the page is made).  A binary whose
 * read-only pages do not all fit the table shares the ones that do; the
 * rest are copied per process, as every page was before.
 *
 * One spinlock guards the list and every record.  Under it a lookup walks
 * the list (one record per binary of the manifest) and the binary's
 * segments; making a record or a page allocates one frame and fills at
 * most one page: bounded work, whatever a spawner asks for.
 */
#include "imagepages.h"

#include "base/mem.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "spinlock.h"

struct image_seg {
    uint64_t lo;    /* its first page; 0 for a writable segment (never shared) */
    uint32_t first; /* index of that page's entry in frame[] */
    uint32_t n;     /* its pages in frame[] (fewer than it has if the table is full) */
};

struct image_record {
    struct image_record *next;
    const uint8_t *image;
    struct image_seg seg[ELF_MAX_SEGMENTS];
    uint64_t frame[]; /* physical addresses; 0: not made yet */
};

#define IMAGE_RECORD_SLOTS ((PAGE_SIZE - sizeof(struct image_record)) / sizeof(uint64_t))
_Static_assert(IMAGE_RECORD_SLOTS >= 256, "a record shares at least 1 MiB of an image");

static struct spinlock image_lock = SPINLOCK_INIT("image-pages");
static struct image_record *image_records;

void image_page_fill(void *dst, const uint8_t *image, const struct elf_segment *s, uint64_t va)
{
    uint64_t file_lo = s->vaddr, file_hi = s->vaddr + s->filesz;
    uint64_t lo = MAX(va, file_lo), hi = MIN(va + PAGE_SIZE, file_hi);
    if (lo < hi)
        memcpy((uint8_t *)dst + (lo - va), image + s->offset + (lo - file_lo), hi - lo);
}

/* A zeroed frame charged to the kernel, or false. */
static bool image_frame(uint64_t *pa)
{
    if (!ledger_charge(&kernel_ledger, 1))
        return false;
    if (pmm_alloc_frame(pa))
        return true;
    ledger_uncharge(&kernel_ledger, 1);
    return false;
}

/* The record of `image`, made if there is none.  Lock held. */
static struct image_record *image_record(const uint8_t *image, const struct elf_info *info)
{
    struct image_record *r;
    for (r = image_records; r; r = r->next) {
        if (r->image == image)
            return r;
    }
    uint64_t pa;
    if (!image_frame(&pa))
        return NULL;
    r = phys_to_virt(pa);
    r->image = image;
    uint64_t used = 0;
    for (uint32_t i = 0; i < info->nsegs; i++) {
        const struct elf_segment *s = &info->segs[i];
        if (s->flags & ELF_PF_W)
            continue;
        uint64_t lo = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
        uint64_t pages = (ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE) - lo) / PAGE_SIZE;
        r->seg[i].lo = lo;
        r->seg[i].first = (uint32_t)used;
        r->seg[i].n = (uint32_t)MIN(pages, IMAGE_RECORD_SLOTS - used);
        used += r->seg[i].n;
    }
    r->next = image_records;
    image_records = r;
    return r;
}

bool image_page_get(const uint8_t *image, const struct elf_info *info, unsigned seg, uint64_t va,
                    uint64_t *pa)
{
    const struct elf_segment *s = &info->segs[seg];
    bool ok = false;
    spin_lock(&image_lock);
    struct image_record *r = image_record(image, info);
    if (!r || (s->flags & ELF_PF_W) || va < r->seg[seg].lo ||
        (va - r->seg[seg].lo) / PAGE_SIZE >= r->seg[seg].n)
        goto out;
    uint64_t *f = &r->frame[r->seg[seg].first + (va - r->seg[seg].lo) / PAGE_SIZE];
    if (!*f) {
        uint64_t fresh;
        if (!image_frame(&fresh))
            goto out;
        image_page_fill(phys_to_virt(fresh), image, s, va);
        *f = fresh;
    }
    ok = pmm_frame_share(*f);
    *pa = *f;
out:
    spin_unlock(&image_lock);
    return ok;
}

uint64_t image_pages_bound(uint64_t binaries, uint64_t pages)
{
    return binaries + pages;
}
