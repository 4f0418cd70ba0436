/*
 * Directory records (records.h).  The writer and the reader are the only
 * code that knows the layout; the reader checks every byte it uses
 * against the length it was given before reading it.
 */
#include "fs/records.h"

#include "base/mem.h"
#include "fs/name.h"

/* Little-endian u64s at unaligned addresses: one move each on a
 * little-endian machine (every target of capOS), bytes otherwise. */
static void put_u64(uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    __builtin_memcpy(p, &v, 8);
#else
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    __builtin_memcpy(&v, p, 8);
#else
    v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
#endif
    return v;
}

bool fs_rec_put(uint8_t *buf, size_t size, size_t *used, const struct fs_rec *r)
{
    size_t rec = FS_REC_HEAD + r->name_len;
    if (*used > size || rec > size - *used || r->name_len > 255)
        return false;
    uint8_t *p = buf + *used;
    put_u64(p, r->ino);
    put_u64(p + 8, r->next);
    p[16] = (uint8_t)r->kind;
    p[17] = (uint8_t)r->name_len;
    memcpy(p + FS_REC_HEAD, r->name, r->name_len);
    *used += rec;
    return true;
}

enum fs_rec_err fs_rec_next(const uint8_t *buf, size_t len, size_t *at, struct fs_rec *r)
{
    if (*at == len)
        return FS_REC_END;
    /* Overflow-safe: *at <= len first, then the header, then the name. */
    if (*at > len || len - *at < FS_REC_HEAD)
        return FS_REC_BAD;
    const uint8_t *p = buf + *at;
    uint32_t name_len = p[17];
    if (p[16] > FS_REC_LINK || name_len > len - *at - FS_REC_HEAD ||
        !fs_name_valid((const char *)p + FS_REC_HEAD, name_len))
        return FS_REC_BAD;
    r->ino = get_u64(p);
    r->next = get_u64(p + 8);
    r->kind = (enum fs_rec_kind)p[16];
    r->name = (const char *)p + FS_REC_HEAD;
    r->name_len = name_len;
    *at += FS_REC_HEAD + name_len;
    return FS_REC_OK;
}
