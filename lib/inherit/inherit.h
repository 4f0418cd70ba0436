/*
 * The inheritance list of a process started by posix_spawn
 * (docs/processes.md): one record per inherited fd, written by the parent
 * (user/posix/spawn.c) into the child's environment and read by the
 * child's start-up (user/posix/fd.c), which must survive whatever a
 * hostile parent writes there.  Records are separated by ',':
 *
 *   FD:K:xFLAGS:POS     fd FD, a description of kind K (a letter), status
 *                       flags FLAGS (hexadecimal), offset POS; its
 *                       capability is the grant of fd FD
 *   FD:K:xFLAGS:POS@M   the same, with the capability of fd M's grant
 *   FD:=:M              the description of fd M, under a second number
 *
 * Numbers are decimal unless preceded by "x"; each must fit its field.
 */
#ifndef CAPOS_LIB_INHERIT_INHERIT_H
#define CAPOS_LIB_INHERIT_INHERIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INHERIT_SAME '=' /* kind of an FD:=:M record */

struct inherit_rec {
    uint32_t fd;
    char kind;      /* a letter, or INHERIT_SAME */
    uint32_t flags; /* not for INHERIT_SAME */
    uint64_t pos;   /* not for INHERIT_SAME */
    uint32_t other; /* INHERIT_SAME: the fd shared; else the fd whose grant holds the capability */
};

/* Parses the record at *p (up to ',' or the end of the string) into *r
 * and moves *p past it and its ','; false if it does not parse, names an
 * fd (FD, M) of max_fd or more, or is not a letter or '=' as its kind (*p
 * is moved on all the same, so a caller can go on to the next record).
 * *p at the end of the string: false, *p unchanged. */
bool inherit_next(const char **p, uint32_t max_fd, struct inherit_rec *r);

/* Writes record r (no ',') into buf of cap bytes, NUL-terminated;
 * returns its length, or -1 if it does not fit. */
int inherit_format(char *buf, size_t cap, const struct inherit_rec *r);

#endif
