/*
 * Prototypes of the C memory and string primitives lib/ relies on.
 *
 * The host build gets them from its libc; kernel and userspace builds link
 * lib/freestanding/string.c.  The prototypes match ISO C, so including this
 * next to <string.h> on the host is harmless.
 */
#ifndef CAPOS_LIB_BASE_MEM_H
#define CAPOS_LIB_BASE_MEM_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
