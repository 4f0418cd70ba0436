/*
 * printf-style formatting for freestanding code (kernel and userspace
 * runtime).  Output goes to a sink callback in chunks, so the same formatter
 * drives the serial console, ring-buffered logs and fixed buffers.
 *
 * Supported: flags "-0+ #", width and precision (numbers or '*'), length
 * modifiers hh h l ll z t j, conversions d i u x X o p s c %.  Anything else is
 * printed literally, so a bad format never reads an argument it was not given
 * beyond what the conversion names.
 */
#ifndef CAPOS_LIB_FMT_FMT_H
#define CAPOS_LIB_FMT_FMT_H

#include <stdarg.h>
#include <stddef.h>

#include "base/compiler.h"

typedef void (*fmt_sink_fn)(void *ctx, const char *s, size_t n);

/* Formats into sink; returns the number of characters produced. */
int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap);

/*
 * snprintf semantics: writes at most size-1 characters plus a NUL (if size >
 * 0) and returns the length the full output would have had.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
