/*
 * One of two processes writing one file at once (the files smoke,
 * user/tests/files.c, spawns both with a copy of the same File capability
 * as "file").  argv[1] is its letter, 'A' or 'B': writer A fills the even
 * blocks of the file with its letter and writer B the odd ones, and
 * between its own blocks each writes the shared block (SHARED) whole with
 * its letter.  The spawner then checks that every block holds whole
 * writes only: its owner's letter, and the shared block one letter
 * throughout.
 */
#include "capos.h"

#include "base/mem.h"

#define BLOCK  4096
#define BLOCKS 32 /* each writer's own */
#define SHARED (2 * BLOCKS)

static uint8_t block[BLOCK], shared[8 * BLOCK];
static uint64_t arena[sizeof(shared) / 8 + 64];

static int write_at(uint32_t f, uint64_t off, const uint8_t *p, uint32_t len)
{
    capos_File_write_results r;
    struct capos_rpc_opts o = {.arena = arena, .arena_len = sizeof(arena)};
    int err =
        capos_File_write_call(f, &(capos_File_write_args){.offset = off, .data = {p, len}}, &r, &o);
    return err == CAPOS_OK && r.count != len ? CAPOS_ERR_INVALID_ARGUMENT : err;
}

int main(int argc, char **argv)
{
    uint32_t file;
    if (argc < 2 || (argv[1][0] != 'A' && argv[1][0] != 'B') ||
        capos_capset_find("file", capos_File_INTERFACE_ID, &file) != CAPOS_OK)
        return 2;
    uint32_t me = (uint32_t)(argv[1][0] - 'A');
    memset(block, argv[1][0], sizeof(block));
    memset(shared, argv[1][0], sizeof(shared));
    for (uint32_t i = 0; i < BLOCKS; i++) {
        if (write_at(file, (uint64_t)(2 * i + me) * BLOCK, block, BLOCK) != CAPOS_OK ||
            write_at(file, (uint64_t)SHARED * BLOCK, shared, sizeof(shared)) != CAPOS_OK)
            return 1;
    }
    return 0;
}
