/*
 * Directory records: the packed form of a page of directory entries that
 * Directory.listRecords returns (schema/capos.capnp), written by the file
 * service and read by clients that read every entry (the POSIX
 * personality's getdents64).  One record per entry, little-endian and
 * unaligned:
 *
 *   inode (u64) | next (u64) | kind (u8: a NodeKind) | name length (u8) | name
 *
 * `next` is the list cursor after the entry.  A reader trusts nothing:
 * fs_rec_next checks each record's bounds, its kind and that its name is
 * a name (fs/name.h) before handing it out, so a record it returns can be
 * used as is.
 */
#ifndef CAPOS_LIB_FS_RECORDS_H
#define CAPOS_LIB_FS_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FS_REC_HEAD 18u                  /* the bytes before the name */
#define FS_REC_MAX  (FS_REC_HEAD + 255u) /* a record of the longest name */

/* NodeKind's values (schema/capos.capnp). */
enum fs_rec_kind { FS_REC_FILE = 0, FS_REC_DIR = 1, FS_REC_LINK = 2 };

struct fs_rec {
    uint64_t ino;
    uint64_t next;
    enum fs_rec_kind kind;
    const char *name; /* into the records; not NUL-terminated */
    uint32_t name_len;
};

/* Appends the record of `r` (a valid name) at buf + *used; false, with
 * nothing written, if it does not fit in size bytes. */
bool fs_rec_put(uint8_t *buf, size_t size, size_t *used, const struct fs_rec *r);

enum fs_rec_err {
    FS_REC_OK,  /* *r is the record at *at; *at moved past it */
    FS_REC_END, /* *at is the end of the records */
    FS_REC_BAD, /* the bytes at *at are not a record; *at unchanged */
};

/* Reads the record at *at of the len bytes at buf. */
enum fs_rec_err fs_rec_next(const uint8_t *buf, size_t len, size_t *at, struct fs_rec *r);

#endif
