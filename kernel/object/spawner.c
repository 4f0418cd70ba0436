/*
 * ProcessSpawner objects: starting processes from the manifest's binaries
 * (spawn) or from an ELF image in the caller's memory (spawnImage), and
 * replacing the caller's own program with such an image (exec, whose
 * work is exec.c's).
 *
 * The kernel gives init the one unrestricted spawner.  An unrestricted
 * spawner may start any binary or image and may create kernel objects for
 * the child (SpawnGrant.kernel); a restricted launcher (made with
 * restrict()) may start only the binaries on its list, never an image, and
 * may only pass on capabilities its caller transfers, never mint kernel
 * objects.  A child receives exactly the grants of the call; nothing is
 * inherited.
 *
 * spawnImage copies the caller's bytes once, 64 KiB between interrupt
 * windows, into contiguous frames charged to the child's ledger (at most
 * maxSpawnImage bytes), and everything after reads that copy alone: the
 * ELF checks and the loading cannot be raced by the caller rewriting its
 * memory.  The copy is freed once the child has its own pages (a private
 * copy of every page: only manifest binaries share read-only pages).
 *
 * The generated dispatch (capos_ProcessSpawner_SERVER) has decoded and
 * checked the parameters against the schema; spawn then checks what only
 * the spawner can (names, the binary, what this spawner may grant) before
 * anything is created.  The capabilities transferred with the call commit
 * only when the child exists and roll back otherwise.
 *
 * Memory: a child gets a ledger of its own (its memoryLimit, 64 MiB by
 * default) below the ledger of the process that called spawn, whichever
 * spawner it used, so everything a child and its own children make the
 * kernel hold counts against the caller's quota too: a launcher holder
 * cannot exceed its quota through children.  The child's kernel grants are
 * charged to the child's ledger, the ProcessHandle and the spawners and
 * endpoints made by restrict and createEndpoint to the caller's.
 */
#include "base/mem.h"
#include "capos.rpc.h"
#include "fork.h"
#include "mm/kheap.h"
#include "mm/ledger.h"
#include "mm/pmm.h"
#include "msg.h"
#include "objects.h"
#include "process.h"
#include "sched.h"
#include "system.h"
#include "usercopy.h"

#define SPAWN_NAME_MAX (CAPOS_CAPSET_NAME_MAX - 1)

struct spawner {
    struct kobj obj;
    /* Processes started through this object (any copy of the capability)
     * not yet stopped: at most maxSpawnLive (spawner_claim). */
    uint32_t live;
    bool restricted;
    uint32_t nallowed;
    char (*allowed)[CAPOS_CAPSET_NAME_MAX];
};

struct kobj *spawner_create(struct ledger *l, bool restricted, uint32_t nallowed, int *err)
{
    struct spawner *s = kobj_alloc(l, sizeof(*s), KOBJ_PROCESS_SPAWNER, err);
    if (!s)
        return NULL;
    if (nallowed) {
        s->allowed = kheap_alloc(l, (size_t)nallowed * CAPOS_CAPSET_NAME_MAX, true, err);
        if (!s->allowed) {
            kfree(s);
            return NULL;
        }
    }
    s->restricted = restricted;
    s->nallowed = nallowed;
    return &s->obj;
}

void spawner_destroy(struct kobj *o)
{
    struct spawner *s = (struct spawner *)o;
    kfree(s->allowed);
    kfree(s);
}

/* A place among the spawner's live processes, before anything is made;
 * false (exhausted) when they are maxSpawnLive already. */
static bool spawner_claim(struct spawner *s)
{
    if (__atomic_add_fetch(&s->live, 1, __ATOMIC_RELAXED) <= capos_maxSpawnLive)
        return true;
    __atomic_sub_fetch(&s->live, 1, __ATOMIC_RELAXED);
    return false;
}

static void spawner_unclaim(struct spawner *s)
{
    __atomic_sub_fetch(&s->live, 1, __ATOMIC_RELAXED);
}

void spawner_child_gone(struct kobj *o)
{
    spawner_unclaim((struct spawner *)o);
    kobj_put(o);
}

/* The child counts in s's live processes until it stops (process_stop
 * gives the place back).  It may have stopped already: then at once. */
static void spawner_adopt(struct spawner *s, struct process *child)
{
    spin_lock(&child->lock);
    bool alive = child->state == PROCESS_ALIVE;
    if (alive) {
        kobj_get(&s->obj);
        child->spawner = &s->obj;
    }
    spin_unlock(&child->lock);
    if (!alive)
        spawner_unclaim(s);
}

/* A name fits a CapSet field and is printable ASCII without spaces. */
static bool spawn_name_ok(struct capnp_text t)
{
    if (t.len == 0 || t.len > SPAWN_NAME_MAX)
        return false;
    for (uint32_t i = 0; i < t.len; i++) {
        if (t.str[i] <= ' ' || t.str[i] > '~')
            return false;
    }
    return true;
}

static bool spawn_allowed(const struct spawner *s, struct capnp_text bin)
{
    if (!s->restricted)
        return true;
    for (uint32_t i = 0; i < s->nallowed; i++) {
        if (strlen(s->allowed[i]) == bin.len && memcmp(s->allowed[i], bin.str, bin.len) == 0)
            return true;
    }
    return false;
}

/* The binaries a processSpawner grant restricts its launcher to: each a
 * name this system has. */
static bool spawn_binaries_exist(const struct capnp_list *l)
{
    for (uint32_t i = 0; i < l->len; i++) {
        struct capnp_text t = capnp_list_get_text(l, i);
        if (!spawn_name_ok(t) || !system_find_binary(t.str, t.len, NULL, NULL))
            return false;
    }
    return true;
}

/* The KernelCap's kind is one of the schema's and, for a processSpawner,
 * its allowedBinaries exist (spawner_spawn checked both): creating it can
 * fail only for lack of memory. */
struct kobj *kernel_cap_create(struct ledger *l, capos_KernelCap_reader k, uint64_t *interface_id,
                               enum process_bind *bind, int *err)
{
    *bind = PROCESS_BIND_NONE;
    *err = CAPOS_ERR_NO_MEMORY;
    switch (capos_KernelCap_get_kind(k)) {
    case capos_KernelCapKind_console: {
        struct kobj *o = console_port_obj((uint32_t)capos_KernelCap_get_port(k));
        if (!o)
            break; /* an unknown port: invalidArgument */
        *interface_id = capos_Console_INTERFACE_ID;
        return o;
    }
    case capos_KernelCapKind_pipeFactory:
        *interface_id = capos_PipeFactory_INTERFACE_ID;
        return &pipe_factory_obj;
    case capos_KernelCapKind_serialInput:
        *interface_id = capos_SerialInput_INTERFACE_ID;
        return &serial_input_obj;
    case capos_KernelCapKind_timer: *interface_id = capos_Timer_INTERFACE_ID; return &timer_obj;
    case capos_KernelCapKind_entropy:
        *interface_id = capos_EntropySource_INTERFACE_ID;
        return &entropy_obj;
    case capos_KernelCapKind_bootPackage:
        *interface_id = capos_BootPackage_INTERFACE_ID;
        return &bootpkg_obj;
    case capos_KernelCapKind_virtualMemory:
        /* Bound to the new process, which does not exist yet. */
        *interface_id = capos_VirtualMemory_INTERFACE_ID;
        *bind = PROCESS_BIND_MEMORY;
        return NULL;
    case capos_KernelCapKind_threadSpawner:
        *interface_id = capos_ThreadSpawner_INTERFACE_ID;
        *bind = PROCESS_BIND_THREADS;
        return NULL;
    case capos_KernelCapKind_parkSpace:
        *interface_id = capos_ParkSpace_INTERFACE_ID;
        return park_create(l, err);
    case capos_KernelCapKind_schedulingPolicy:
        *interface_id = capos_SchedulingPolicy_INTERFACE_ID;
        return policy_create(l, capos_KernelCap_get_maxWeight(k), capos_KernelCap_get_latency(k),
                             err);
    case capos_KernelCapKind_processSpawner: {
        struct capnp_list al = capos_KernelCap_get_allowedBinaries(k);
        *interface_id = capos_ProcessSpawner_INTERFACE_ID;
        struct spawner *s = (struct spawner *)spawner_create(l, al.len != 0, al.len, err);
        if (!s)
            return NULL;
        for (uint32_t i = 0; i < al.len; i++) {
            struct capnp_text t = capnp_list_get_text(&al, i);
            memcpy(s->allowed[i], t.str, t.len);
        }
        return &s->obj;
    }
    }
    *err = CAPOS_ERR_INVALID_ARGUMENT; /* a kind the switch does not know */
    return NULL;
}

static void spawn_drop(struct process_grant *g, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (g[i].obj)
            kobj_put(g[i].obj);
    }
}

capos_ProcessSpawner_SERVER(spawner, struct spawner, struct call);

int spawner_invoke(struct kobj *o, struct call *c)
{
    return spawner_dispatch((struct spawner *)o, c);
}

/* What spawn and spawnImage have in common: the decoded parameters other
 * than where the image comes from, and the field ids a refusal names
 * (the two methods number their fields differently). */
struct spawn_req {
    struct capnp_text name;
    capos_SpawnGrant_reader_list grants;
    struct capnp_list argv, env;
    uint32_t field_name, field_grants_name, field_grants_cap, field_allowed;
};

/*
 * The checks of a spawn's grants that only the spawner can make (the
 * decoder has checked the rest: the list's length, that each grant is a
 * capability or a kernel object of a known kind, and that every capability
 * sent is named by exactly one grant).  *frame_limit gets the child's
 * memory quota in frames.
 */
static int spawn_check_grants(struct spawner *s, struct call *c, const struct spawn_req *r,
                              uint64_t *frame_limit)
{
    capos_SpawnGrant_reader_list gl = r->grants;
    uint32_t ng = capos_SpawnGrant_list_len(gl);
    for (uint32_t i = 0; i < ng; i++) {
        capos_SpawnGrant_reader g = capos_SpawnGrant_list_get(gl, i);
        struct capnp_text gn = capos_SpawnGrant_get_name(g);
        if (!spawn_name_ok(gn) || (gn.len == sizeof(CAPOS_CAPSET_THREAD) - 1 &&
                                   memcmp(gn.str, CAPOS_CAPSET_THREAD, gn.len) == 0))
            return capos_rpc_refuse(&c->rpc, r->field_grants_name);
        /* CAPOS_CAPSET_THREAD is the kernel's own entry; names are unique. */
        for (uint32_t k = 0; k < i; k++) {
            struct capnp_text o = capos_SpawnGrant_get_name(capos_SpawnGrant_list_get(gl, k));
            if (o.len == gn.len && memcmp(o.str, gn.str, gn.len) == 0)
                return capos_rpc_refuse(&c->rpc, r->field_grants_name);
        }
        /* A capability grant whose pointer is null passes the decoder (the
         * field is optional in the schema) but names nothing sent. */
        if (capos_SpawnGrant_which(g) == capos_SpawnGrant_which_cap &&
            capos_SpawnGrant_get_cap(g) >= c->xfer.n)
            return capos_rpc_refuse(&c->rpc, r->field_grants_cap);
        if (capos_SpawnGrant_which(g) != capos_SpawnGrant_which_kernel)
            continue;
        capos_KernelCap_reader k = capos_SpawnGrant_get_kernel(g);
        if (s->restricted)
            return CAPOS_ERR_NOT_PERMITTED;
        if (capos_KernelCap_get_kind(k) == capos_KernelCapKind_virtualMemory &&
            capos_KernelCap_get_memoryLimit(k))
            *frame_limit = capos_KernelCap_get_memoryLimit(k) / PAGE_SIZE;
        if (capos_KernelCap_get_kind(k) == capos_KernelCapKind_processSpawner) {
            struct capnp_list al = capos_KernelCap_get_allowedBinaries(k);
            /* Each name is looked up in the manifest: the list is bounded
             * (as restrict's is) before any of that work. */
            if (al.len > capos_maxSpawnGrants)
                return capos_rpc_refuse(&c->rpc, r->field_allowed);
            if (!spawn_binaries_exist(&al))
                return CAPOS_ERR_NOT_FOUND;
        }
    }
    return CAPOS_OK;
}

/* Image bytes copied between two interrupt windows (spawn_copy_image). */
#define SPAWN_IMAGE_CHUNK (64 * 1024)

/*
 * spawnImage's image: the caller's `size` bytes at `src`, copied once into
 * contiguous frames charged to the child's ledger `cl`, a chunk at a time
 * with interrupts let in between (at most maxSpawnImage bytes, checked by
 * the caller).  Everything after this reads the copy alone, so the caller
 * changing its memory meanwhile changes nothing.  *pa gets the frames
 * (spawn_free_image gives them back).
 */
static int spawn_copy_image(struct ledger *cl, uint64_t src, uint64_t size, uint64_t *pa)
{
    uint64_t frames = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    if (!user_range_ok(src, size))
        return CAPOS_ERR_BAD_ADDRESS;
    if (!ledger_charge(cl, frames))
        return CAPOS_ERR_QUOTA_EXCEEDED;
    if (!pmm_alloc_run(frames, pa)) {
        ledger_uncharge(cl, frames);
        return CAPOS_ERR_NO_MEMORY;
    }
    uint8_t *dst = phys_to_virt(*pa);
    for (uint64_t off = 0; off < size; off += SPAWN_IMAGE_CHUNK) {
        uint64_t n = MIN(SPAWN_IMAGE_CHUNK, size - off);
        if (off)
            sched_irq_window();
        if (!copy_from_user(dst + off, src + off, n)) {
            pmm_free_frames(*pa, frames);
            ledger_uncharge(cl, frames);
            return CAPOS_ERR_BAD_ADDRESS;
        }
    }
    return CAPOS_OK;
}

/* Frees the frames of the copy at pa that no process took over (taken:
 * a bit per frame; NULL, none was), and uncharges them. */
static void spawn_free_image(struct ledger *cl, uint64_t pa, uint64_t size, const uint8_t *taken)
{
    uint64_t frames = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE, freed = 0;
    if (!taken) {
        pmm_free_frames(pa, frames);
        ledger_uncharge(cl, frames);
        return;
    }
    for (uint64_t i = 0; i < frames; i++) {
        if (!(taken[i / 8] & (1u << (i % 8)))) {
            pmm_free_frame(pa + i * PAGE_SIZE);
            freed++;
        }
    }
    ledger_uncharge(cl, freed);
}

/*
 * A spawn once its image is known: `binary` names a manifest binary, or
 * (binary.len == 0) the image is the caller's `image_size` bytes at
 * `image_src` (spawnImage, whose caller checked the size).
 */
static int spawner_start(struct spawner *s, struct call *c, const struct spawn_req *r,
                         struct capnp_text binary, uint64_t image_src, uint64_t image_size,
                         uint32_t field_image)
{
    capos_SpawnGrant_reader_list gl = r->grants;
    uint32_t ng = capos_SpawnGrant_list_len(gl);
    uint32_t nargv = r->argv.len, nenv = r->env.len;
    const uint8_t *elf = NULL;
    uint64_t elf_len = image_size, image_pa = 0;
    /* A bit per frame of a copied image (spawn_free_image): 16 MiB is
     * 4,096 frames. */
    uint8_t taken[capos_maxSpawnImage / PAGE_SIZE / 8];
    uint64_t frame_limit = PROCESS_DEFAULT_FRAMES;

    /* ---- check ---- */
    if (!spawn_name_ok(r->name))
        return capos_rpc_refuse(&c->rpc, r->field_name);
    if (binary.len) {
        if (!spawn_allowed(s, binary))
            return CAPOS_ERR_NOT_PERMITTED;
        if (!system_find_binary(binary.str, binary.len, &elf, &elf_len))
            return CAPOS_ERR_NOT_FOUND;
    }
    int err = spawn_check_grants(s, c, r, &frame_limit);
    if (err != CAPOS_OK)
        return err;
    /* The result, and room for it, before anything starts: a child that
     * runs is a spawn that succeeded.  Its pid is filled in at the end
     * (the same bytes for both methods' results). */
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_ProcessSpawner_spawn_Results_builder rb = capos_ProcessSpawner_spawn_encode_results(
        &b, &(capos_ProcessSpawner_spawn_results){.handle = 0});
    err = call_result_end(c, &b);
    if (err == CAPOS_OK)
        err = call_result_room(c, 1);
    if (err != CAPOS_OK)
        return err;

    /* ---- act ---- */
    if (!spawner_claim(s))
        return CAPOS_ERR_EXHAUSTED;
    /* The child's ledger, below the caller's, and the caller's handle. */
    struct ledger *cl = ledger_create(c->proc->ledger, frame_limit, &err);
    if (!cl) {
        spawner_unclaim(s);
        return err;
    }
    if (!binary.len) {
        err = spawn_copy_image(cl, image_src, image_size, &image_pa);
        if (err != CAPOS_OK) {
            ledger_put(cl);
            return err;
        }
        elf = phys_to_virt(image_pa);
        memset(taken, 0, sizeof(taken));
    }
    struct kobj *h = process_handle_create(c->proc->ledger, NULL, &err);
    if (!h)
        goto fail_image;
    struct process_grant grants[capos_maxSpawnGrants];
    const char *argv[capos_maxSpawnArgs], *env[capos_maxSpawnArgs];
    for (uint32_t i = 0; i < ng; i++) {
        capos_SpawnGrant_reader g = capos_SpawnGrant_list_get(gl, i);
        grants[i].name = capos_SpawnGrant_get_name(g).str;
        if (capos_SpawnGrant_which(g) == capos_SpawnGrant_which_cap) {
            struct kobj *o = c->xfer.objs[capos_SpawnGrant_get_cap(g)];
            uint64_t iid = kobj_interface_id(o);
            kobj_get(o); /* the child's; the message's stays for commit/rollback */
            grants[i].obj = o;
            grants[i].interface_id = iid ? iid : capos_SpawnGrant_get_interfaceId(g);
            grants[i].bind = PROCESS_BIND_NONE;
        } else {
            capos_KernelCap_reader k = capos_SpawnGrant_get_kernel(g);
            grants[i].obj =
                kernel_cap_create(cl, k, &grants[i].interface_id, &grants[i].bind, &err);
            if (grants[i].bind == PROCESS_BIND_NONE && !grants[i].obj) {
                spawn_drop(grants, i);
                kobj_put(h);
                goto fail_image;
            }
        }
    }
    for (uint32_t i = 0; i < nargv; i++)
        argv[i] = capnp_list_get_text(&r->argv, i).str;
    for (uint32_t i = 0; i < nenv; i++)
        env[i] = capnp_list_get_text(&r->env, i).str;
    char pname[CAPOS_CAPSET_NAME_MAX];
    memcpy(pname, r->name.str, r->name.len);
    pname[r->name.len] = '\0';
    if (nargv == 0)
        argv[0] = pname;
    const char *why;
    bool bad_image;
    /* Only a manifest binary, which the boot module keeps for the
     * machine's life, shares its read-only pages (imagepages.h). */
    struct image_frames frames = {image_pa, taken};
    struct process *child =
        process_create(pname, elf, elf_len, binary.len ? NULL : &frames, &bad_image, grants, ng,
                       argv, nargv ? nargv : 1, env, nenv, cl, &err, &why);
    if (image_pa) /* what the child did not take over */
        spawn_free_image(cl, image_pa, image_size, taken);
    ledger_put(cl); /* the child holds its own reference */
    if (!child) {
        kobj_put(h);
        spawner_unclaim(s);
        /* A bad image is the image field's fault, whatever else it is. */
        if (!binary.len && bad_image)
            return capos_rpc_refuse(&c->rpc, field_image);
        return err; /* process_create dropped the grants */
    }
    /* The child holds its own references; the moves are done. */
    struct xfer_set done = c->xfer;
    xfer_commit(c->proc, &c->xfer);
    cap_drop_all(done.objs, done.n);
    process_handle_bind(h, child);
    spawner_adopt(s, child);
    capos_ProcessSpawner_spawn_Results_set_pid(rb, child->pid);
    process_put(child); /* process_create's; the handle holds its own */
    c->out_caps[c->out_ncaps++] = h;
    return CAPOS_OK;

fail_image:
    if (image_pa)
        spawn_free_image(cl, image_pa, image_size, NULL);
    ledger_put(cl);
    spawner_unclaim(s);
    return err;
}

static int spawner_spawn(struct spawner *s, struct call *c,
                         const capos_ProcessSpawner_spawn_args *a)
{
    const struct spawn_req r = {
        .name = a->name,
        .grants = a->grants,
        .argv = a->argv,
        .env = a->env,
        .field_name = capos_ProcessSpawner_spawn_field_name,
        .field_grants_name = capos_ProcessSpawner_spawn_field_grants_name,
        .field_grants_cap = capos_ProcessSpawner_spawn_field_grants_cap,
        .field_allowed = capos_ProcessSpawner_spawn_field_grants_kernel_allowedBinaries,
    };
    if (!a->binary.len)
        return CAPOS_ERR_NOT_FOUND; /* no binary has an empty name */
    return spawner_start(s, c, &r, a->binary, 0, 0, 0);
}

/* spawnImage: only an unrestricted spawner may start an image of the
 * caller's choosing; a restricted launcher is bounded by its list. */
static int spawner_spawnImage(struct spawner *s, struct call *c,
                              const capos_ProcessSpawner_spawnImage_args *a)
{
    const struct spawn_req r = {
        .name = a->name,
        .grants = a->grants,
        .argv = a->argv,
        .env = a->env,
        .field_name = capos_ProcessSpawner_spawnImage_field_name,
        .field_grants_name = capos_ProcessSpawner_spawnImage_field_grants_name,
        .field_grants_cap = capos_ProcessSpawner_spawnImage_field_grants_cap,
        .field_allowed = capos_ProcessSpawner_spawnImage_field_grants_kernel_allowedBinaries,
    };
    if (s->restricted)
        return CAPOS_ERR_NOT_PERMITTED;
    if (a->size == 0 || a->size > capos_maxSpawnImage)
        return capos_rpc_refuse(&c->rpc, capos_ProcessSpawner_spawnImage_field_size);
    return spawner_start(s, c, &r, (struct capnp_text){"", 0}, a->image, a->size,
                         capos_ProcessSpawner_spawnImage_field_image);
}

/*
 * exec: the caller's program replaced by an image of its memory, in place
 * (process_exec, exec.c).  As spawnImage, only an unrestricted spawner
 * may.  The image is copied into frames charged to the caller's own
 * ledger, which the new program keeps (a memoryLimit in a virtualMemory
 * grant changes nothing: the process keeps its quota), and kernel grants
 * are made for the caller itself.  On success nothing completes: the
 * calling thread returns into the new program.
 */
static int spawner_exec(struct spawner *s, struct call *c, const capos_ProcessSpawner_exec_args *a)
{
    const struct spawn_req r = {
        .name = a->name,
        .grants = a->grants,
        .argv = a->argv,
        .env = a->env,
        .field_name = capos_ProcessSpawner_exec_field_name,
        .field_grants_name = capos_ProcessSpawner_exec_field_grants_name,
        .field_grants_cap = capos_ProcessSpawner_exec_field_grants_cap,
        .field_allowed = capos_ProcessSpawner_exec_field_grants_kernel_allowedBinaries,
    };
    struct process *p = c->proc;
    capos_SpawnGrant_reader_list gl = r.grants;
    uint32_t ng = capos_SpawnGrant_list_len(gl);
    uint32_t nargv = r.argv.len, nenv = r.env.len;
    uint64_t image_pa, frame_limit = 0;
    uint8_t taken[capos_maxSpawnImage / PAGE_SIZE / 8];

    /* ---- check ---- */
    if (s->restricted)
        return CAPOS_ERR_NOT_PERMITTED;
    if (a->size == 0 || a->size > capos_maxSpawnImage)
        return capos_rpc_refuse(&c->rpc, capos_ProcessSpawner_exec_field_size);
    if (!spawn_name_ok(r.name))
        return capos_rpc_refuse(&c->rpc, r.field_name);
    int err = spawn_check_grants(s, c, &r, &frame_limit);
    if (err != CAPOS_OK)
        return err;

    /* ---- build (process_exec commits, or leaves p as it was) ---- */
    err = spawn_copy_image(p->ledger, a->image, a->size, &image_pa);
    if (err != CAPOS_OK)
        return err;
    memset(taken, 0, sizeof(taken));
    struct process_grant grants[capos_maxSpawnGrants];
    const char *argv[capos_maxSpawnArgs], *env[capos_maxSpawnArgs];
    for (uint32_t i = 0; i < ng; i++) {
        capos_SpawnGrant_reader g = capos_SpawnGrant_list_get(gl, i);
        grants[i].name = capos_SpawnGrant_get_name(g).str;
        if (capos_SpawnGrant_which(g) == capos_SpawnGrant_which_cap) {
            struct kobj *o = c->xfer.objs[capos_SpawnGrant_get_cap(g)];
            uint64_t iid = kobj_interface_id(o);
            kobj_get(o); /* the new table's; the message's stays for commit/rollback */
            grants[i].obj = o;
            grants[i].interface_id = iid ? iid : capos_SpawnGrant_get_interfaceId(g);
            grants[i].bind = PROCESS_BIND_NONE;
        } else {
            capos_KernelCap_reader k = capos_SpawnGrant_get_kernel(g);
            grants[i].obj =
                kernel_cap_create(p->ledger, k, &grants[i].interface_id, &grants[i].bind, &err);
            if (grants[i].bind == PROCESS_BIND_NONE && !grants[i].obj) {
                spawn_drop(grants, i);
                spawn_free_image(p->ledger, image_pa, a->size, NULL);
                return err;
            }
        }
    }
    for (uint32_t i = 0; i < nargv; i++)
        argv[i] = capnp_list_get_text(&r.argv, i).str;
    for (uint32_t i = 0; i < nenv; i++)
        env[i] = capnp_list_get_text(&r.env, i).str;
    char pname[CAPOS_CAPSET_NAME_MAX];
    memcpy(pname, r.name.str, r.name.len);
    pname[r.name.len] = '\0';
    if (nargv == 0)
        argv[0] = pname;
    const char *why;
    bool bad_image;
    struct image_frames frames = {image_pa, taken};
    err = process_exec(p, c->thread, pname, phys_to_virt(image_pa), a->size, &frames, &bad_image,
                       grants, ng, argv, nargv ? nargv : 1, env, nenv, &c->xfer, &why);
    /* What the new address space did not take over (all of it, on
     * failure: the unwinding freed the frames it had taken). */
    spawn_free_image(p->ledger, image_pa, a->size, taken);
    if (err != CAPOS_OK)
        return bad_image ? capos_rpc_refuse(&c->rpc, capos_ProcessSpawner_exec_field_image) : err;
    return CALL_PENDING; /* the caller is the new program now: no completion */
}

static int spawner_restrict(struct spawner *s, struct call *c,
                            const capos_ProcessSpawner_restrict_args *a)
{
    const struct capnp_list *l = &a->allowed;
    for (uint32_t i = 0; i < l->len; i++) {
        struct capnp_text t = capnp_list_get_text(l, i);
        if (!spawn_name_ok(t))
            return capos_rpc_refuse(&c->rpc, capos_ProcessSpawner_restrict_field_allowed);
        if (!spawn_allowed(s, t))
            return CAPOS_ERR_NOT_PERMITTED;
        if (!system_find_binary(t.str, t.len, NULL, NULL))
            return CAPOS_ERR_NOT_FOUND;
    }
    int err;
    struct spawner *n = (struct spawner *)spawner_create(c->proc->ledger, true, l->len, &err);
    if (!n)
        return err;
    for (uint32_t i = 0; i < l->len; i++) {
        struct capnp_text t = capnp_list_get_text(l, i);
        memcpy(n->allowed[i], t.str, t.len);
    }
    c->out_caps[c->out_ncaps++] = &n->obj;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_ProcessSpawner_restrict_encode_results(
        &b, &(capos_ProcessSpawner_restrict_results){.launcher = 0});
    return call_result_end(c, &b);
}

static int spawner_createEndpoint(struct spawner *s, struct call *c,
                                  const capos_ProcessSpawner_createEndpoint_args *a)
{
    struct kobj *client;
    int err;
    struct kobj *server = endpoint_create(c->proc->ledger, &client, &err);
    if (!server)
        return err;
    c->out_caps[c->out_ncaps++] = server;
    c->out_caps[c->out_ncaps++] = client;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_ProcessSpawner_createEndpoint_encode_results(
        &b, &(capos_ProcessSpawner_createEndpoint_results){.server = 0, .client = 1});
    return call_result_end(c, &b);
}

/* fork: a copy of the caller (kernel/fork.c).  A restricted launcher
 * starts only the binaries on its list, and a copy of its caller is none
 * of them. */
static int spawner_fork(struct spawner *s, struct call *c, const capos_ProcessSpawner_fork_args *a)
{
    if (s->restricted)
        return CAPOS_ERR_NOT_PERMITTED;
    struct capnp_builder b;
    call_result_begin(c, &b);
    capos_ProcessSpawner_fork_Results_builder rb = capos_ProcessSpawner_fork_encode_results(
        &b, &(capos_ProcessSpawner_fork_results){.handle = 0});
    int err = call_result_end(c, &b);
    if (err == CAPOS_OK)
        err = call_result_room(c, 1);
    if (err != CAPOS_OK)
        return err;
    if (!spawner_claim(s))
        return CAPOS_ERR_EXHAUSTED;
    struct kobj *h = process_handle_create(c->proc->ledger, NULL, &err);
    if (!h) {
        spawner_unclaim(s);
        return err;
    }
    /* Counted from before it runs: process_fork links it to s. */
    struct process *child =
        process_fork(c->proc, sched_current(), a->entry, a->stack, a->arg, &s->obj, &err);
    if (!child) {
        kobj_put(h);
        spawner_unclaim(s);
        return err;
    }
    process_handle_bind(h, child);
    capos_ProcessSpawner_fork_Results_set_pid(rb, child->pid);
    process_put(child);
    c->out_caps[c->out_ncaps++] = h;
    return CAPOS_OK;
}
