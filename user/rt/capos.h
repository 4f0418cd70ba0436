/*
 * libcapos: the C runtime every capOS program links.  One header for
 * programs; see docs/writing-a-program.md.
 *
 *   main(argc, argv)           is called by the runtime's _start
 *   capos_capset_find()        finds a capability the program was given
 *   capos_call() / ring.h      raw calls and batches through the ring
 *   <Iface>_<method>_call()    generated stubs of every interface (capos.rpc.h)
 *   capos_server_next()        serving an interface with its generated dispatch
 *   capos_console_*, capos_timer_*, ...   typed clients of kernel interfaces
 *   capos_printf()             formatted output to the "console" capability
 *   malloc/free                a heap on the "memory" VirtualMemory capability
 */
#ifndef CAPOS_USER_RT_CAPOS_H
#define CAPOS_USER_RT_CAPOS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi/errors.h"
#include "abi/layout.h"
#include "abi/ring.h"
#include "capos.capnp.h"
#include "capos.rpc.h"
#include "capset.h"
#include "ipc.h"
#include "ring.h"
#include "serve.h"
#include "syscall.h"
#include "thread.h"

/* The program's entry point, called by the runtime. */
int main(int argc, char **argv);

/* Ends the process with `code`. */
__attribute__((noreturn)) void capos_exit(int code);

/*
 * ---- typed clients of the kernel interfaces (return an ErrorCode) ----
 * Wrappers of the generated stubs <Iface>_<method>_call (capos.rpc.h,
 * docs/capnp.md), which every interface has, with the arguments as C
 * parameters.
 */
int capos_console_write(uint32_t cap, const void *data, size_t len);
int capos_console_write_line(uint32_t cap, const char *text);
int capos_timer_now(uint32_t cap, uint64_t *ns);
int capos_timer_sleep(uint32_t cap, uint64_t ns);
int capos_entropy_fill(uint32_t cap, void *buf, uint32_t len);
/* Pages get their frames (and charges) on first touch. */
int capos_vm_map(uint32_t cap, uint64_t addr, uint64_t len, uint32_t prot, uint64_t *out);
/* Every frame allocated and charged before it returns (VirtualMemory.map
 * with commit): running out is quotaExceeded here, never a fault later. */
int capos_vm_map_commit(uint32_t cap, uint64_t addr, uint64_t len, uint32_t prot, uint64_t *out);
int capos_vm_unmap(uint32_t cap, uint64_t addr, uint64_t len);
int capos_vm_protect(uint32_t cap, uint64_t addr, uint64_t len, uint32_t prot);
int capos_vm_quota(uint32_t cap, uint64_t *limit, uint64_t *used);
/* A facet of the same address space that may map at most `bytes`. */
int capos_vm_limit(uint32_t cap, uint64_t bytes, uint32_t *limited);
int capos_boot_size(uint32_t cap, uint64_t *size);
int capos_boot_read(uint32_t cap, uint64_t offset, void *buf, uint32_t len, uint32_t *got);

/*
 * A message being built for a call: an 8-byte aligned arena and the
 * builder over it.  capos_msg_finish returns the bytes to send.
 */
struct capos_msg {
    struct capnp_builder b;
    uint64_t arena[512];
};
void capos_msg_init(struct capos_msg *m);
/* Sends a built message m (NULL: no parameters) and waits; the result, if
 * any, lands in `res` and its length in *res_len.  Returns the ErrorCode. */
int capos_client_call(uint32_t cap, uint64_t iid, uint16_t method, struct capos_msg *m, void *res,
                      uint32_t res_cap, uint32_t *res_len);
int capos_msg_finish(struct capos_msg *m, const uint8_t **out, uint32_t *len);

/* Opens a result message received into `buf`; false if malformed. */
bool capos_msg_read(struct capnp_reader *r, const void *buf, uint32_t len);

/* A completion's detail as text ("params.len", "submission.unusedField"),
 * for a call of `method` of `interface_id`, written into buf (len bytes). */
const char *capos_detail_name(char *buf, size_t len, uint32_t detail, uint64_t interface_id,
                              uint16_t method);

/* ---- output ---- */
/* printf to the "console" capability (dropped silently if there is none). */
int capos_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int capos_vprintf(const char *fmt, va_list ap);

/* ---- heap ---- */
void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);

#endif
