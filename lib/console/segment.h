/*
 * Cutting console output into segments that keep lines whole.
 *
 * The kernel sends a long console write as a series of segments, each under
 * its own turn at the serial line, so that other writers wait for at most one
 * segment rather than for the whole write.  console_segment picks where the
 * next segment ends: the rest of the data if it fits in `max` bytes, else
 * just after the last newline within the first `max` bytes, else (a line
 * longer than `max`) after `max` bytes.
 *
 * Guarantee: every line of the data (its bytes up to and including a
 * newline, or up to the end of the data) that is at most `max` bytes long
 * lies within one segment.  Only lines longer than `max` are cut, at
 * multiples of `max` bytes from their start.
 */
#ifndef CAPOS_LIB_CONSOLE_SEGMENT_H
#define CAPOS_LIB_CONSOLE_SEGMENT_H

#include "base/compiler.h"

/* Length of the segment at the start of s[0..n); between 1 and max when
 * n > 0 (max must be at least 1), 0 when n is 0. */
size_t console_segment(const char *s, size_t n, size_t max);

#endif
