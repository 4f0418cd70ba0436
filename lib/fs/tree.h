/*
 * The file service's tree: nodes (files, directories and symbolic links)
 * and the entries of directories.  A link only holds its target, bytes
 * the tree never interprets: following it is the client's business.  Every node but the root is
 * named by exactly one entry of exactly one directory (no hard links), so a node keeps its own
 * name, and the directory it is in.  That parent pointer serves one check only (a directory
 * cannot be moved into itself or below it); nothing the service hands out walks up, and a
 * capability for a directory reaches exactly what lies below it.
 */
#ifndef CAPOS_LIB_FS_TREE_H
#define CAPOS_LIB_FS_TREE_H

#include <stdbool.h>
#include <stdint.h>

#include "fs/account.h"
#include "fs/data.h"
#include "fs/fs.h"
#include "fs/name.h"

enum fs_kind { FS_FILE = 0, FS_DIR = 1, FS_LINK = 2 };

/* The longest link target (schema's maxLinkTarget). */
#define FS_LINK_MAX 4095

struct fs_node;

struct fs_dir {
    struct fs_node **ents; /* ordered by seq, which only grows */
    uint32_t n, cap;
    uint32_t subdirs;
    uint64_t next_seq; /* the seq the next entry gets; a list cursor */
};

struct fs_node {
    enum fs_kind kind;
    uint32_t mode;
    uint64_t ino;
    uint64_t atime_ns, mtime_ns, ctime_ns;
    struct fs_account *acct; /* pays for the entry and the data */
    struct fs_node *parent;  /* the directory it is an entry of; NULL for the root */
    uint64_t seq;            /* position in its directory's listing */
    uint8_t name_len;
    char name[FS_NAME_MAX + 1];
    union {
        struct fs_data data; /* FS_FILE */
        struct fs_dir dir;   /* FS_DIR */
        struct {             /* FS_LINK: charged as target_len bytes */
            char *target;
            uint32_t target_len;
        } link;
    };
};

struct fs_tree {
    struct fs_mem mem;
    struct fs_node *root;
    uint64_t next_ino;
};

/* A tree with an empty root directory, charged to `acct` as one entry
 * like any other node. */
enum fs_err fs_tree_init(struct fs_tree *t, const struct fs_mem *m, struct fs_account *acct,
                         uint64_t now_ns);

/* The entry `name` of directory `dir`, or NULL. */
struct fs_node *fs_dir_lookup(const struct fs_node *dir, const char *name, uint32_t len);

/* Makes a new entry `name` (FS_BAD_NAME unless fs_name_valid) charged to
 * `acct`: one entry now, the data's pages as they come. */
enum fs_err fs_dir_create(struct fs_tree *t, struct fs_node *dir, const char *name, uint32_t len,
                          enum fs_kind kind, uint32_t mode, struct fs_account *acct,
                          uint64_t now_ns, struct fs_node **out);

/* Makes the symbolic link `name` holding `target` (1 to FS_LINK_MAX bytes
 * without NUL, else FS_BAD_NAME), charged one entry and its length in
 * bytes to `acct`. */
enum fs_err fs_dir_symlink(struct fs_tree *t, struct fs_node *dir, const char *name, uint32_t len,
                           const char *target, uint32_t target_len, struct fs_account *acct,
                           uint64_t now_ns);

/* Takes the entry `name` out of `dir` (a directory only if empty) and
 * returns the node, which the caller frees with fs_node_free once nothing
 * refers to it any more. */
enum fs_err fs_dir_unlink(struct fs_tree *t, struct fs_node *dir, const char *name, uint32_t len,
                          uint64_t now_ns, struct fs_node **out);

/* Moves the entry `from` of `dir` to the name `to` in `to_dir` (which may
 * be `dir`).  An existing `to` is taken out and returned in *replaced for
 * the caller to free: a directory only by a directory and only if empty
 * (FS_NOT_EMPTY, FS_IS_DIR), anything else only by anything but a
 * directory (FS_NOT_DIR).  A directory cannot go into itself or below it
 * (FS_INTO_ITSELF).  Nothing changes unless FS_OK.  The node keeps its
 * account; the moved entry is listed after the others from now on. */
enum fs_err fs_dir_rename(struct fs_tree *t, struct fs_node *dir, const char *from,
                          uint32_t from_len, struct fs_node *to_dir, const char *to,
                          uint32_t to_len, uint64_t now_ns, struct fs_node **replaced);

/* The index of the first entry whose seq is at least `cursor`. */
uint32_t fs_dir_seek(const struct fs_node *dir, uint64_t cursor);

/* Frees a node taken out of the tree (a file's data, an empty directory's
 * list) and gives its charges back. */
void fs_node_free(struct fs_tree *t, struct fs_node *n);

/* Frees everything below directory `dir`, giving every charge back; the
 * caller drops whatever badges name those nodes. */
void fs_dir_clear(struct fs_tree *t, struct fs_node *dir);

#endif
