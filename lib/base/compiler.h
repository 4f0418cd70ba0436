/*
 * Compiler helpers shared by the kernel, userspace and host builds of lib/.
 * Only freestanding headers are used here, so every build can include it.
 */
#ifndef CAPOS_LIB_BASE_COMPILER_H
#define CAPOS_LIB_BASE_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a)                   (sizeof(a) / sizeof((a)[0]))
#define likely(x)                       __builtin_expect(!!(x), 1)
#define unlikely(x)                     __builtin_expect(!!(x), 0)
#define NORETURN                        __attribute__((noreturn))
#define NOINLINE                        __attribute__((noinline))
#define ALWAYS_INLINE                   inline __attribute__((always_inline))
#define PACKED                          __attribute__((packed))
#define ALIGNED(n)                      __attribute__((aligned(n)))
#define UNUSED                          __attribute__((unused))
#define PRINTF_LIKE(f, a)               __attribute__((format(printf, f, a)))
#define WARN_UNUSED                     __attribute__((warn_unused_result))

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* Round helpers for power-of-two alignments only; `a` must be a power of two. */
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a)   ALIGN_DOWN((x) + ((__typeof__(x))(a)-1), (a))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)

#define MIN(a, b)        ((a) < (b) ? (a) : (b))
#define MAX(a, b)        ((a) > (b) ? (a) : (b))

#endif
