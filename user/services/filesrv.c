/*
 * The file service: File and Directory over a tree, and Store and
 * Namespace over blobs named by their SHA-256 (schema/capos.capnp), all
 * kept in this process's memory (docs/storage.md).  Nothing survives the
 * process, let alone power-off.
 *
 * It serves its "files" export.  A call through a facet whose badge the
 * service did not mint (the manifest's grants) acts with the root account
 * on the Store (badge FILESRV_BADGE_STORE), the whole Namespace
 * (FILESRV_BADGE_NAMESPACE) or the root directory (any other); every
 * capability the service hands back is a client facet it mints with a
 * badge naming a slot of its badge table (lib/fs/handle.h): a node, the
 * store or a realm, read-only or not, and the quota account that pays for
 * what is created through it.  The tree, names, accounts and the badge
 * table are lib/fs/, blobs and namespaces lib/store/; this file turns
 * calls into those operations.
 *
 * argv: filesrv [BYTES [ENTRIES [STOP [DIR...]]]]: the root account's
 * limits (default 16 MiB of file data and 4096 entries); for a test system
 * that must end, a manifest badge STOP (0: none): the service ends after
 * answering a call made through a facet with that badge; and directories
 * to make at start, each a path of names separated by '/' below the root
 * made with its parents (mode 0755, the last one 01777), so that
 * tools/capos-run can give a program a writable /tmp and its --cwd.  A
 * DIR with a leading '+' also gets a copy of the root tree (below): the
 * tree of its own each program of a capos-run batch gets.
 *
 * The environment entry FILESRV_CRASH=BADGE, for test systems, makes a
 * call through a facet with that manifest badge crash the service (an
 * invalid instruction), so that clients and init's restart policy can be
 * tested against a service that dies.
 *
 * With a BootPackage granted as "boot", the service first loads the
 * manifest's rootTree (lib/fs/image.h) into the root directory, charged to
 * the root account.  A tree that does not check or does not fit is
 * refused whole: the service says why and exits without serving, rather
 * than serve part of a tree.
 */
#include "capos.h"

#include "base/mem.h"
#include "clock/clock.h"
#include "fs/handle.h"
#include "fs/image.h"
#include "fs/name.h"
#include "fs/records.h"
#include "fs/tree.h"
#include "manifest/manifest.h"
#include "store/blobs.h"
#include "store/names.h"

#define FILESRV_HANDLES  1024
#define FILESRV_ACCOUNTS 64
#define FILESRV_REALMS   64
#define FILESRV_KEPT     128 /* facets kept to copy (a process holds at most 256 capabilities) */

/* Manifest badges (without FS_BADGE_MINTED) for the Store and for the
 * whole Namespace; every other manifest badge names the root directory. */
#define FILESRV_BADGE_STORE     (1ull << 62)
#define FILESRV_BADGE_NAMESPACE (1ull << 61)

/* What a call acts on: the handle's fields, or a root's. */
struct target {
    enum fs_handle_kind kind;
    struct fs_node *node;   /* FS_H_NODE */
    struct ns_realm *realm; /* FS_H_REALM */
    struct fs_account *acct;
    bool read_only;
};

struct filesrv {
    struct fs_tree tree;
    struct fs_handles handles;
    struct fs_account accounts[FILESRV_ACCOUNTS];
    uint32_t naccounts;
    struct store store;
    struct ns ns;
    struct ns_realm realms[FILESRV_REALMS]; /* [0]: the whole namespace */
    uint32_t nrealms;
    uint32_t endpoint;
    const struct capos_clock_page *clock;
    struct target t; /* of the call being served */
    uint64_t stop_badge;
};

capos_File_SERVER(file, struct filesrv, struct capos_serve_call);
capos_Directory_SERVER(dir, struct filesrv, struct capos_serve_call);
capos_Store_SERVER(blob, struct filesrv, struct capos_serve_call);
capos_Namespace_SERVER(names, struct filesrv, struct capos_serve_call);

static struct filesrv srv;
static struct fs_handle handle_slots[FILESRV_HANDLES];
/* The facets the service keeps to hand out copies of (hand_out_obj): at
 * most FILESRV_KEPT, replaced in turn; slot_kept[slot] is 1 + the entry
 * keeping that badge slot's facet, 0 if none does. */
#define KEPT_NONE UINT32_MAX
static struct kept {
    uint32_t cap; /* KEPT_NONE: unused */
    uint32_t slot;
} kept[FILESRV_KEPT];
static uint32_t kept_hand;
static uint16_t slot_kept[FILESRV_HANDLES];
static struct capos_server server;
static uint64_t result_arena[(CAPOS_MAX_MSG_BYTES) / 8];
static uint8_t io_buf[capos_maxFileIo];
static uint8_t rec_buf[capos_maxDirRecords];
_Static_assert(capos_maxDirList *FS_REC_MAX <= capos_maxDirRecords,
               "a page of records fits Directory.listRecords");

static void *mem_alloc(void *ctx, size_t n)
{
    (void)ctx;
    void *p = malloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

static void mem_free(void *ctx, void *p)
{
    (void)ctx;
    free(p);
}

static uint64_t rdtsc_fn(void *ctx)
{
    uint32_t lo, hi;
    (void)ctx;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

/* Wall-clock nanoseconds for timestamps (0 without a clock). */
static uint64_t now_ns(struct filesrv *s)
{
    uint64_t mono, real;
    if (s->clock && capos_clock_read(s->clock, rdtsc_fn, 0, &mono, &real))
        return real;
    return 0;
}

static int fs_status(enum fs_err e)
{
    switch (e) {
    case FS_OK: return CAPOS_OK;
    case FS_NOT_FOUND: return CAPOS_ERR_NOT_FOUND;
    case FS_EXISTS: return CAPOS_ERR_ALREADY_EXISTS;
    case FS_NOT_EMPTY: return CAPOS_ERR_NOT_EMPTY;
    case FS_NOT_DIR: return CAPOS_ERR_NOT_DIRECTORY;
    case FS_IS_DIR: return CAPOS_ERR_IS_DIRECTORY;
    case FS_QUOTA: return CAPOS_ERR_QUOTA_EXCEEDED;
    case FS_NO_MEMORY: return CAPOS_ERR_NO_MEMORY;
    case FS_TOO_BIG:
    case FS_BAD_NAME:
    case FS_INTO_ITSELF: return CAPOS_ERR_INVALID_ARGUMENT;
    }
    return CAPOS_ERR_INVALID_ARGUMENT;
}

/* Lets go of kept facet k (its clients' copies stay valid). */
static void kept_drop(uint32_t k)
{
    capos_release(kept[k].cap);
    slot_kept[kept[k].slot] = 0;
    kept[k].cap = KEPT_NONE;
}

/* The handle table freed a slot (its object is gone): its kept facet
 * goes too.  Copies the clients hold stay, but their badge names nothing
 * now. */
static void slot_freed(void *ctx, uint32_t index)
{
    (void)ctx;
    if (slot_kept[index]) {
        kept_hand = slot_kept[index] - 1; /* the next facet kept takes its place */
        kept_drop(kept_hand);
    }
}

/* A client facet for `badge` (of slot `slot`) that the service keeps:
 * the one kept already, or a new one minted in place of the one kept
 * longest or of one whose slot was freed last (a process holds at most a
 * few hundred capabilities, the badge table has more slots). */
static int kept_facet(struct filesrv *s, uint64_t badge, uint32_t slot, uint32_t *cap)
{
    if (slot_kept[slot]) {
        *cap = kept[slot_kept[slot] - 1].cap;
        return CAPOS_OK;
    }
    uint32_t k = kept_hand;
    if (kept[k].cap != KEPT_NONE)
        kept_drop(k);
    int err = capos_endpoint_mint(s->endpoint, badge, cap);
    if (err != CAPOS_OK)
        return err;
    kept[k] = (struct kept){.cap = *cap, .slot = slot};
    slot_kept[slot] = k + 1;
    kept_hand = (k + 1) % FILESRV_KEPT;
    return CAPOS_OK;
}

/*
 * A capability for (kind, obj, acct, read_only) into the call's transfer
 * list, for the caller.  The service keeps a client facet for each badge
 * it handed out lately and hands out copies of it: an open costs a copy,
 * not a mint of a new kernel object (and the client's release drops a
 * reference, not the object).  The authority is the badge's either way.
 * Returns the capability's index for the result's Capability field, or an
 * error with nothing handed out.  Each call hands out at most one
 * capability, and after hand_out succeeds nothing fails.
 */
static int hand_out_obj(struct filesrv *s, struct capos_serve_call *call, enum fs_handle_kind kind,
                        void *obj, struct fs_account *acct, bool read_only, uint32_t *index)
{
    uint64_t badge;
    uint32_t cap;
    if (call->nxfer == CAPOS_MAX_XFER)
        return CAPOS_ERR_TOO_MANY_CAPS;
    if (!fs_handle_badge(&s->handles, kind, obj, acct, read_only, &badge))
        return CAPOS_ERR_TABLE_FULL;
    int err = kept_facet(s, badge, fs_handle_index(badge), &cap);
    if (err != CAPOS_OK)
        return err;
    call->xfer[call->nxfer] = (struct capos_xfer){.cap = cap, .mode = CAPOS_XFER_COPY};
    *index = call->nxfer++;
    return CAPOS_OK;
}

static int hand_out(struct filesrv *s, struct capos_serve_call *call, struct fs_node *node,
                    struct fs_account *acct, bool read_only, uint32_t *index)
{
    return hand_out_obj(s, call, FS_H_NODE, node, acct, read_only, index);
}

/* The results of a quota method (Directory's and Store's have the same
 * fields) for account `acct`. */
#define QUOTA_OF(type, acct)                                                                       \
    (type)                                                                                         \
    {                                                                                              \
        .bytesLimit = (acct)->bytes_limit, .bytesUsed = (acct)->bytes_used,                        \
        .entriesLimit = (acct)->entries_limit, .entriesUsed = (acct)->entries_used                 \
    }

/* A capability for (kind, obj) with a new account below the call's and
 * these limits; quotaExceeded if the service has no room for another
 * account (none is taken unless the capability is handed out). */
static int hand_out_limited(struct filesrv *s, struct capos_serve_call *call,
                            enum fs_handle_kind kind, void *obj, uint64_t bytes, uint64_t entries,
                            uint32_t *idx)
{
    if (s->naccounts == FILESRV_ACCOUNTS)
        return CAPOS_ERR_QUOTA_EXCEEDED;
    struct fs_account *acct = &s->accounts[s->naccounts];
    *acct =
        (struct fs_account){.parent = s->t.acct, .bytes_limit = bytes, .entries_limit = entries};
    int err = hand_out_obj(s, call, kind, obj, acct, s->t.read_only, idx);
    if (err == CAPOS_OK)
        s->naccounts++;
    return err;
}

static enum capos_NodeKind kind_of(const struct fs_node *n)
{
    return n->kind == FS_DIR    ? capos_NodeKind_directory
           : n->kind == FS_LINK ? capos_NodeKind_symlink
                                : capos_NodeKind_file;
}

static void stat_node(const struct fs_node *n, bool read_only, capos_Stat_builder b)
{
    capos_Stat_set_kind(b, kind_of(n));
    capos_Stat_set_size(b, n->kind == FS_DIR    ? n->dir.n
                           : n->kind == FS_LINK ? n->link.target_len
                                                : n->data.size);
    capos_Stat_set_mode(b, n->mode);
    capos_Stat_set_atimeNs(b, n->atime_ns);
    capos_Stat_set_mtimeNs(b, n->mtime_ns);
    capos_Stat_set_ctimeNs(b, n->ctime_ns);
    capos_Stat_set_links(b, n->kind == FS_DIR ? 2 + n->dir.subdirs : 1);
    capos_Stat_set_inode(b, n->ino);
    capos_Stat_set_readOnly(b, read_only);
}

static void stat_of(const struct target *t, capos_Stat_builder b)
{
    stat_node(t->node, t->read_only, b);
}

/* setAttr of File and Directory: the fields asked for, ctime now. */
static int set_attr(struct filesrv *s, struct fs_node *n, bool set_mode, uint32_t mode,
                    bool set_atime, uint64_t atime_ns, bool set_mtime, uint64_t mtime_ns)
{
    if (s->t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    if (set_mode)
        n->mode = mode;
    if (set_atime)
        n->atime_ns = atime_ns;
    if (set_mtime)
        n->mtime_ns = mtime_ns;
    n->ctime_ns = now_ns(s);
    return CAPOS_OK;
}

/* ---- File ---- */

static int file_read(struct filesrv *s, struct capos_serve_call *call,
                     const capos_File_read_args *a)
{
    uint32_t n = fs_data_read(&s->t.node->data, a->offset, io_buf, a->count);
    capos_File_read_encode_results(&call->result, &(capos_File_read_results){.data = {io_buf, n}});
    return CAPOS_OK;
}

static int file_write(struct filesrv *s, struct capos_serve_call *call,
                      const capos_File_write_args *a)
{
    struct fs_node *n = s->t.node;
    if (s->t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    enum fs_err e =
        fs_data_write(&n->data, &s->tree.mem, n->acct, a->offset, a->data.ptr, a->data.len);
    if (e == FS_TOO_BIG)
        return capos_rpc_refuse(&call->rpc, capos_File_write_field_offset);
    if (e != FS_OK)
        return fs_status(e);
    n->mtime_ns = n->ctime_ns = now_ns(s);
    capos_File_write_encode_results(&call->result,
                                    &(capos_File_write_results){.count = a->data.len});
    return CAPOS_OK;
}

static int file_size(struct filesrv *s, struct capos_serve_call *call,
                     const capos_File_size_args *a)
{
    (void)a;
    capos_File_size_encode_results(&call->result,
                                   &(capos_File_size_results){.size = s->t.node->data.size});
    return CAPOS_OK;
}

static int file_truncate(struct filesrv *s, struct capos_serve_call *call,
                         const capos_File_truncate_args *a)
{
    struct fs_node *n = s->t.node;
    if (s->t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    enum fs_err e = fs_data_truncate(&n->data, &s->tree.mem, n->acct, a->size);
    if (e == FS_TOO_BIG)
        return capos_rpc_refuse(&call->rpc, capos_File_truncate_field_size);
    if (e != FS_OK)
        return fs_status(e);
    n->mtime_ns = n->ctime_ns = now_ns(s);
    return CAPOS_OK;
}

static int file_sync(struct filesrv *s, struct capos_serve_call *call,
                     const capos_File_sync_args *a)
{
    (void)s, (void)call, (void)a;
    return CAPOS_OK; /* in memory: every write is already where it will stay */
}

static int file_stat(struct filesrv *s, struct capos_serve_call *call,
                     const capos_File_stat_args *a)
{
    (void)a;
    capos_File_stat_Results_builder r = capos_File_stat_encode_results(&call->result, NULL);
    stat_of(&s->t, capos_File_stat_Results_init_stat(r));
    return CAPOS_OK;
}

static int file_setAttr(struct filesrv *s, struct capos_serve_call *call,
                        const capos_File_setAttr_args *a)
{
    (void)call;
    return set_attr(s, s->t.node, a->setMode, a->mode, a->setAtime, a->atimeNs, a->setMtime,
                    a->mtimeNs);
}

static int file_readOnly(struct filesrv *s, struct capos_serve_call *call,
                         const capos_File_readOnly_args *a)
{
    uint32_t idx;
    (void)a;
    int err = hand_out(s, call, s->t.node, s->t.acct, true, &idx);
    if (err != CAPOS_OK)
        return err;
    capos_File_readOnly_encode_results(&call->result, &(capos_File_readOnly_results){.file = idx});
    return CAPOS_OK;
}

/* ---- Directory ---- */

/* Refuses a call whose name argument is not a name, naming the field. */
#define CHECK_NAME(call, text, field)                                                              \
    do {                                                                                           \
        if (!fs_name_valid((text).str, (text).len))                                                \
            return capos_rpc_refuse(&(call)->rpc, field);                                          \
    } while (0)

/* Frees a node taken out of the tree, and every badge naming it. */
static void dispose(struct filesrv *s, struct fs_node *n)
{
    fs_handle_drop(&s->handles, n);
    fs_node_free(&s->tree, n);
}

static int dir_open(struct filesrv *s, struct capos_serve_call *call,
                    const capos_Directory_open_args *a)
{
    CHECK_NAME(call, a->name, capos_Directory_open_field_name);
    bool ro = s->t.read_only || a->readOnly;
    struct fs_node *n = fs_dir_lookup(s->t.node, a->name.str, a->name.len);
    if (n && a->create && a->exclusive)
        return CAPOS_ERR_ALREADY_EXISTS;
    if (!n && !a->create)
        return CAPOS_ERR_NOT_FOUND;
    if (!n || (a->truncate && n->kind == FS_FILE && n->data.size)) {
        if (s->t.read_only)
            return CAPOS_ERR_NOT_PERMITTED;
    }
    if (n && n->kind == FS_LINK) {
        /* The client resolves links: it learns what the entry is, and gets
         * no capability. */
        capos_Directory_open_encode_results(
            &call->result, &(capos_Directory_open_results){
                               .file = CAPNP_NO_CAP, .directory = CAPNP_NO_CAP, .symlink = true});
        return CAPOS_OK;
    }
    if (n && n->kind == FS_FILE && a->directory)
        return CAPOS_ERR_NOT_DIRECTORY;
    bool created = !n;
    if (!n) {
        if (a->directory)
            return CAPOS_ERR_NOT_FOUND; /* open makes files; mkdir makes directories */
        enum fs_err e = fs_dir_create(&s->tree, s->t.node, a->name.str, a->name.len, FS_FILE,
                                      a->mode, s->t.acct, now_ns(s), &n);
        if (e != FS_OK)
            return fs_status(e);
    } else if (a->truncate && n->kind == FS_FILE && n->data.size) {
        fs_data_truncate(&n->data, &s->tree.mem, n->acct, 0);
        n->mtime_ns = n->ctime_ns = now_ns(s);
    }
    uint32_t idx;
    int err = hand_out(s, call, n, s->t.acct, ro, &idx);
    if (err != CAPOS_OK) {
        /* A failed open creates nothing. */
        if (created &&
            fs_dir_unlink(&s->tree, s->t.node, n->name, n->name_len, n->ctime_ns, &n) == FS_OK)
            dispose(s, n);
        return err;
    }
    capos_Directory_open_results r = {.file = CAPNP_NO_CAP, .directory = CAPNP_NO_CAP};
    if (n->kind == FS_DIR)
        r.directory = idx;
    else
        r.file = idx;
    capos_Directory_open_encode_results(&call->result, &r);
    return CAPOS_OK;
}

static int dir_list(struct filesrv *s, struct capos_serve_call *call,
                    const capos_Directory_list_args *a)
{
    const struct fs_node *d = s->t.node;
    uint32_t i = fs_dir_seek(d, a->cursor), n = d->dir.n - i;
    if (n > a->max)
        n = a->max;
    bool end = i + n == d->dir.n;
    uint64_t next = end ? d->dir.next_seq : d->dir.ents[i + n]->seq;
    capos_Directory_list_Results_builder r = capos_Directory_list_encode_results(
        &call->result, &(capos_Directory_list_results){.next = next, .end = end});
    capos_DirEntry_builder_list l = capos_Directory_list_Results_init_entries(r, n);
    for (uint32_t k = 0; k < n; k++) {
        const struct fs_node *e = d->dir.ents[i + k];
        capos_DirEntry_builder b = capos_DirEntry_list_at(l, k);
        capos_DirEntry_set_name(b, e->name, e->name_len);
        capos_DirEntry_set_kind(b, kind_of(e));
        capos_DirEntry_set_inode(b, e->ino);
        capos_DirEntry_set_next(b, e->seq + 1);
    }
    return CAPOS_OK;
}

static int dir_listRecords(struct filesrv *s, struct capos_serve_call *call,
                           const capos_Directory_listRecords_args *a)
{
    const struct fs_node *d = s->t.node;
    uint32_t i = fs_dir_seek(d, a->cursor), n = d->dir.n - i;
    size_t used = 0;
    if (n > a->max)
        n = a->max;
    bool end = i + n == d->dir.n;
    uint64_t next = end ? d->dir.next_seq : d->dir.ents[i + n]->seq;
    for (uint32_t k = 0; k < n; k++) {
        const struct fs_node *e = d->dir.ents[i + k];
        /* Fits: at most maxDirList records of at most FS_REC_MAX bytes. */
        fs_rec_put(rec_buf, sizeof(rec_buf), &used,
                   &(struct fs_rec){.ino = e->ino,
                                    .next = e->seq + 1,
                                    .kind = (enum fs_rec_kind)kind_of(e),
                                    .name = e->name,
                                    .name_len = e->name_len});
    }
    capos_Directory_listRecords_encode_results(
        &call->result, &(capos_Directory_listRecords_results){
                           .records = {rec_buf, (uint32_t)used}, .next = next, .end = end});
    return CAPOS_OK;
}

static int dir_mkdir(struct filesrv *s, struct capos_serve_call *call,
                     const capos_Directory_mkdir_args *a)
{
    struct fs_node *n;
    CHECK_NAME(call, a->name, capos_Directory_mkdir_field_name);
    if (s->t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    return fs_status(fs_dir_create(&s->tree, s->t.node, a->name.str, a->name.len, FS_DIR, a->mode,
                                   s->t.acct, now_ns(s), &n));
}

static int dir_remove(struct filesrv *s, struct capos_serve_call *call,
                      const capos_Directory_remove_args *a)
{
    struct fs_node *n;
    CHECK_NAME(call, a->name, capos_Directory_remove_field_name);
    if (s->t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    enum fs_err e = fs_dir_unlink(&s->tree, s->t.node, a->name.str, a->name.len, now_ns(s), &n);
    if (e != FS_OK)
        return fs_status(e);
    dispose(s, n);
    return CAPOS_OK;
}

/* What the badge of a call (or of a capability a caller passed back)
 * names, in t; notFound if that node was removed. */
static int target_of(struct filesrv *s, uint64_t badge, struct target *t)
{
    if (badge & FS_BADGE_MINTED) {
        const struct fs_handle *h = fs_handle_get(&s->handles, badge);
        if (!h)
            return CAPOS_ERR_NOT_FOUND; /* its node was removed */
        *t = (struct target){.kind = h->kind, .acct = h->acct, .read_only = h->read_only};
        if (h->kind == FS_H_NODE)
            t->node = h->obj;
        else if (h->kind == FS_H_REALM)
            t->realm = h->obj;
    } else if (badge == FILESRV_BADGE_STORE) {
        *t = (struct target){.kind = FS_H_STORE, .acct = &s->accounts[0]};
    } else if (badge == FILESRV_BADGE_NAMESPACE) {
        *t = (struct target){.kind = FS_H_REALM, .realm = &s->realms[0], .acct = &s->accounts[0]};
    } else {
        *t = (struct target){.kind = FS_H_NODE, .node = s->tree.root, .acct = &s->accounts[0]};
    }
    return CAPOS_OK;
}

/* The directory a move's toDir names: one of this service's, through a
 * writable capability charging the same account as the call's own (what
 * moves stays charged where it is, so two quotas must not be mixed). */
static int rename_destination(struct filesrv *s, uint32_t cap, struct fs_node **dir)
{
    uint64_t badge;
    struct target t;
    int err = capos_endpoint_identify(s->endpoint, cap, &badge);
    if (err == CAPOS_OK)
        err = target_of(s, badge, &t);
    if (err != CAPOS_OK)
        return err;
    if (t.kind != FS_H_NODE || t.node->kind != FS_DIR)
        return CAPOS_ERR_NOT_DIRECTORY;
    if (t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    if (t.acct != s->t.acct)
        return CAPOS_ERR_CROSS_SERVICE;
    *dir = t.node;
    return CAPOS_OK;
}

static int dir_rename(struct filesrv *s, struct capos_serve_call *call,
                      const capos_Directory_rename_args *a)
{
    struct fs_node *old;
    CHECK_NAME(call, a->from, capos_Directory_rename_field_from);
    CHECK_NAME(call, a->to, capos_Directory_rename_field_to);
    if (s->t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    enum fs_err e = fs_dir_rename(&s->tree, s->t.node, a->from.str, a->from.len, s->t.node,
                                  a->to.str, a->to.len, now_ns(s), &old);
    if (e != FS_OK)
        return fs_status(e);
    if (old)
        dispose(s, old);
    return CAPOS_OK;
}

static int dir_move(struct filesrv *s, struct capos_serve_call *call,
                    const capos_Directory_move_args *a)
{
    struct fs_node *old, *to_dir = NULL;
    /* The decoder refuses a null toDir ($C.required); checked again here,
     * as an index past the call's capabilities would read past caps[]. */
    if (a->toDir >= call->rpc.ncaps)
        return capos_rpc_refuse(&call->rpc, capos_Directory_move_field_toDir);
    /* toDir is only looked at: the caller keeps its own copy. */
    int err = rename_destination(s, call->caps[a->toDir], &to_dir);
    capos_release(call->caps[a->toDir]);
    if (err != CAPOS_OK)
        return err;
    CHECK_NAME(call, a->from, capos_Directory_move_field_from);
    CHECK_NAME(call, a->to, capos_Directory_move_field_to);
    if (s->t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    enum fs_err e = fs_dir_rename(&s->tree, s->t.node, a->from.str, a->from.len, to_dir, a->to.str,
                                  a->to.len, now_ns(s), &old);
    if (e == FS_INTO_ITSELF)
        return capos_rpc_refuse(&call->rpc, capos_Directory_move_field_toDir);
    if (e != FS_OK)
        return fs_status(e);
    if (old)
        dispose(s, old);
    return CAPOS_OK;
}

static int dir_stat(struct filesrv *s, struct capos_serve_call *call,
                    const capos_Directory_stat_args *a)
{
    (void)a;
    capos_Directory_stat_Results_builder r =
        capos_Directory_stat_encode_results(&call->result, NULL);
    stat_of(&s->t, capos_Directory_stat_Results_init_stat(r));
    return CAPOS_OK;
}

static int dir_sub(struct filesrv *s, struct capos_serve_call *call,
                   const capos_Directory_sub_args *a)
{
    uint32_t idx;
    CHECK_NAME(call, a->name, capos_Directory_sub_field_name);
    struct fs_node *n = fs_dir_lookup(s->t.node, a->name.str, a->name.len);
    if (!n)
        return CAPOS_ERR_NOT_FOUND;
    if (n->kind != FS_DIR)
        return CAPOS_ERR_NOT_DIRECTORY;
    int err = hand_out(s, call, n, s->t.acct, s->t.read_only, &idx);
    if (err != CAPOS_OK)
        return err;
    capos_Directory_sub_encode_results(&call->result,
                                       &(capos_Directory_sub_results){.directory = idx});
    return CAPOS_OK;
}

static int dir_readOnly(struct filesrv *s, struct capos_serve_call *call,
                        const capos_Directory_readOnly_args *a)
{
    uint32_t idx;
    (void)a;
    int err = hand_out(s, call, s->t.node, s->t.acct, true, &idx);
    if (err != CAPOS_OK)
        return err;
    capos_Directory_readOnly_encode_results(&call->result,
                                            &(capos_Directory_readOnly_results){.directory = idx});
    return CAPOS_OK;
}

static int dir_limit(struct filesrv *s, struct capos_serve_call *call,
                     const capos_Directory_limit_args *a)
{
    uint32_t idx;
    int err = hand_out_limited(s, call, FS_H_NODE, s->t.node, a->bytes, a->entries, &idx);
    if (err != CAPOS_OK)
        return err;
    capos_Directory_limit_encode_results(&call->result,
                                         &(capos_Directory_limit_results){.directory = idx});
    return CAPOS_OK;
}

static int dir_quota(struct filesrv *s, struct capos_serve_call *call,
                     const capos_Directory_quota_args *a)
{
    (void)a;
    capos_Directory_quota_encode_results(&call->result,
                                         &QUOTA_OF(capos_Directory_quota_results, s->t.acct));
    return CAPOS_OK;
}

static int dir_symlink(struct filesrv *s, struct capos_serve_call *call,
                       const capos_Directory_symlink_args *a)
{
    CHECK_NAME(call, a->name, capos_Directory_symlink_field_name);
    if (strnlen(a->target.str, a->target.len) != a->target.len)
        return capos_rpc_refuse(&call->rpc, capos_Directory_symlink_field_target);
    if (s->t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    return fs_status(fs_dir_symlink(&s->tree, s->t.node, a->name.str, a->name.len, a->target.str,
                                    a->target.len, s->t.acct, now_ns(s)));
}

static int dir_lstat(struct filesrv *s, struct capos_serve_call *call,
                     const capos_Directory_lstat_args *a)
{
    CHECK_NAME(call, a->name, capos_Directory_lstat_field_name);
    const struct fs_node *n = fs_dir_lookup(s->t.node, a->name.str, a->name.len);
    if (!n)
        return CAPOS_ERR_NOT_FOUND;
    capos_Directory_lstat_Results_builder b =
        capos_Directory_lstat_encode_results(&call->result, NULL);
    if (n->kind == FS_LINK &&
        capos_Directory_lstat_Results_set_target(b, n->link.target, n->link.target_len) != CAPNP_OK)
        return CAPOS_ERR_RESULT_TOO_LARGE;
    stat_node(n, s->t.read_only, capos_Directory_lstat_Results_init_stat(b));
    return CAPOS_OK;
}

static int dir_setAttr(struct filesrv *s, struct capos_serve_call *call,
                       const capos_Directory_setAttr_args *a)
{
    CHECK_NAME(call, a->name, capos_Directory_setAttr_field_name);
    struct fs_node *n = fs_dir_lookup(s->t.node, a->name.str, a->name.len);
    if (!n)
        return CAPOS_ERR_NOT_FOUND;
    return set_attr(s, n, a->setMode, a->mode, a->setAtime, a->atimeNs, a->setMtime, a->mtimeNs);
}

/* ---- Store ---- */

/* Refuses a call whose hash argument is not hashBytes long, naming the field. */
#define CHECK_HASH(call, data, field)                                                              \
    do {                                                                                           \
        if ((data).len != SHA256_DIGEST)                                                           \
            return capos_rpc_refuse(&(call)->rpc, field);                                          \
    } while (0)

static int blob_put(struct filesrv *s, struct capos_serve_call *call, const capos_Store_put_args *a)
{
    uint8_t hash[SHA256_DIGEST];
    enum fs_err e = store_put(&s->store, s->t.acct, a->data.ptr, a->data.len, hash);
    if (e != FS_OK)
        return fs_status(e);
    capos_Store_put_encode_results(&call->result,
                                   &(capos_Store_put_results){.hash = {hash, SHA256_DIGEST}});
    return CAPOS_OK;
}

static int blob_get(struct filesrv *s, struct capos_serve_call *call, const capos_Store_get_args *a)
{
    CHECK_HASH(call, a->hash, capos_Store_get_field_hash);
    const struct store_blob *b = store_get(&s->store, a->hash.ptr);
    if (!b)
        return CAPOS_ERR_NOT_FOUND;
    capos_Store_get_encode_results(&call->result,
                                   &(capos_Store_get_results){.data = {b->data, b->len}});
    return CAPOS_OK;
}

static int blob_has(struct filesrv *s, struct capos_serve_call *call, const capos_Store_has_args *a)
{
    CHECK_HASH(call, a->hash, capos_Store_has_field_hash);
    capos_Store_has_encode_results(
        &call->result,
        &(capos_Store_has_results){.present = store_get(&s->store, a->hash.ptr) != NULL});
    return CAPOS_OK;
}

static int blob_limit(struct filesrv *s, struct capos_serve_call *call,
                      const capos_Store_limit_args *a)
{
    uint32_t idx;
    int err = hand_out_limited(s, call, FS_H_STORE, &s->store, a->bytes, a->entries, &idx);
    if (err != CAPOS_OK)
        return err;
    capos_Store_limit_encode_results(&call->result, &(capos_Store_limit_results){.store = idx});
    return CAPOS_OK;
}

static int blob_quota(struct filesrv *s, struct capos_serve_call *call,
                      const capos_Store_quota_args *a)
{
    (void)a;
    capos_Store_quota_encode_results(&call->result,
                                     &QUOTA_OF(capos_Store_quota_results, s->t.acct));
    return CAPOS_OK;
}

/* ---- Namespace ---- */

static int names_bind(struct filesrv *s, struct capos_serve_call *call,
                      const capos_Namespace_bind_args *a)
{
    CHECK_HASH(call, a->hash, capos_Namespace_bind_field_hash);
    if (s->t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    enum fs_err e = ns_bind(&s->ns, s->t.realm, a->name.str, a->name.len, a->hash.ptr, s->t.acct);
    if (e == FS_BAD_NAME)
        return capos_rpc_refuse(&call->rpc, capos_Namespace_bind_field_name);
    return fs_status(e);
}

static int names_resolve(struct filesrv *s, struct capos_serve_call *call,
                         const capos_Namespace_resolve_args *a)
{
    CHECK_NAME(call, a->name, capos_Namespace_resolve_field_name);
    const struct ns_binding *b = ns_resolve(&s->ns, s->t.realm, a->name.str, a->name.len);
    if (!b)
        return CAPOS_ERR_NOT_FOUND;
    capos_Namespace_resolve_encode_results(
        &call->result, &(capos_Namespace_resolve_results){.hash = {b->hash, SHA256_DIGEST}});
    return CAPOS_OK;
}

static int names_list(struct filesrv *s, struct capos_serve_call *call,
                      const capos_Namespace_list_args *a)
{
    static const struct ns_binding *page[capos_maxDirList];
    const struct ns_realm *r = s->t.realm;
    uint32_t n;
    uint64_t next;
    bool end;
    ns_list(&s->ns, r, a->cursor, a->max, page, &n, &next, &end);
    capos_Namespace_list_Results_builder res = capos_Namespace_list_encode_results(
        &call->result, &(capos_Namespace_list_results){.next = next, .end = end});
    capos_NameBinding_builder_list l = capos_Namespace_list_Results_init_bindings(res, n);
    for (uint32_t k = 0; k < n; k++) {
        capos_NameBinding_builder b = capos_NameBinding_list_at(l, k);
        capos_NameBinding_set_name(b, page[k]->name + r->len, page[k]->len - r->len);
        capos_NameBinding_set_hash(b, page[k]->hash, SHA256_DIGEST);
    }
    return CAPOS_OK;
}

static int names_unbind(struct filesrv *s, struct capos_serve_call *call,
                        const capos_Namespace_unbind_args *a)
{
    CHECK_NAME(call, a->name, capos_Namespace_unbind_field_name);
    if (s->t.read_only)
        return CAPOS_ERR_NOT_PERMITTED;
    enum fs_err e = ns_unbind(&s->ns, s->t.realm, a->name.str, a->name.len);
    if (e == FS_BAD_NAME)
        return capos_rpc_refuse(&call->rpc, capos_Namespace_unbind_field_name);
    return fs_status(e);
}

/* The realm slot holding `r`'s prefix, taken if there is none; NULL if
 * the table is full.  Realms are never freed: capabilities may name them
 * for the service's life. */
static struct ns_realm *realm_intern(struct filesrv *s, const struct ns_realm *r)
{
    for (uint32_t i = 0; i < s->nrealms; i++) {
        if (s->realms[i].len == r->len && memcmp(s->realms[i].prefix, r->prefix, r->len) == 0)
            return &s->realms[i];
    }
    if (s->nrealms == FILESRV_REALMS)
        return NULL;
    s->realms[s->nrealms] = *r;
    return &s->realms[s->nrealms++];
}

static int names_sub(struct filesrv *s, struct capos_serve_call *call,
                     const capos_Namespace_sub_args *a)
{
    struct ns_realm narrower;
    uint32_t idx;
    if (ns_realm_sub(s->t.realm, a->prefix.str, a->prefix.len, &narrower) != FS_OK)
        return capos_rpc_refuse(&call->rpc, capos_Namespace_sub_field_prefix);
    struct ns_realm *r = realm_intern(s, &narrower);
    if (!r)
        return CAPOS_ERR_TABLE_FULL;
    int err = hand_out_obj(s, call, FS_H_REALM, r, s->t.acct, s->t.read_only, &idx);
    if (err != CAPOS_OK)
        return err;
    capos_Namespace_sub_encode_results(&call->result,
                                       &(capos_Namespace_sub_results){.namespace = idx});
    return CAPOS_OK;
}

static int names_readOnly(struct filesrv *s, struct capos_serve_call *call,
                          const capos_Namespace_readOnly_args *a)
{
    uint32_t idx;
    (void)a;
    int err = hand_out_obj(s, call, FS_H_REALM, s->t.realm, s->t.acct, true, &idx);
    if (err != CAPOS_OK)
        return err;
    capos_Namespace_readOnly_encode_results(&call->result,
                                            &(capos_Namespace_readOnly_results){.namespace = idx});
    return CAPOS_OK;
}

/* One call: find what its badge names, then the dispatch of that kind. */
static int serve(struct filesrv *s, struct capos_serve_call *call)
{
    int err = target_of(s, call->badge, &s->t);
    if (err != CAPOS_OK)
        return err;
    if (s->t.kind == FS_H_STORE)
        return blob_dispatch(s, call);
    if (s->t.kind == FS_H_REALM)
        return names_dispatch(s, call);
    if (s->t.node->kind == FS_DIR)
        return dir_dispatch(s, call);
    return file_dispatch(s, call);
}

/* Makes the directory `path` ('/'-separated names below the root) and the
 * ones above it that are missing; false if a name is bad or a node in the
 * way is a file.  *out is the directory. */
static bool make_path(struct filesrv *s, const char *path, struct fs_node **out)
{
    struct fs_node *d = s->tree.root;
    while (*path) {
        const char *end = path;
        while (*end && *end != '/')
            end++;
        uint32_t len = (uint32_t)(end - path);
        if (len) {
            struct fs_node *n = fs_dir_lookup(d, path, len);
            if (!n && fs_dir_create(&s->tree, d, path, len, FS_DIR, *end ? 0755 : 01777,
                                    &s->accounts[0], now_ns(s), &n) != FS_OK)
                return false;
            if (n->kind != FS_DIR)
                return false;
            d = n;
        }
        path = *end ? end + 1 : end;
    }
    *out = d;
    return true;
}

static uint64_t parse_u64(const char *p, uint64_t dflt)
{
    uint64_t v = 0;
    if (!p || *p < '0' || *p > '9')
        return dflt;
    for (; *p >= '0' && *p <= '9'; p++)
        v = v * 10 + (uint64_t)(*p - '0');
    return v;
}

static uint8_t *tree_image; /* the root tree's image, for good once loaded */

/* Loads the manifest's rootTree into the root directory, and a copy of
 * it into each directory argv names with a leading '+' (made first; it
 * must be empty); false after saying why not.  The manifest is read whole
 * (it is one message) and freed once the trees are built; the tree's
 * image is kept, since the loaded files borrow their contents from it. */
static bool load_root_tree(struct filesrv *s, uint32_t boot, int argc, char **argv)
{
    uint64_t size;
    char why[160];
    if (capos_boot_size(boot, &size) != CAPOS_OK || size == 0 || size > (64u << 20)) {
        capos_printf("filesrv: cannot read the boot manifest\n");
        return false;
    }
    uint8_t *buf = malloc(size);
    if (!buf) {
        capos_printf("filesrv: no memory for the boot manifest (%lu bytes)\n", (unsigned long)size);
        return false;
    }
    for (uint64_t off = 0; off < size;) {
        uint32_t got;
        if (capos_boot_read(boot, off, buf + off, capos_maxBootRead, &got) != CAPOS_OK ||
            got == 0) {
            capos_printf("filesrv: cannot read the boot manifest\n");
            free(buf);
            return false;
        }
        off += got;
    }
    struct manifest m;
    bool ok = false;
    if (manifest_open(&m, buf, size) != MANIFEST_OK) {
        capos_printf("filesrv: the boot manifest does not parse\n");
    } else {
        struct capnp_data img = capos_SystemManifest_get_rootTree(m.root);
        struct fs_image_limits lim = fs_image_default_limits();
        struct fs_image_summary sum;
        if (capnp_reader_error(&m.rd) != CAPNP_OK) {
            capos_printf("filesrv: the boot manifest does not parse\n");
        } else if (img.len == 0) {
            ok = true; /* no tree: an empty root */
        } else if (!(tree_image = malloc(img.len))) {
            capos_printf("filesrv: no memory for the root tree (%lu bytes)\n",
                         (unsigned long)img.len);
        } else {
            /* The files of every copy of the tree read their contents in
             * this one copy of the image until they change (data.h), so it
             * is kept for the service's life. */
            memcpy(tree_image, img.ptr, img.len);
            img.ptr = tree_image;
            lim.max_bytes = lim.max_file_bytes = s->accounts[0].bytes_limit;
            lim.max_entries = s->accounts[0].entries_limit > UINT32_MAX
                                  ? UINT32_MAX
                                  : (uint32_t)s->accounts[0].entries_limit;
            enum fs_image_err e =
                fs_image_load(&s->tree, s->tree.root, &s->accounts[0], img.ptr, img.len, &lim, true,
                              now_ns(s), &sum, why, sizeof(why));
            if (e != FS_IMAGE_OK) {
                capos_printf("filesrv: root tree refused: %s: %s\n", fs_image_strerror(e), why);
            } else {
                capos_printf("filesrv: root tree: %u directories, %u files, %lu bytes, %u links\n",
                             (unsigned)sum.dirs, (unsigned)sum.files, (unsigned long)sum.bytes,
                             (unsigned)sum.links);
                ok = true;
            }
            for (int i = 4; ok && i < argc; i++) {
                struct fs_node *d;
                if (argv[i][0] != '+')
                    continue;
                if (!make_path(s, argv[i] + 1, &d)) {
                    capos_printf("filesrv: cannot make the directory %s\n", argv[i] + 1);
                    ok = false;
                    break;
                }
                e = fs_image_load(&s->tree, d, &s->accounts[0], img.ptr, img.len, &lim, true,
                                  now_ns(s), &sum, why, sizeof(why));
                if (e != FS_IMAGE_OK) {
                    capos_printf("filesrv: root tree refused in %s: %s: %s\n", argv[i] + 1,
                                 fs_image_strerror(e), why);
                    ok = false;
                }
            }
        }
    }
    free(buf);
    return ok;
}

/* The epoch of this run's badges (lib/fs/handle.h): from the EntropySource
 * if granted one, else from the time stamp counter, so that a restarted
 * service does not take the badges its earlier run handed out for its
 * own. */
static uint32_t run_epoch(void)
{
    uint32_t e, v;
    if (capos_capset_find("entropy", capos_EntropySource_INTERFACE_ID, &e) == CAPOS_OK &&
        capos_entropy_fill(e, &v, sizeof(v)) == CAPOS_OK)
        return v;
    uint64_t t = rdtsc_fn(NULL);
    return (uint32_t)(t ^ t >> 20 ^ t >> 40);
}

/* A test system's crash badge (the environment's FILESRV_CRASH=BADGE; 0:
 * none): a call through a facet with it makes the service die on an
 * invalid instruction, without answering, as a crash would. */
static uint64_t crash_badge(void)
{
    static const char key[] = "FILESRV_CRASH=";
    for (char **e = capos_environ(); e && *e; e++) {
        if (strncmp(*e, key, sizeof(key) - 1) == 0)
            return parse_u64(*e + sizeof(key) - 1, 0);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct filesrv *s = &srv;
    uint32_t timer;
    char why[64];
    if (capos_capset_find("files", capos_Endpoint_INTERFACE_ID, &s->endpoint) != CAPOS_OK)
        return 1;
    if (capos_capset_find("timer", capos_Timer_INTERFACE_ID, &timer) == CAPOS_OK) {
        capos_Timer_mapClock_results m;
        if (capos_Timer_mapClock_call(timer, NULL, &m, NULL) == CAPOS_OK)
            s->clock = (const struct capos_clock_page *)(uintptr_t)m.addr;
    }
    s->accounts[0] = (struct fs_account){
        .bytes_limit = parse_u64(argc > 1 ? argv[1] : NULL, 16u << 20),
        .entries_limit = parse_u64(argc > 2 ? argv[2] : NULL, 4096),
    };
    s->stop_badge = parse_u64(argc > 3 ? argv[3] : NULL, 0);
    s->naccounts = 1;
    s->handles =
        (struct fs_handles){.h = handle_slots, .n = FILESRV_HANDLES, .on_free = slot_freed};
    s->handles.epoch = run_epoch();
    for (uint32_t k = 0; k < FILESRV_KEPT; k++)
        kept[k].cap = KEPT_NONE;
    uint64_t crash = crash_badge();
    struct fs_mem mem = {.alloc = mem_alloc, .free = mem_free};
    if (fs_tree_init(&s->tree, &mem, &s->accounts[0], now_ns(s)) != FS_OK)
        return 1;
    uint32_t boot;
    if (capos_capset_find("boot", capos_BootPackage_INTERFACE_ID, &boot) == CAPOS_OK) {
        bool loaded = load_root_tree(s, boot, argc, argv);
        capos_release(boot);
        if (!loaded)
            return 1;
    }
    store_init(&s->store, &mem);
    ns_init(&s->ns, &mem, &s->store);
    s->nrealms = 1; /* the empty prefix */
    for (int i = 4; i < argc; i++) {
        const char *path = argv[i] + (argv[i][0] == '+');
        struct fs_node *d;
        if (!make_path(s, path, &d))
            capos_printf("filesrv: cannot make the directory %s\n", path);
    }
    capos_server_init(&server, s->endpoint);
    capos_server_result_arena(&server, result_arena, sizeof(result_arena));
    capos_printf("filesrv: serving, %lu bytes and %lu entries\n",
                 (unsigned long)s->accounts[0].bytes_limit,
                 (unsigned long)s->accounts[0].entries_limit);
    int status = CAPOS_OK;
    long served = 0, refused = 0;
    while (capos_server_next(&server, status)) {
        if (crash && server.call.badge == crash) {
            capos_printf("filesrv: crashing, as the crash badge asks\n");
            __builtin_trap();
        }
        status = serve(s, &server.call);
        served++;
        if (server.call.rpc.detail) {
            refused++;
            capos_printf("filesrv: refused a call: %s\n",
                         capos_detail_name(why, sizeof(why), server.call.rpc.detail,
                                           server.call.rpc.interface_id, server.call.rpc.method));
        }
        if (s->stop_badge && server.call.badge == s->stop_badge) {
            capos_server_reply(&server, status);
            break;
        }
    }
    capos_printf("filesrv: served %ld calls, refused %ld; %lu entries and %lu bytes held\n", served,
                 refused, (unsigned long)s->accounts[0].entries_used,
                 (unsigned long)s->accounts[0].bytes_used);
    return 0;
}
