/*
 * Bit layout of Cap'n Proto pointers, shared by the reader, the builder and
 * tests that hand-craft messages.  Pure functions of one 64-bit word; nothing
 * here checks bounds (that is the caller's job, done once per object).
 *
 *   struct: [offset:30 signed][kind=0:2] [data words:16] [pointer words:16]
 *   list:   [offset:30 signed][kind=1:2] [elem size:3]   [count:29]
 *   far:    [pad offset:29][double:1][kind=2:2] [segment id:32]
 *   other:  [0:30][kind=3:2] [cap index:32]
 * Offsets count words from the end of the pointer to the start of the object.
 */
#ifndef CAPOS_LIB_CAPNP_WIRE_H
#define CAPOS_LIB_CAPNP_WIRE_H

#include "base/compiler.h"

enum {
    CAPNP_WIRE_STRUCT = 0,
    CAPNP_WIRE_LIST = 1,
    CAPNP_WIRE_FAR = 2,
    CAPNP_WIRE_OTHER = 3,
};

static inline uint32_t capnp_wire_kind(uint64_t w)
{
    return (uint32_t)w & 3;
}

/* The signed 30-bit offset (gcc and clang shift signed values arithmetically). */
static inline int32_t capnp_wire_offset(uint64_t w)
{
    return (int32_t)(uint32_t)w >> 2;
}

static inline uint16_t capnp_wire_struct_data(uint64_t w)
{
    return (uint16_t)(w >> 32);
}

static inline uint16_t capnp_wire_struct_ptrs(uint64_t w)
{
    return (uint16_t)(w >> 48);
}

static inline uint32_t capnp_wire_list_elem(uint64_t w)
{
    return (uint32_t)(w >> 32) & 7;
}

static inline uint32_t capnp_wire_list_count(uint64_t w)
{
    return (uint32_t)(w >> 35);
}

/* Element count of an inline-composite tag (its unsigned 30-bit B field). */
static inline uint32_t capnp_wire_tag_count(uint64_t w)
{
    return (uint32_t)w >> 2;
}

static inline bool capnp_wire_far_double(uint64_t w)
{
    return (w >> 2) & 1;
}

static inline uint32_t capnp_wire_far_pad(uint64_t w)
{
    return (uint32_t)w >> 3;
}

static inline uint32_t capnp_wire_far_segment(uint64_t w)
{
    return (uint32_t)(w >> 32);
}

static inline uint64_t capnp_wire_make_struct(int32_t off, uint16_t data, uint16_t ptrs)
{
    return (uint64_t)((uint32_t)off << 2) | CAPNP_WIRE_STRUCT | ((uint64_t)data << 32) |
           ((uint64_t)ptrs << 48);
}

static inline uint64_t capnp_wire_make_list(int32_t off, uint32_t elem, uint32_t count)
{
    return (uint64_t)((uint32_t)off << 2) | CAPNP_WIRE_LIST | ((uint64_t)(elem & 7) << 32) |
           ((uint64_t)count << 35);
}

/* Inline-composite tag: a struct pointer whose offset field holds the count. */
static inline uint64_t capnp_wire_make_tag(uint32_t count, uint16_t data, uint16_t ptrs)
{
    return ((uint64_t)count << 2) | CAPNP_WIRE_STRUCT | ((uint64_t)data << 32) |
           ((uint64_t)ptrs << 48);
}

static inline uint64_t capnp_wire_make_far(bool dbl, uint32_t pad, uint32_t segment)
{
    return ((uint64_t)pad << 3) | ((uint64_t)dbl << 2) | CAPNP_WIRE_FAR | ((uint64_t)segment << 32);
}

static inline uint64_t capnp_wire_make_cap(uint32_t index)
{
    return ((uint64_t)index << 32) | CAPNP_WIRE_OTHER;
}

/* Data bits per element of a non-composite list, and whether it is a pointer. */
static inline uint32_t capnp_wire_elem_bits(uint32_t elem)
{
    static const uint8_t bits[8] = {0, 1, 8, 16, 32, 64, 0, 0};
    return bits[elem & 7];
}

#endif
