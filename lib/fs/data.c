/*
 * File contents as a page list (data.h).  Invariants: every byte at or
 * past `size` in a held page is zero; `held` counts the non-NULL slots;
 * the account named by the caller has been charged fs_data_charged(d)
 * bytes for this file: its pages and its page list.  A borrowing file
 * (`borrow` set) has neither (held and nslots 0) until its first change
 * copies the bytes (data_own).
 */
#include "fs/data.h"

#include "base/mem.h"

/* The length the page list grows to (doubling) to hold `n` slots. */
static uint64_t list_len(const struct fs_data *d, uint64_t n)
{
    uint64_t len = d->nslots ? d->nslots : 4;
    while (len < n)
        len *= 2;
    return len;
}

/* Makes the page list `len` slots long (already charged). */
static enum fs_err list_grow(struct fs_data *d, const struct fs_mem *m, uint64_t len)
{
    uint8_t **p = m->alloc(m->ctx, len * sizeof(*p));
    if (!p)
        return FS_NO_MEMORY;
    if (d->nslots)
        memcpy(p, d->pages, d->nslots * sizeof(*p));
    m->free(m->ctx, d->pages);
    d->pages = p;
    d->nslots = len;
    return FS_OK;
}

/* Pages to hold `size` bytes, every one of them. */
static uint64_t pages_for(uint64_t size)
{
    return size / FS_PAGE + (size % FS_PAGE != 0);
}

enum fs_err fs_data_borrow(struct fs_data *d, const uint8_t *src, uint64_t size)
{
    if (size > FS_MAX_FILE_SIZE)
        return FS_TOO_BIG;
    if (size)
        *d = (struct fs_data){.size = size, .borrow = src};
    return FS_OK;
}

/* Before any change: a borrowing file copies its bytes into pages of its
 * own, charged as a write of them would be (the pages, and the list such
 * a write grows).  FS_QUOTA or FS_NO_MEMORY leave it borrowing. */
static enum fs_err data_own(struct fs_data *d, const struct fs_mem *m, struct fs_account *acct)
{
    if (!d->borrow)
        return FS_OK;
    uint64_t n = pages_for(d->size), slots = list_len(d, n);
    if (!fs_account_charge(acct, n * FS_PAGE + slots * sizeof(uint8_t *), 0))
        return FS_QUOTA;
    uint8_t **p = m->alloc(m->ctx, slots * sizeof(*p));
    for (uint64_t i = 0; p && i < n; i++) {
        p[i] = m->alloc(m->ctx, FS_PAGE);
        if (!p[i]) {
            while (i--)
                m->free(m->ctx, p[i]);
            m->free(m->ctx, p);
            p = NULL;
            break;
        }
        uint64_t at = i * FS_PAGE;
        memcpy(p[i], d->borrow + at, d->size - at < FS_PAGE ? d->size - at : FS_PAGE);
    }
    if (!p) {
        fs_account_uncharge(acct, n * FS_PAGE + slots * sizeof(uint8_t *), 0);
        return FS_NO_MEMORY;
    }
    d->pages = p;
    d->nslots = slots;
    d->held = n;
    d->borrow = NULL;
    return FS_OK;
}

/* Copies [pos, pos+len) of the file page by page: from src into the
 * pages (which are all held), or out of them into dst (holes as zeros). */
static void data_copy(const struct fs_data *d, uint64_t pos, uint32_t len, const uint8_t *src,
                      uint8_t *dst)
{
    while (len) {
        uint32_t in = (uint32_t)(pos % FS_PAGE), n = FS_PAGE - in;
        if (n > len)
            n = len;
        uint64_t slot = pos / FS_PAGE;
        uint8_t *pg = slot < d->nslots ? d->pages[slot] : NULL;
        if (src) {
            memcpy(pg + in, src, n);
            src += n;
        } else {
            if (pg)
                memcpy(dst, pg + in, n);
            else
                memset(dst, 0, n);
            dst += n;
        }
        pos += n;
        len -= n;
    }
}

enum fs_err fs_data_write(struct fs_data *d, const struct fs_mem *m, struct fs_account *acct,
                          uint64_t off, const void *src, uint32_t len)
{
    if (off > FS_MAX_FILE_SIZE || len > FS_MAX_FILE_SIZE - off)
        return FS_TOO_BIG;
    if (len == 0)
        return FS_OK;
    enum fs_err e = data_own(d, m, acct);
    if (e != FS_OK)
        return e;
    uint64_t first = off / FS_PAGE, last = (off + len - 1) / FS_PAGE;
    uint64_t slots = last < d->nslots ? d->nslots : list_len(d, last + 1);
    uint64_t list_bytes = (slots - d->nslots) * sizeof(uint8_t *), missing = 0;
    for (uint64_t i = first; i <= last; i++)
        missing += i >= d->nslots || d->pages[i] == NULL;
    /* The pages and the longer list are charged together, before either is
     * taken: a far offset costs its list, so it cannot ask for more memory
     * than the account has. */
    if (!fs_account_charge(acct, missing * FS_PAGE + list_bytes, 0))
        return FS_QUOTA;
    if (list_bytes && list_grow(d, m, slots) != FS_OK) {
        fs_account_uncharge(acct, missing * FS_PAGE + list_bytes, 0);
        return FS_NO_MEMORY;
    }
    /* Take every new page before installing any, chained through their
     * first word, so that running out undoes cleanly. */
    uint8_t *chain = NULL;
    for (uint64_t i = 0; i < missing; i++) {
        uint8_t *pg = m->alloc(m->ctx, FS_PAGE);
        if (!pg) {
            while (chain) {
                uint8_t *next;
                memcpy(&next, chain, sizeof(next));
                m->free(m->ctx, chain);
                chain = next;
            }
            fs_account_uncharge(acct, missing * FS_PAGE, 0);
            return FS_NO_MEMORY;
        }
        memcpy(pg, &chain, sizeof(chain));
        chain = pg;
    }
    for (uint64_t i = first; i <= last; i++) {
        if (d->pages[i])
            continue;
        uint8_t *pg = chain;
        memcpy(&chain, pg, sizeof(chain));
        memset(pg, 0, sizeof(void *)); /* the chain link */
        d->pages[i] = pg;
        d->held++;
    }
    data_copy(d, off, len, src, NULL);
    if (off + len > d->size)
        d->size = off + len;
    return FS_OK;
}

uint32_t fs_data_read(const struct fs_data *d, uint64_t off, void *dst, uint32_t len)
{
    if (off >= d->size)
        return 0;
    if (len > d->size - off)
        len = (uint32_t)(d->size - off);
    if (d->borrow)
        memcpy(dst, d->borrow + off, len);
    else
        data_copy(d, off, len, NULL, dst);
    return len;
}

enum fs_err fs_data_truncate(struct fs_data *d, const struct fs_mem *m, struct fs_account *acct,
                             uint64_t size)
{
    if (size > FS_MAX_FILE_SIZE)
        return FS_TOO_BIG;
    enum fs_err e = data_own(d, m, acct);
    if (e != FS_OK)
        return e;
    if (size < d->size) {
        uint64_t keep = (size + FS_PAGE - 1) / FS_PAGE, freed = 0;
        for (uint64_t i = keep; i < d->nslots; i++) {
            if (d->pages[i]) {
                m->free(m->ctx, d->pages[i]);
                d->pages[i] = NULL;
                freed++;
            }
        }
        uint32_t in = (uint32_t)(size % FS_PAGE);
        uint64_t last = size / FS_PAGE; /* a size set by truncate may lie past the list */
        if (in && last < d->nslots && d->pages[last])
            memset(d->pages[last] + in, 0, FS_PAGE - in);
        d->held -= freed;
        fs_account_uncharge(acct, freed * FS_PAGE, 0);
    }
    d->size = size;
    return FS_OK;
}

void fs_data_free(struct fs_data *d, const struct fs_mem *m, struct fs_account *acct)
{
    for (uint64_t i = 0; d->pages && i < d->nslots; i++)
        m->free(m->ctx, d->pages[i]);
    m->free(m->ctx, d->pages);
    fs_account_uncharge(acct, fs_data_charged(d), 0);
    *d = (struct fs_data){0};
}
