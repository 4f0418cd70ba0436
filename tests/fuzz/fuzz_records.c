/*
 * Fuzz target of lib/fs/records: the input is taken as a page of
 * directory records, as a client gets it from a service it does not
 * trust.  fs_rec_next must never read outside the input, every record it
 * returns must lie inside it with a valid kind and name, the records must
 * tile the input from its start without gaps, and writing the records
 * read back with fs_rec_put must give the same bytes.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "fs/name.h"
#include "fs/records.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly `size` bytes, so that ASan sees any read past it. */
    uint8_t *buf = malloc(size ? size : 1);
    uint8_t *out = malloc(size ? size : 1);
    assert(buf && out);
    memcpy(buf, data, size);
    size_t at = 0, used = 0;
    struct fs_rec r;
    enum fs_rec_err e;
    while ((e = fs_rec_next(buf, size, &at, &r)) == FS_REC_OK) {
        assert(r.kind <= FS_REC_LINK);
        assert(r.name >= (const char *)buf && r.name_len <= size &&
               r.name + r.name_len <= (const char *)buf + at);
        assert(fs_name_valid(r.name, r.name_len));
        assert(fs_rec_put(out, size, &used, &r));
        assert(used == at);
    }
    assert(e == FS_REC_END ? at == size : at < size);
    size_t again = at;
    assert(fs_rec_next(buf, size, &again, &r) == e && again == at); /* a refusal moves nothing */
    assert(memcmp(out, buf, used) == 0);
    free(buf);
    free(out);
    return 0;
}
