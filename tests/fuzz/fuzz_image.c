/*
 * libFuzzer target for tree images (lib/fs/image.c), the file service's
 * decoder of the boot module's rootTree.  The input's first two bytes set
 * the allocation that fails (0: none) and the account's entry limit; the
 * rest is the image, checked under small limits and loaded into an empty
 * tree.
 *
 * Checked: the check and the load agree (a load fails only on quota or
 * memory once the check passed); after a load, the tree holds exactly the
 * entries and bytes the summary counted, every directory's entries have
 * valid distinct names, and the account is charged exactly for them; after
 * a failed load, or clearing the tree, nothing is held and nothing
 * charged.  Any violation aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"

#include "fs/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *why)
{
    fprintf(stderr, "fuzz_image: %s\n", why);
    abort();
}

/* Counts the nodes below `dir` and their bytes, checking names; the
 * depth is bounded by the image's. */
static void walk(const struct fs_node *dir, uint32_t depth, uint32_t *files, uint32_t *dirs,
                 uint32_t *links, uint64_t *bytes, uint64_t *charged)
{
    if (depth > FS_IMAGE_MAX_DEPTH)
        fail("tree deeper than any image");
    for (uint32_t i = 0; i < dir->dir.n; i++) {
        const struct fs_node *n = dir->dir.ents[i];
        if (!fs_name_valid(n->name, n->name_len))
            fail("a loaded name is not a name");
        for (uint32_t j = 0; j < i; j++) {
            const struct fs_node *o = dir->dir.ents[j];
            if (o->name_len == n->name_len && memcmp(o->name, n->name, n->name_len) == 0)
                fail("two entries of one name");
        }
        if (n->mode > FS_IMAGE_MAX_MODE)
            fail("mode out of range");
        if (n->kind == FS_DIR) {
            (*dirs)++;
            walk(n, depth + 1, files, dirs, links, bytes, charged);
        } else if (n->kind == FS_LINK) {
            (*links)++;
            if (n->mode != 0777 || !n->link.target_len || n->link.target_len > FS_LINK_MAX ||
                memchr(n->link.target, 0, n->link.target_len))
                fail("a link loaded with a bad mode or target");
            *charged += n->link.target_len;
        } else {
            (*files)++;
            *bytes += n->data.size;
            *charged += fs_data_charged(&n->data);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    fuzz_input(data, size);
    uint8_t fail_byte = byte(), entries_byte = byte();
    bool borrow = (fail_byte ^ entries_byte) & 1; /* files reading the image in place */
    const uint8_t *img = data + 2;
    size_t len = size - 2;
    struct fs_image_limits lim = {
        .max_entries = 64, .max_file_bytes = 1 << 16, .max_bytes = 1 << 17};
    struct fs_image_summary sum, sum2;
    char why[160];
    enum fs_image_err ce = fs_image_check(img, len, &lim, &sum, why, sizeof(why));
    if (ce != FS_IMAGE_OK && !why[0])
        fail("a refusal without a message");

    struct fs_mem mem = {.alloc = f_alloc, .free = f_free};
    struct fs_account acct = {.bytes_limit = 1 << 20, .entries_limit = 1 + entries_byte};
    struct fs_tree t;
    if (fs_tree_init(&t, &mem, &acct, 1) != FS_OK)
        fail("tree init");
    fail_after = fail_byte ? fail_byte - 1 : -1;
    enum fs_image_err le =
        fs_image_load(&t, t.root, &acct, img, len, &lim, borrow, 2, &sum2, why, sizeof(why));
    fail_after = -1;
    if (ce != FS_IMAGE_OK && le != ce)
        fail("the load disagrees with the check");
    if (ce == FS_IMAGE_OK && le != FS_IMAGE_OK && le != FS_IMAGE_QUOTA && le != FS_IMAGE_NO_MEMORY)
        fail("a checked image failed for another reason than quota or memory");
    if (le == FS_IMAGE_OK) {
        uint32_t files = 0, dirs = 0, links = 0;
        uint64_t bytes = 0, charged = 0;
        walk(t.root, 0, &files, &dirs, &links, &bytes, &charged);
        if (files != sum.files || dirs != sum.dirs || links != sum.links || bytes != sum.bytes)
            fail("the tree is not what the summary counted");
        if (acct.entries_used != 1u + files + dirs + links || acct.bytes_used != charged)
            fail("the account is not charged for exactly the tree");
        fs_dir_clear(&t, t.root);
    }
    if (t.root->dir.n || acct.entries_used != 1 || acct.bytes_used != 0)
        fail("something is held after a failed load or a clear");
    fs_node_free(&t, t.root);
    if (live_blocks != 0)
        fail("memory not given back");
    return 0;
}
