/*
 * Path resolution for the POSIX personality, as pure logic: a path and a
 * working directory become a canonical path below a root, with symbolic
 * links followed through a lookup function the caller supplies.
 *
 * A canonical path is "" (the root) or "/name/name...", every name valid
 * (1 to PATH_NAME_MAX bytes, no '/', not "." or "..").  Resolution keeps
 * one: a name is appended, ".." takes the last name off (at the root there
 * is none to take, so ".." stays at the root), and an absolute symbolic
 * link starts again from the root.  Nothing else changes it, so no path
 * and no link, relative or absolute, can name anything above the root:
 * the root is the caller's Directory capability, and everything resolved
 * is a chain of names below it.
 *
 * Errors are negative numbers with the values of Linux's errno: ENOENT,
 * ENOTDIR, ENAMETOOLONG (a path or result of PATH_MAX_LEN bytes or more, a
 * name longer than PATH_NAME_MAX), ELOOP (more than PATH_LINKS_MAX links
 * followed), and whatever the lookup returns.
 */
#ifndef CAPOS_LIB_PATH_PATH_H
#define CAPOS_LIB_PATH_PATH_H

#include <stdbool.h>
#include <stdint.h>

#define PATH_MAX_LEN      4096 /* PATH_MAX: bytes with the NUL */
#define PATH_NAME_MAX     255
#define PATH_LINKS_MAX    40 /* links followed in one resolution, as Linux */

#define PATH_ENOENT       (-2)
#define PATH_ENOTDIR      (-20)
#define PATH_ENAMETOOLONG (-36)
#define PATH_ELOOP        (-40)

enum path_kind { PATH_NONE = 0, PATH_FILE = 1, PATH_DIR = 2, PATH_LINK = 3 };

/*
 * Looks up `name` (len bytes) in the directory whose canonical path is
 * dir (dir_len bytes, "" for the root).  Returns its kind, PATH_NONE if
 * there is no such entry, or a negative error; for PATH_LINK it puts the
 * target (1 to PATH_MAX_LEN - 1 bytes, no NUL) in target and its length
 * in *target_len.
 */
typedef int path_lookup_fn(void *ctx, const char *dir, uint32_t dir_len, const char *name,
                           uint32_t len, char *target, uint32_t *target_len);

/* Resolution flags. */
#define PATH_FOLLOW 1u /* follow a link in the last component */

struct path_result {
    char path[PATH_MAX_LEN]; /* canonical, NUL-terminated */
    uint32_t len;
    enum path_kind kind; /* of what path names; PATH_NONE: only its last name is missing */
    uint32_t name_off;   /* where its last name starts; len if it ended in ".", ".." or "/" */
    bool trailing_slash; /* the path ended in '/' (what it names must be a directory) */
    /* The walk's own room: what is left to resolve, and a link's target. */
    char rest[PATH_MAX_LEN];
    uint32_t at, end; /* rest[at..end) */
    char target[PATH_MAX_LEN];
};

/* Resolves `path` (NUL-terminated) from `cwd` (canonical, cwd_len bytes).
 * Returns 0 with *r filled, or a negative error. */
int path_resolve(path_lookup_fn *lookup, void *ctx, const char *cwd, uint32_t cwd_len,
                 const char *path, unsigned flags, struct path_result *r);

/* Whether s[0..len) is a name (see above). */
bool path_name_valid(const char *s, uint32_t len);

#endif
