/*
 * Look-ups over schema descriptors (capdesc.h).  Every search is a linear
 * scan of a constant table whose size the schema fixes, so no input can
 * make one do more work than the schema is large.
 */
#include "capdesc/capdesc.h"

static bool same(const char *a, const char *b, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (a[i] != b[i] || !a[i])
            return false;
    }
    return a[len] == 0;
}

static size_t slen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

const struct capdesc_iface *capdesc_iface_by_id(const struct capdesc_schema *s, uint64_t id)
{
    for (uint32_t i = 0; i < s->nifaces; i++) {
        if (s->ifaces[i].id == id)
            return &s->ifaces[i];
    }
    return 0;
}

const struct capdesc_iface *capdesc_iface_by_name(const struct capdesc_schema *s, const char *name)
{
    size_t len = slen(name);
    for (uint32_t i = 0; i < s->nifaces; i++) {
        if (same(s->ifaces[i].name, name, len))
            return &s->ifaces[i];
    }
    return 0;
}

const struct capdesc_method *capdesc_method_by_name(const struct capdesc_schema *s,
                                                    const struct capdesc_iface *ifc,
                                                    const char *name, size_t len)
{
    for (uint32_t i = 0; i < ifc->nmethods; i++) {
        const struct capdesc_method *m = &s->methods[ifc->first_method + i];
        if (same(m->name, name, len))
            return m;
    }
    return 0;
}

const struct capdesc_method *capdesc_method_at(const struct capdesc_schema *s,
                                               const struct capdesc_iface *ifc, uint32_t ordinal)
{
    return ordinal < ifc->nmethods ? &s->methods[ifc->first_method + ordinal] : 0;
}

const struct capdesc_field *capdesc_field_by_name(const struct capdesc_schema *s,
                                                  const struct capdesc_struct *st, const char *name,
                                                  size_t len)
{
    for (uint32_t i = 0; i < st->nfields; i++) {
        const struct capdesc_field *f = &s->fields[st->first_field + i];
        if (same(f->name, name, len))
            return f;
    }
    return 0;
}

const char *capdesc_enum_name(const struct capdesc_schema *s, const struct capdesc_enum *e,
                              uint32_t v)
{
    return v < e->count ? s->enum_names[e->first_name + v] : 0;
}

int32_t capdesc_enum_value(const struct capdesc_schema *s, const struct capdesc_enum *e,
                           const char *name, size_t len)
{
    for (uint32_t i = 0; i < e->count; i++) {
        if (same(s->enum_names[e->first_name + i], name, len))
            return (int32_t)i;
    }
    return -1;
}

unsigned capdesc_bits(enum capdesc_kind k)
{
    switch (k) {
    case CAPDESC_BOOL: return 1;
    case CAPDESC_INT8:
    case CAPDESC_UINT8: return 8;
    case CAPDESC_INT16:
    case CAPDESC_UINT16:
    case CAPDESC_ENUM: return 16;
    case CAPDESC_INT32:
    case CAPDESC_UINT32:
    case CAPDESC_FLOAT32: return 32;
    case CAPDESC_VOID:
    case CAPDESC_GROUP: return 0;
    default: return 64;
    }
}
