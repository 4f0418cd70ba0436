/*
 * A client of the file service that leaves in the middle of its calls
 * (the files smoke, user/tests/files.c): it writes a file, marks that it
 * did with "quitter.done", then submits four more writes to the file and
 * exits without waiting for any of them.  The service must go on serving
 * and the file must hold whole writes only.
 */
#include "capos.h"

#include "base/mem.h"

static uint8_t page[4096];

int main(int argc, char **argv)
{
    uint32_t root;
    capos_Directory_open_results r, done;
    (void)argc, (void)argv;
    if (capos_capset_find("root", capos_Directory_INTERFACE_ID, &root) != CAPOS_OK)
        return 1;
    memset(page, 'q', sizeof(page));
    capos_Directory_open_args a = {.name = {"quitter", 7}, .create = true, .mode = 0600};
    if (capos_Directory_open_call(root, &a, &r, NULL) != CAPOS_OK)
        return 1;
    static uint64_t arena[sizeof(page) / 8 + 16];
    struct capos_rpc_opts o = {.arena = arena, .arena_len = sizeof(arena)};
    capos_File_write_args w = {.offset = 0, .data = {page, sizeof(page)}};
    if (capos_File_write_call(r.file, &w, NULL, &o) != CAPOS_OK)
        return 1;
    a.name = (struct capnp_text){"quitter.done", 12};
    if (capos_Directory_open_call(root, &a, &done, NULL) != CAPOS_OK)
        return 1;
    /* Four writes in flight, then gone: their builders need not outlive
     * the process. */
    static uint64_t arenas[4][sizeof(page) / 8 + 16];
    struct capnp_builder b[4];
    for (int i = 0; i < 4; i++) {
        uint64_t cookie;
        capnp_builder_init(&b[i], arenas[i], sizeof(arenas[i]));
        w.offset = (uint64_t)(i + 1) * sizeof(page);
        if (capos_File_write_submit(r.file, &w, &b[i], NULL, &cookie) != CAPOS_OK)
            return 1;
    }
    capos_ring_enter(0, 0);
    capos_printf("files-quitter: leaving with 4 writes in flight\n");
    return 0;
}
