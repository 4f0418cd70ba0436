/*
 * The contents of one file: a size and a list of 4 KiB pages, where a page
 * not held (NULL) reads as zeros.  Writing appends or fills pages and never
 * moves the bytes already stored, so a long sequential write costs one
 * copy of its data; only the page list (8 bytes per page) is ever
 * reallocated, doubling.  The list is flat, so it is as long as the file
 * is large, holes included; its bytes are charged with the pages, which is
 * what makes a write at a far offset cost what it takes.
 *
 * A file loaded from a tree image may borrow its bytes instead
 * (fs_data_borrow): it reads them where they lie until the first change,
 * which copies them into pages of its own.  Borrowed bytes cost the
 * service nothing per file (the image is held once, whoever borrows it),
 * so a borrowing file holds no pages and is charged nothing for them; the
 * copy is charged like any write when it is made, and a first change the
 * account cannot pay for fails with FS_QUOTA, leaving the file as it was.
 */
#ifndef CAPOS_LIB_FS_DATA_H
#define CAPOS_LIB_FS_DATA_H

#include <stdint.h>

#include "fs/account.h"
#include "fs/fs.h"

#define FS_PAGE 4096u

struct fs_data {
    uint8_t **pages;       /* slots [0, nslots); NULL: a hole */
    uint64_t nslots;       /* length of the page list */
    uint64_t size;         /* bytes; past it every byte reads as zero */
    uint64_t held;         /* pages allocated */
    const uint8_t *borrow; /* non-NULL: the size bytes are here; no pages, no list */
};

/* The bytes a file's account is charged for it: its pages and its list. */
static inline uint64_t fs_data_charged(const struct fs_data *d)
{
    return d->held * FS_PAGE + d->nslots * sizeof(uint8_t *);
}

/*
 * Writes len bytes at `off`, growing the file.  New pages (and a longer
 * page list) are charged to `acct` before they are taken; FS_QUOTA, FS_NO_MEMORY or FS_TOO_BIG
 * leave the file as it was.
 */
enum fs_err fs_data_write(struct fs_data *d, const struct fs_mem *m, struct fs_account *acct,
                          uint64_t off, const void *src, uint32_t len);

/* Copies up to len bytes from `off` into dst; returns how many (0 at or
 * past the end). */
uint32_t fs_data_read(const struct fs_data *d, uint64_t off, void *dst, uint32_t len);

/* Sets the size: pages wholly past it are freed and uncharged, the tail of
 * the last page is zeroed (so growing again reads zeros). */
enum fs_err fs_data_truncate(struct fs_data *d, const struct fs_mem *m, struct fs_account *acct,
                             uint64_t size);

/* Makes an empty file read `size` bytes at `src`, which must stay
 * unchanged as long as the file borrows them; FS_TOO_BIG leaves it
 * empty. */
enum fs_err fs_data_borrow(struct fs_data *d, const uint8_t *src, uint64_t size);

/* Frees every page and the list, uncharging `acct`. */
void fs_data_free(struct fs_data *d, const struct fs_mem *m, struct fs_account *acct);

#endif
