/*
 * Schema descriptors: a compiled schema's interfaces, structs and enums as
 * constant tables, for code that handles any method of any interface by
 * name instead of through generated per-method functions (the Lua runner,
 * user/caplua, converts tables to and from Cap'n Proto with them).
 *
 * tools/capnpc-c writes one `const struct capdesc_schema <base>_schema` per
 * schema file that declares interfaces (gen/<base>.schema.c, checked in and
 * compared by `make check-gen`).  The tables are trusted data: indices in
 * them are in range by construction; what they describe (messages from
 * elsewhere) is not, and is read through lib/capnp's bounds-checked reader.
 *
 * Layout facts are the wire's: a field's `offset` is in units of its own
 * size (bits for Bool, bytes for 8-bit values, ...; pointer index for
 * pointer fields), primitive values are stored XORed with `dflt`, a union's
 * discriminant is the 16-bit value at `disc_offset` (in 16-bit units) of
 * its struct.  A group is a field of kind CAPDESC_GROUP whose `ref` names a
 * struct entry that shares its parent's data and pointer sections.
 *
 * Freestanding and allocation-free.
 */
#ifndef CAPOS_LIB_CAPDESC_CAPDESC_H
#define CAPOS_LIB_CAPDESC_CAPDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Type kinds: schema.capnp's Type.which, then a group. */
enum capdesc_kind {
    CAPDESC_VOID = 0,
    CAPDESC_BOOL,
    CAPDESC_INT8,
    CAPDESC_INT16,
    CAPDESC_INT32,
    CAPDESC_INT64,
    CAPDESC_UINT8,
    CAPDESC_UINT16,
    CAPDESC_UINT32,
    CAPDESC_UINT64,
    CAPDESC_FLOAT32,
    CAPDESC_FLOAT64,
    CAPDESC_TEXT,
    CAPDESC_DATA,
    CAPDESC_LIST,
    CAPDESC_ENUM,
    CAPDESC_STRUCT,
    CAPDESC_INTERFACE, /* a typed interface, or `Capability` (ref CAPDESC_NONE) */
    CAPDESC_ANY,       /* AnyPointer, AnyStruct, AnyList, generic parameters */
    CAPDESC_GROUP,
};

/* `ref` of a type or method that names nothing. */
#define CAPDESC_NONE 0xffffu
/* `disc` of a field outside any union. */
#define CAPDESC_NO_DISC 0xffffu

/* A type: LIST refs its element type (an index into `types`), ENUM an enum,
 * STRUCT and GROUP a struct, INTERFACE an interface or CAPDESC_NONE. */
struct capdesc_type {
    uint8_t kind;
    uint16_t ref;
};

struct capdesc_field {
    const char *name;
    uint16_t type;   /* index into types */
    uint16_t disc;   /* the union's discriminant value, or CAPDESC_NO_DISC */
    uint32_t offset; /* see above; 0 for groups and Void */
    uint64_t dflt;   /* a primitive's default bits (enum: its value) */
};

struct capdesc_struct {
    const char *name; /* "Iface.method$Params" style display name */
    uint64_t id;
    uint16_t data_words, ptr_count;
    uint16_t disc_count; /* members of its unnamed union, 0 if none */
    uint32_t disc_offset;
    uint32_t first_field; /* index into fields */
    uint16_t nfields;
};

struct capdesc_enum {
    const char *name;
    uint64_t id;
    uint32_t first_name; /* index into enum_names */
    uint16_t count;
};

struct capdesc_method {
    const char *name;
    uint16_t ordinal;
    uint16_t params;  /* struct index */
    uint16_t results; /* struct index, CAPDESC_NONE for a stream method */
};

struct capdesc_iface {
    const char *name;
    uint64_t id;
    uint32_t first_method; /* index into methods; ordinal k is entry first_method + k */
    uint16_t nmethods;
};

struct capdesc_schema {
    const struct capdesc_type *types;
    const struct capdesc_field *fields;
    const struct capdesc_struct *structs;
    const struct capdesc_enum *enums;
    const char *const *enum_names;
    const struct capdesc_method *methods;
    const struct capdesc_iface *ifaces;
    uint32_t ntypes, nfields, nstructs, nenums, nenum_names, nmethods, nifaces;
};

/* The interface with this id, or NULL. */
const struct capdesc_iface *capdesc_iface_by_id(const struct capdesc_schema *s, uint64_t id);
/* The interface with this name, or NULL. */
const struct capdesc_iface *capdesc_iface_by_name(const struct capdesc_schema *s, const char *name);
/* The method of `ifc` called `name` (len bytes), or NULL. */
const struct capdesc_method *capdesc_method_by_name(const struct capdesc_schema *s,
                                                    const struct capdesc_iface *ifc,
                                                    const char *name, size_t len);
/* Method `ordinal` of `ifc`, or NULL. */
const struct capdesc_method *capdesc_method_at(const struct capdesc_schema *s,
                                               const struct capdesc_iface *ifc, uint32_t ordinal);
/* The field of struct `st` (not looking into groups) called name, or NULL. */
const struct capdesc_field *capdesc_field_by_name(const struct capdesc_schema *s,
                                                  const struct capdesc_struct *st, const char *name,
                                                  size_t len);
/* The name of value v of enum e, or NULL for a value the schema does not know. */
const char *capdesc_enum_name(const struct capdesc_schema *s, const struct capdesc_enum *e,
                              uint32_t v);
/* The value of enumerant `name` of e, or -1. */
int32_t capdesc_enum_value(const struct capdesc_schema *s, const struct capdesc_enum *e,
                           const char *name, size_t len);
/* A field's width in bits as stored (0 for Void and groups, 64 for pointers). */
unsigned capdesc_bits(enum capdesc_kind k);

#endif
