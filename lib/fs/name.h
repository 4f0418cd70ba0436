/*
 * Names of directory entries: what the file service accepts as one.
 */
#ifndef CAPOS_LIB_FS_NAME_H
#define CAPOS_LIB_FS_NAME_H

#include <stdbool.h>
#include <stdint.h>

/* The longest name, in bytes (the schema's maxFileName). */
#define FS_NAME_MAX 255

/* True if `name` (len bytes, not necessarily NUL-terminated) is a name:
 * 1 to FS_NAME_MAX bytes, no '/' and no NUL, neither "." nor "..".  A
 * name therefore never designates anything but one entry of the directory
 * it is looked up in. */
bool fs_name_valid(const char *name, uint32_t len);

#endif
