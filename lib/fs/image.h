/*
 * Tree images: the packed form of a directory tree that the build makes
 * from a declarative list (tools/mktree.py) and the file service loads at
 * start (docs/storage.md, "The boot tree").  An image comes from the boot
 * module and is checked as untrusted bytes.
 *
 * Layout, all integers little-endian, nothing aligned:
 *
 *   header   magic "capOStre" (8 bytes), u32 version (1), u32 count
 *   count entries, each:
 *            u8 kind (0 file, 1 directory, 2 symbolic link), u8 reserved (0),
 *            u16 path_len, u32 mode (at most 07777; 0777 for a link),
 *            u64 size (0 for a directory), path (path_len bytes), then a
 *            file's size bytes of contents, or a link's target (1 to
 *            FS_LINK_MAX bytes, no NUL)
 *
 * and nothing after the last entry.  A path is relative to the directory
 * the image is loaded into: names (lib/fs/name.h) joined by single '/',
 * no '/' at either end.  Entries come in pre-order: every entry's parent
 * (the path less its last name, or the top) is a directory listed before
 * it, and the entries of one directory are listed in increasing byte
 * order of their names, each followed by everything below it.  So one
 * pass with a stack of ancestors checks the whole image, there is one
 * image for one tree, and no path is listed twice.
 */
#ifndef CAPOS_LIB_FS_IMAGE_H
#define CAPOS_LIB_FS_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fs/tree.h"

#define FS_IMAGE_MAGIC      "capOStre"
#define FS_IMAGE_VERSION    1u
#define FS_IMAGE_HEADER     16u
#define FS_IMAGE_ENTRY_HEAD 16u
#define FS_IMAGE_KIND_FILE  0u
#define FS_IMAGE_KIND_DIR   1u
#define FS_IMAGE_KIND_LINK  2u
#define FS_IMAGE_MAX_MODE   07777u

/* Hard bounds, whatever the limits say. */
#define FS_IMAGE_MAX_DEPTH 32u   /* names in one path */
#define FS_IMAGE_MAX_PATH  4095u /* bytes in one path (PATH_MAX less the NUL) */

enum fs_image_err {
    FS_IMAGE_OK = 0,
    FS_IMAGE_TRUNCATED, /* the bytes end inside a header, a path or contents */
    FS_IMAGE_MAGIC_BAD, /* not an image, or another version */
    FS_IMAGE_TOO_MANY,  /* more entries than the limit */
    FS_IMAGE_TOO_BIG,   /* a file, or all contents together, over the limit */
    FS_IMAGE_BAD_ENTRY, /* kind, reserved byte, mode, a directory's size, a link's target */
    FS_IMAGE_BAD_PATH,  /* empty, too long or too deep, a bad name */
    FS_IMAGE_ORDER,     /* parent missing or not a directory, or out of order */
    FS_IMAGE_TRAILING,  /* bytes after the last entry */
    FS_IMAGE_NOT_EMPTY, /* fs_image_load: the target directory has entries */
    FS_IMAGE_QUOTA,     /* fs_image_load: the account has no room */
    FS_IMAGE_NO_MEMORY, /* fs_image_load: the allocator failed */
};

struct fs_image_limits {
    uint32_t max_entries;    /* entries in the image */
    uint64_t max_file_bytes; /* one file's size */
    uint64_t max_bytes;      /* all files' sizes together */
};

/* 4,096 entries, 16 MiB per file and in all: the file service's default
 * root account. */
struct fs_image_limits fs_image_default_limits(void);

struct fs_image_summary {
    uint32_t files, dirs, links;
    uint64_t bytes; /* contents, all files together (links' targets not counted) */
};

/*
 * Checks the whole image without allocating; on failure writes one line
 * naming the entry (by index, and by path once the path is known to be
 * printable) into `why` (cut to fit, NUL-terminated; may be NULL).
 */
enum fs_image_err fs_image_check(const uint8_t *img, size_t len, const struct fs_image_limits *lim,
                                 struct fs_image_summary *sum, char *why, size_t why_len);

/*
 * Checks the image, then creates its entries below `dir` (which must be
 * empty), charged to `acct`, with times `now_ns`.  All or nothing: on
 * failure (FS_IMAGE_QUOTA, FS_IMAGE_NO_MEMORY among the rest) `dir` is
 * empty again and every charge is given back.  With `borrow` the files
 * read their contents inside `img` until they change (fs_data_borrow):
 * the caller keeps the image, unchanged, for as long as the tree lives.
 */
enum fs_image_err fs_image_load(struct fs_tree *t, struct fs_node *dir, struct fs_account *acct,
                                const uint8_t *img, size_t len, const struct fs_image_limits *lim,
                                bool borrow, uint64_t now_ns, struct fs_image_summary *sum,
                                char *why, size_t why_len);

/* A short name of an error ("truncated", "quota", ...). */
const char *fs_image_strerror(enum fs_image_err e);

#endif
