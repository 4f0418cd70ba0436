/*
 * Bootstrap accessors for capnp/schema.capnp, written by hand with the same
 * names tools/capnpc-c generates, so that the generator can read its first
 * CodeGeneratorRequest.  Offsets come from the schema's own compiled form.
 * Once the generator works, this file is replaced by its own output.
 */
#ifndef CAPOS_TOOLS_CAPNPC_C_SCHEMA_BOOTSTRAP_H
#define CAPOS_TOOLS_CAPNPC_C_SCHEMA_BOOTSTRAP_H

#include "capnp/capnp.h"

#define BS_STRUCT(N)                                                                               \
    typedef struct N##_reader {                                                                    \
        struct capnp_struct s;                                                                     \
    } N##_reader;                                                                                  \
    typedef struct N##_reader_list {                                                               \
        struct capnp_list l;                                                                       \
    } N##_reader_list;                                                                             \
    static inline uint32_t N##_list_len(N##_reader_list l)                                         \
    {                                                                                              \
        return l.l.len;                                                                            \
    }                                                                                              \
    static inline N##_reader N##_list_get(N##_reader_list l, uint32_t i)                           \
    {                                                                                              \
        return (N##_reader){capnp_list_get_struct(&l.l, i)};                                       \
    }

#define BS_GROUP(N)                                                                                \
    typedef struct N##_reader {                                                                    \
        struct capnp_struct s;                                                                     \
    } N##_reader;

#define BS_U(N, f, bits, off)                                                                      \
    static inline uint##bits##_t N##_get_##f(N##_reader r)                                         \
    {                                                                                              \
        return capnp_struct_get_u##bits(&r.s, off);                                                \
    }
#define BS_BOOL(N, f, off)                                                                         \
    static inline bool N##_get_##f(N##_reader r)                                                   \
    {                                                                                              \
        return capnp_struct_get_bool(&r.s, off);                                                   \
    }
#define BS_TEXT(N, f, off)                                                                         \
    static inline struct capnp_text N##_get_##f(N##_reader r)                                      \
    {                                                                                              \
        return capnp_ptr_get_text(capnp_struct_ptr(&r.s, off), 0, 0);                              \
    }
#define BS_DATA(N, f, off)                                                                         \
    static inline struct capnp_data N##_get_##f(N##_reader r)                                      \
    {                                                                                              \
        return capnp_ptr_get_data(capnp_struct_ptr(&r.s, off), 0, 0);                              \
    }
#define BS_PTR(N, f, off)                                                                          \
    static inline struct capnp_ptr N##_get_##f(N##_reader r)                                       \
    {                                                                                              \
        return capnp_struct_ptr(&r.s, off);                                                        \
    }
#define BS_SUB(N, f, T, off)                                                                       \
    static inline T##_reader N##_get_##f(N##_reader r)                                             \
    {                                                                                              \
        return (T##_reader){capnp_ptr_get_struct(capnp_struct_ptr(&r.s, off), 0)};                 \
    }
#define BS_LIST(N, f, T, off)                                                                      \
    static inline T##_reader_list N##_get_##f(N##_reader r)                                        \
    {                                                                                              \
        return (T##_reader_list){                                                                  \
            capnp_ptr_get_list(capnp_struct_ptr(&r.s, off), CAPNP_ELEM_COMPOSITE, 0)};             \
    }
#define BS_GRP(N, f, T)                                                                            \
    static inline T##_reader N##_get_##f(N##_reader r)                                             \
    {                                                                                              \
        return (T##_reader){r.s};                                                                  \
    }
#define BS_WHICH(N, off)                                                                           \
    static inline enum N##_which N##_which(N##_reader r)                                           \
    {                                                                                              \
        return (enum N##_which)capnp_struct_get_u16(&r.s, off);                                    \
    }

enum schema_Node_which {
    schema_Node_which_file = 0,
    schema_Node_which_struct = 1,
    schema_Node_which_enum = 2,
    schema_Node_which_interface = 3,
    schema_Node_which_const = 4,
    schema_Node_which_annotation = 5,
};
enum schema_Field_which { schema_Field_which_slot = 0, schema_Field_which_group = 1 };
enum schema_Type_which {
    schema_Type_which_void = 0,
    schema_Type_which_bool = 1,
    schema_Type_which_int8 = 2,
    schema_Type_which_int16 = 3,
    schema_Type_which_int32 = 4,
    schema_Type_which_int64 = 5,
    schema_Type_which_uint8 = 6,
    schema_Type_which_uint16 = 7,
    schema_Type_which_uint32 = 8,
    schema_Type_which_uint64 = 9,
    schema_Type_which_float32 = 10,
    schema_Type_which_float64 = 11,
    schema_Type_which_text = 12,
    schema_Type_which_data = 13,
    schema_Type_which_list = 14,
    schema_Type_which_enum = 15,
    schema_Type_which_struct = 16,
    schema_Type_which_interface = 17,
    schema_Type_which_anyPointer = 18,
};
enum schema_Value_which {
    schema_Value_which_void = 0,
    schema_Value_which_bool = 1,
    schema_Value_which_int8 = 2,
    schema_Value_which_int16 = 3,
    schema_Value_which_int32 = 4,
    schema_Value_which_int64 = 5,
    schema_Value_which_uint8 = 6,
    schema_Value_which_uint16 = 7,
    schema_Value_which_uint32 = 8,
    schema_Value_which_uint64 = 9,
    schema_Value_which_float32 = 10,
    schema_Value_which_float64 = 11,
    schema_Value_which_text = 12,
    schema_Value_which_data = 13,
    schema_Value_which_list = 14,
    schema_Value_which_enum = 15,
    schema_Value_which_struct = 16,
    schema_Value_which_interface = 17,
    schema_Value_which_anyPointer = 18,
};
enum schema_Type_anyPointer_which {
    schema_Type_anyPointer_which_unconstrained = 0,
    schema_Type_anyPointer_which_parameter = 1,
    schema_Type_anyPointer_which_implicitMethodParameter = 2,
};
enum schema_Type_anyPointer_unconstrained_which {
    schema_Type_anyPointer_unconstrained_which_anyKind = 0,
    schema_Type_anyPointer_unconstrained_which_struct = 1,
    schema_Type_anyPointer_unconstrained_which_list = 2,
    schema_Type_anyPointer_unconstrained_which_capability = 3,
};

BS_STRUCT(schema_Node)
BS_STRUCT(schema_Node_NestedNode)
BS_STRUCT(schema_Node_SourceInfo)
BS_STRUCT(schema_Node_SourceInfo_Member)
BS_STRUCT(schema_Field)
BS_STRUCT(schema_Enumerant)
BS_STRUCT(schema_Superclass)
BS_STRUCT(schema_Method)
BS_STRUCT(schema_Type)
BS_STRUCT(schema_Value)
BS_STRUCT(schema_CodeGeneratorRequest)
BS_STRUCT(schema_CodeGeneratorRequest_RequestedFile)
BS_STRUCT(schema_CodeGeneratorRequest_RequestedFile_Import)
BS_GROUP(schema_Node_struct)
BS_GROUP(schema_Node_enum)
BS_GROUP(schema_Node_interface)
BS_GROUP(schema_Node_const)
BS_GROUP(schema_Field_slot)
BS_GROUP(schema_Field_group)
BS_GROUP(schema_Type_list)
BS_GROUP(schema_Type_enum)
BS_GROUP(schema_Type_struct)
BS_GROUP(schema_Type_interface)
BS_GROUP(schema_Type_anyPointer)
BS_GROUP(schema_Type_anyPointer_unconstrained)

static inline schema_CodeGeneratorRequest_reader
schema_CodeGeneratorRequest_read_root(struct capnp_reader *m)
{
    return (schema_CodeGeneratorRequest_reader){capnp_reader_root(m)};
}
BS_LIST(schema_CodeGeneratorRequest, nodes, schema_Node, 0)
BS_LIST(schema_CodeGeneratorRequest, requestedFiles, schema_CodeGeneratorRequest_RequestedFile, 1)
BS_LIST(schema_CodeGeneratorRequest, sourceInfo, schema_Node_SourceInfo, 3)
BS_U(schema_CodeGeneratorRequest_RequestedFile, id, 64, 0)
BS_TEXT(schema_CodeGeneratorRequest_RequestedFile, filename, 0)
BS_LIST(schema_CodeGeneratorRequest_RequestedFile, imports,
        schema_CodeGeneratorRequest_RequestedFile_Import, 1)
BS_U(schema_CodeGeneratorRequest_RequestedFile_Import, id, 64, 0)
BS_TEXT(schema_CodeGeneratorRequest_RequestedFile_Import, name, 0)

BS_U(schema_Node, id, 64, 0)
BS_TEXT(schema_Node, displayName, 0)
BS_U(schema_Node, displayNamePrefixLength, 32, 2)
BS_U(schema_Node, scopeId, 64, 2)
BS_LIST(schema_Node, nestedNodes, schema_Node_NestedNode, 1)
BS_BOOL(schema_Node, isGeneric, 288)
BS_WHICH(schema_Node, 6)
BS_GRP(schema_Node, struct, schema_Node_struct)
BS_GRP(schema_Node, enum, schema_Node_enum)
BS_GRP(schema_Node, interface, schema_Node_interface)
BS_GRP(schema_Node, const, schema_Node_const)
BS_U(schema_Node_struct, dataWordCount, 16, 7)
BS_U(schema_Node_struct, pointerCount, 16, 12)
BS_BOOL(schema_Node_struct, isGroup, 224)
BS_U(schema_Node_struct, discriminantCount, 16, 15)
BS_U(schema_Node_struct, discriminantOffset, 32, 8)
BS_LIST(schema_Node_struct, fields, schema_Field, 3)
BS_LIST(schema_Node_enum, enumerants, schema_Enumerant, 3)
BS_LIST(schema_Node_interface, methods, schema_Method, 3)
BS_LIST(schema_Node_interface, superclasses, schema_Superclass, 4)
BS_SUB(schema_Node_const, type, schema_Type, 3)
BS_SUB(schema_Node_const, value, schema_Value, 4)
BS_TEXT(schema_Node_NestedNode, name, 0)
BS_U(schema_Node_NestedNode, id, 64, 0)
BS_U(schema_Node_SourceInfo, id, 64, 0)
BS_TEXT(schema_Node_SourceInfo, docComment, 0)
BS_LIST(schema_Node_SourceInfo, members, schema_Node_SourceInfo_Member, 1)
BS_TEXT(schema_Node_SourceInfo_Member, docComment, 0)

BS_TEXT(schema_Field, name, 0)
static inline uint16_t schema_Field_get_discriminantValue(schema_Field_reader r)
{
    return capnp_struct_get_u16(&r.s, 1) ^ 0xffff;
}
BS_WHICH(schema_Field, 4)
BS_GRP(schema_Field, slot, schema_Field_slot)
BS_GRP(schema_Field, group, schema_Field_group)
BS_U(schema_Field_slot, offset, 32, 1)
BS_SUB(schema_Field_slot, type, schema_Type, 2)
BS_SUB(schema_Field_slot, defaultValue, schema_Value, 3)
BS_BOOL(schema_Field_slot, hadExplicitDefault, 128)
BS_U(schema_Field_group, typeId, 64, 2)

BS_TEXT(schema_Enumerant, name, 0)
BS_TEXT(schema_Method, name, 0)
BS_U(schema_Method, paramStructType, 64, 1)
BS_U(schema_Method, resultStructType, 64, 2)
BS_U(schema_Superclass, id, 64, 0)

BS_WHICH(schema_Type, 0)
BS_GRP(schema_Type, list, schema_Type_list)
BS_GRP(schema_Type, enum, schema_Type_enum)
BS_GRP(schema_Type, struct, schema_Type_struct)
BS_GRP(schema_Type, interface, schema_Type_interface)
BS_GRP(schema_Type, anyPointer, schema_Type_anyPointer)
BS_SUB(schema_Type_list, elementType, schema_Type, 0)
BS_U(schema_Type_enum, typeId, 64, 1)
BS_U(schema_Type_struct, typeId, 64, 1)
BS_U(schema_Type_interface, typeId, 64, 1)
BS_WHICH(schema_Type_anyPointer, 4)
BS_GRP(schema_Type_anyPointer, unconstrained, schema_Type_anyPointer_unconstrained)
BS_WHICH(schema_Type_anyPointer_unconstrained, 5)

BS_WHICH(schema_Value, 0)
BS_BOOL(schema_Value, bool, 16)
BS_U(schema_Value, int8, 8, 2)
BS_U(schema_Value, int16, 16, 1)
BS_U(schema_Value, int32, 32, 1)
BS_U(schema_Value, int64, 64, 1)
BS_U(schema_Value, uint8, 8, 2)
BS_U(schema_Value, uint16, 16, 1)
BS_U(schema_Value, uint32, 32, 1)
BS_U(schema_Value, uint64, 64, 1)
BS_U(schema_Value, float32_bits, 32, 1)
BS_U(schema_Value, float64_bits, 64, 1)
BS_TEXT(schema_Value, text, 0)
BS_DATA(schema_Value, data, 0)
BS_PTR(schema_Value, list, 0)
BS_U(schema_Value, enum, 16, 1)
BS_PTR(schema_Value, struct, 0)
BS_PTR(schema_Value, anyPointer, 0)

#endif
