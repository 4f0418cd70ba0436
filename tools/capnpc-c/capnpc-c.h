/*
 * capnpc-c's internal interface between its two halves: capnpc-c.c reads
 * the request, names every node and writes the typed bindings
 * (<base>.capnp.h/.c); rpc.c writes the RPC layer of files that declare
 * interfaces (<base>.rpc.h, <base>.server.c, <base>.client.c).  Both write
 * into `struct out` buffers and register every identifier they define, so
 * that a collision anywhere fails the run.
 */
#ifndef CAPNPC_C_H
#define CAPNPC_C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capnp/capnp.h"
#include "schema.capnp.h"

/* capnp/stream.capnp's StreamResult, the result type of `-> stream` methods. */
#define STREAM_RESULT_ID UINT64_C(0x995f9a3377c0b16e)

/* The schema file's SHA-256 (hex), stamped into every output file. */
extern const char *sha256_hex;

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *xmalloc(size_t n);
char *xstrdup(const char *s);
char *fmtstr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A NUL-terminated copy of a text field. */
char *text(struct capnp_text t);

/* An output file being built. */
struct out {
    char *buf;
    size_t len, cap;
};

void emit(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void write_file(const char *path, const struct out *o);
/* A C comment holding `s`, each line prefixed by `indent`. */
void emit_comment(struct out *o, const char *indent, const char *s);
/* A C string literal for `len` bytes of `s`. */
void emit_cstring(struct out *o, const char *s, size_t len);

/* Records a generated identifier (returned unchanged); check_idents fails
 * the run if any was recorded twice. */
const char *ident(const char *s);
void check_idents(void);

/* One schema node of the request. */
struct node {
    uint64_t id;
    schema_Node_reader r;
    char *name;       /* C name (prefix_Path), NULL until named */
    uint64_t file;    /* id of the file node it belongs to */
    const char *base; /* file name without directory and ".capnp" */
    size_t order;     /* declaration order, for deterministic output */
    bool has_doc;
    schema_Node_SourceInfo_reader doc;
};

/* Every node, sorted by id; the named ones in declaration order. */
extern struct node *nodes;
extern size_t nnodes;
extern struct node **ordered;
extern size_t nordered;

struct node *find(uint64_t id);
/* As find, but a missing node fails the run. */
struct node *need(uint64_t id);
bool is_struct(const struct node *n);
schema_Node_struct_reader st(const struct node *n);
const char *node_doc(const struct node *n);
const char *member_doc(const struct node *n, uint32_t i);

/* Primitive type facts, indexed by schema Type.which (void .. float64, enum). */
struct prim {
    const char *ctype; /* C type of the value */
    const char *acc;   /* lib accessor suffix: bool, u8, u16, u32, u64 */
    const char *utype; /* unsigned carrier type */
    unsigned bits;
    enum capnp_elem elem;
};
extern const struct prim prims[];
extern const char *const elem_names[];

/* How a pointer-typed value is accessed. */
enum pkind {
    P_TEXT,
    P_DATA,
    P_STRUCT,
    P_STRUCT_LIST,
    P_LIST,
    P_CAP,
    P_ANY,
    P_ANY_STRUCT,
    P_ANY_LIST
};

enum pkind pointer_kind(schema_Type_reader t);
bool is_pointer_type(schema_Type_reader t);
/* List element size for a list whose elements have type `e`. */
enum capnp_elem elem_of(schema_Type_reader e);
/* The struct, enum or interface node a type names (NULL for others). */
struct node *type_node(schema_Type_reader t);
const char *type_name(const struct node *n);
/* Raw bits of a primitive value (what a field is XORed with). */
uint64_t value_bits(schema_Value_reader v);
/* A literal of the unsigned carrier type for `bits` of a `width`-bit field. */
char *ulit(unsigned width, uint64_t bits);

/* ---- Annotations (schema/capnpc-c.capnp) ---- */
#define ANN_REQUIRED     UINT64_C(0x8e0427e7aa7e1069)
#define ANN_MAX_LEN      UINT64_C(0xc75cc0d807702913)
#define ANN_MIN          UINT64_C(0xae6cd43a6c802f36)
#define ANN_MAX          UINT64_C(0xb62a21e62f442ea1)
#define ANN_MACRO        UINT64_C(0xc391129167203410)
#define ANN_MACRO_PREFIX UINT64_C(0xacd44a32fde60232)

/* The annotation `id` in `list`, if present. */
bool find_annotation(schema_Annotation_reader_list list, uint64_t id, schema_Value_reader *value);

/* ---- The RPC layer (rpc.c) ---- */

/* Whether `file` declares an interface (and so gets an RPC layer). */
bool has_interfaces(const struct node *file);
/* Builds the RPC layer of `file` into h (the <base>.rpc.h header), server
 * (<base>.server.c) and client (<base>.client.c), without their stamps. */
void generate_rpc(struct node *file, struct out *h, struct out *server, struct out *client);

/* ---- Schema descriptors (desc.c) ---- */

/* Builds <base>.schema.c of a file that declares interfaces, without its
 * stamp (lib/capdesc/capdesc.h). */
void generate_desc(struct node *file, struct out *o);

#endif
