/*
 * The system: from the boot manifest to running services, and the end.
 *
 * system_start validates the whole manifest first (nothing is created if any
 * part is wrong), reports the service graph, then starts each service in
 * dependency order with exactly the capabilities its grants name.  When the
 * last process has stopped, the machine halts in an orderly way.
 */
#include "system.h"

#include "abi/errors.h"
#include "base/mem.h"
#include "capos.capnp.h"
#include "manifest/manifest.h"
#include "mm/kheap.h"
#include "mm/pmm.h"
#include "objects.h"
#include "panic.h"
#include "printk.h"
#include "process.h"

#define SYSTEM_MAX_ARGS 64

static struct manifest sys_manifest;

static const char *system_kind_name(enum capos_KernelCapKind k)
{
    switch (k) {
    case capos_KernelCapKind_console: return "console";
    case capos_KernelCapKind_timer: return "timer";
    case capos_KernelCapKind_entropy: return "entropy";
    case capos_KernelCapKind_virtualMemory: return "virtualMemory";
    case capos_KernelCapKind_bootPackage: return "bootPackage";
    case capos_KernelCapKind_processSpawner: return "processSpawner";
    }
    return "?";
}

/* One line per service: its binary, grants and exports. */
static void system_report(capos_SystemManifest_reader m)
{
    capos_Service_reader_list services = capos_SystemManifest_get_services(m);
    for (uint32_t i = 0; i < capos_Service_list_len(services); i++) {
        capos_Service_reader s = capos_Service_list_get(services, i);
        capos_Grant_reader_list grants = capos_Service_get_grants(s);
        kprintf("  service %s (binary %s):", capos_Service_get_name(s).str,
                capos_Service_get_binary(s).str);
        for (uint32_t g = 0; g < capos_Grant_list_len(grants); g++) {
            capos_Grant_reader gr = capos_Grant_list_get(grants, g);
            capos_Grant_source_reader src = capos_Grant_get_source(gr);
            kprintf(" %s=", capos_Grant_get_name(gr).str);
            switch (capos_Grant_source_which(src)) {
            case capos_Grant_source_which_kernel:
                kprintf("kernel:%s", system_kind_name(capos_KernelCap_get_kind(
                                         capos_Grant_source_get_kernel(src))));
                break;
            case capos_Grant_source_which_export: {
                capos_ExportRef_reader e = capos_Grant_source_get_export(src);
                kprintf("%s.%s", capos_ExportRef_get_service(e).str,
                        capos_ExportRef_get_export(e).str);
                break;
            }
            case capos_Grant_source_which_endpoint:
                kprintf("endpoint:%s",
                        capos_EndpointRef_get_name(capos_Grant_source_get_endpoint(src)).str);
                break;
            }
        }
        kprintf("\n");
    }
}

/* Builds the kernel object for a kernel grant; NULL with *why on failure. */
static struct kobj *system_kernel_obj(capos_KernelCap_reader k, bool *self_vm, const char **why)
{
    *self_vm = false;
    switch (capos_KernelCap_get_kind(k)) {
    case capos_KernelCapKind_console: return &console_obj;
    case capos_KernelCapKind_timer: return &timer_obj;
    case capos_KernelCapKind_entropy: return &entropy_obj;
    case capos_KernelCapKind_bootPackage: return &bootpkg_obj;
    case capos_KernelCapKind_virtualMemory:
        /* Bound to the new process, which does not exist yet. */
        *self_vm = true;
        return NULL;
    case capos_KernelCapKind_processSpawner:
        *why = "processSpawner grants are not supported yet";
        return NULL;
    }
    *why = "unknown kernel capability";
    return NULL;
}

static uint64_t system_interface_id(capos_KernelCap_reader k)
{
    switch (capos_KernelCap_get_kind(k)) {
    case capos_KernelCapKind_console: return capos_Console_INTERFACE_ID;
    case capos_KernelCapKind_timer: return capos_Timer_INTERFACE_ID;
    case capos_KernelCapKind_entropy: return capos_EntropySource_INTERFACE_ID;
    case capos_KernelCapKind_bootPackage: return capos_BootPackage_INTERFACE_ID;
    case capos_KernelCapKind_virtualMemory: return capos_VirtualMemory_INTERFACE_ID;
    case capos_KernelCapKind_processSpawner: return capos_ProcessSpawner_INTERFACE_ID;
    }
    return 0;
}

/* Starts one service; false (and a report) if it could not be created. */
static bool system_start_service(capos_Service_reader s)
{
    struct process_grant grants[PROCESS_MAX_CAPS];
    const char *argv[SYSTEM_MAX_ARGS], *env[SYSTEM_MAX_ARGS];
    capos_Grant_reader_list gl = capos_Service_get_grants(s);
    struct capnp_list al = capos_Service_get_argv(s), el = capos_Service_get_env(s);
    uint32_t ngrants = capos_Grant_list_len(gl), argc = al.len, envc = el.len;
    uint64_t frame_limit = PROCESS_DEFAULT_FRAMES;
    const char *name = capos_Service_get_name(s).str;
    const char *why = "";
    const uint8_t *elf;
    uint64_t elf_len;
    int vm_grant = -1;

    struct capnp_text bin = capos_Service_get_binary(s);
    if (!manifest_find_binary(&sys_manifest, bin.str, bin.len, &elf, &elf_len))
        panic("system: validated manifest lost binary %s", bin.str);
    for (uint32_t g = 0; g < ngrants; g++) {
        capos_Grant_reader gr = capos_Grant_list_get(gl, g);
        capos_Grant_source_reader src = capos_Grant_get_source(gr);
        bool self_vm = false;
        grants[g].name = capos_Grant_get_name(gr).str;
        grants[g].obj = NULL;
        grants[g].interface_id = 0;
        if (capos_Grant_source_which(src) == capos_Grant_source_which_kernel) {
            capos_KernelCap_reader k = capos_Grant_source_get_kernel(src);
            grants[g].obj = system_kernel_obj(k, &self_vm, &why);
            grants[g].interface_id = system_interface_id(k);
            if (self_vm) {
                vm_grant = (int)g;
                if (capos_KernelCap_get_memoryLimit(k))
                    frame_limit = capos_KernelCap_get_memoryLimit(k) / PAGE_SIZE;
            }
        } else {
            why = "endpoint and export grants are not supported yet";
        }
        if (!grants[g].obj && !self_vm) {
            kprintf("system: service %s: grant %s: %s\n", name, grants[g].name, why);
            return false;
        }
    }
    for (uint32_t i = 0; i < argc; i++)
        argv[i] = capnp_list_get_text(&al, i).str;
    for (uint32_t i = 0; i < envc; i++)
        env[i] = capnp_list_get_text(&el, i).str;
    if (argc == 0) {
        argv[0] = name;
        argc = 1;
    }
    struct process *p = process_create(name, elf, elf_len, grants, ngrants, vm_grant, argv, argc,
                                       env, envc, frame_limit, &why);
    if (!p) {
        kprintf("system: service %s could not start: %s\n", name, why);
        return false;
    }
    kprintf("system: started %s (pid %u)\n", name, p->pid);
    return true;
}

void system_start(const void *manifest, uint64_t len)
{
    struct manifest_limits lim = manifest_default_limits();
    struct manifest_summary sum;
    char why[192];
    uint32_t order[64];

    lim.elf = process_elf_limits(PROCESS_DEFAULT_FRAMES);
    if (manifest_validate(manifest, len, &lim, &sum, why, sizeof(why)) != MANIFEST_OK) {
        kprintf("manifest: error: %s\n", why);
        kprintf("system: refusing to start anything\n");
        system_exit(SYSTEM_EXIT_FAILURE);
    }
    if (manifest_open(&sys_manifest, manifest, len) != MANIFEST_OK)
        panic("system: a validated manifest failed to open");
    bootpkg_set_manifest(manifest, len);
    capos_SystemManifest_reader m = sys_manifest.root;
    kprintf("manifest: \"%s\": %u binaries, %u services, %u grants, %u endpoints\n",
            capos_SystemManifest_get_name(m).str, sum.binaries, sum.services, sum.grants,
            sum.endpoints);
    system_report(m);

    uint32_t n = manifest_start_order(&sys_manifest, order, ARRAY_SIZE(order));
    capos_Service_reader_list services = capos_SystemManifest_get_services(m);
    for (uint32_t i = 0; i < n; i++)
        system_start_service(capos_Service_list_get(services, order[i]));
    if (process_live_count() == 0) {
        kprintf("system: no process is running; halting\n");
        system_exit(SYSTEM_EXIT_SUCCESS);
    }
}

void system_process_stopped(struct process *p)
{
    const struct exit_status *st = &p->status;
    switch (st->kind) {
    case EXIT_CODE:
        kprintf("system: %s (pid %u) exited with status %d\n", p->name, p->pid, st->code);
        break;
    case EXIT_KILLED: kprintf("system: %s (pid %u) was killed\n", p->name, p->pid); break;
    case EXIT_FAULTED:
        if (st->vector == 255)
            kprintf("system: %s (pid %u) was stopped: %s\n", p->name, p->pid, st->reason);
        else
            kprintf("system: %s (pid %u) was stopped: %s at %#lx\n", p->name, p->pid, st->reason,
                    (unsigned long)st->address);
        break;
    }
    if (process_live_count() == 0) {
        kprintf("system: all processes have exited; halting\n");
        system_exit(SYSTEM_EXIT_SUCCESS);
    }
}
