/*
 * The kernel object types and their entry points, one implementation file
 * each under kernel/object/.  cap.c dispatches to *_invoke by object kind;
 * each invoke decodes its parameters from the kernel copy, acts, and returns
 * an ErrorCode (or CALL_PENDING when it will complete later).
 */
#ifndef CAPOS_KERNEL_OBJECTS_H
#define CAPOS_KERNEL_OBJECTS_H

#include "cap.h"
#include "capos.capnp.h"

struct process;

/* Console: the serial console (singleton). */
extern struct kobj console_obj;
int console_invoke(struct kobj *o, struct call *c);

/* Timer: monotonic clock and sleeps (singleton). */
extern struct kobj timer_obj;
int timer_invoke(struct kobj *o, struct call *c);

/* EntropySource: RDSEED/RDRAND (singleton). */
extern struct kobj entropy_obj;
int entropy_invoke(struct kobj *o, struct call *c);

/* BootPackage: read access to the boot manifest (singleton). */
extern struct kobj bootpkg_obj;
void bootpkg_set_manifest(const void *data, uint64_t len);
int bootpkg_invoke(struct kobj *o, struct call *c);

/* VirtualMemory: one process's anonymous mappings (one object per grant). */
struct kobj *vmobj_create(struct process *target);
int vmobj_invoke(struct kobj *o, struct call *c);
void vmobj_destroy(struct kobj *o);

#endif
