/*
 * ELF notes by which a capOS program says what it is.  A note is an entry
 * of a PT_NOTE segment: owner "capOS", a type from this file and the
 * descriptor that type defines.  Two are read:
 *   - CAPOS_NOTE_INIT (no descriptor), by the boot manifest's validator
 *     (lib/manifest): the binary a manifest names as `init` must carry it,
 *     so that `init = "hello"` is refused at build time instead of booting
 *     hello as the only process.  It is a declaration of purpose that
 *     catches mistakes, not a credential: whoever writes the manifest
 *     chooses its programs anyway.
 *   - CAPOS_NOTE_STACK (a 4-byte little-endian byte count), by the kernel
 *     when it starts the program (docs/elf.md): the size of the first
 *     thread's stack, which replaces the default (CAPOS_USER_STACK_SIZE).
 *     A program that needs little stack says so and starts faster; one
 *     that needs more says that.
 *   - CAPOS_NOTE_COMMIT (no descriptor), by the kernel too: all of the
 *     program's memory is mapped and charged when the process is made,
 *     so that it never faults for quota.  Without it the kernel commits
 *     the image's pages that hold file bytes and a small start-up part of
 *     the stack's top (PROCESS_STACK_COMMIT, kernel/process.h); the rest of
 *     the stack and the zero-filled tail of the last writable segment
 *     (.bss) are demand-zero, charged as they are first touched, so a
 *     program that runs out of quota there ends "out of memory" (as on
 *     Linux, which commits neither).  The native runtime (user/rt/start.c)
 *     declares it: a native program either gets all of its stack and image
 *     at spawn or fails to start with quotaExceeded, as its heap never
 *     faults for quota either.
 *
 * A program declares one with CAPOS_NOTE(type, name) or
 * CAPOS_NOTE_STACK_SIZE(bytes, name) at file scope; the user linker script
 * (user/rt/user.ld) keeps section .note.capos in a PT_NOTE segment.
 */
#ifndef CAPOS_LIB_ABI_NOTE_H
#define CAPOS_LIB_ABI_NOTE_H

#include <stdint.h>

#define CAPOS_NOTE_OWNER "capOS"

enum capos_note_type {
    CAPOS_NOTE_INIT = 1,   /* the program can run as init: it starts the manifest's services */
    CAPOS_NOTE_STACK = 2,  /* descriptor: the first thread's stack size in bytes (uint32) */
    CAPOS_NOTE_COMMIT = 3, /* all of the program's first memory is committed at spawn */
};

/* The first thread's stack when the program declares its size: a whole
 * number of pages from one page to CAPOS_NOTE_STACK_MAX bytes.  Any other
 * value makes the kernel refuse to start the program. */
#define CAPOS_NOTE_STACK_MAX (8u * 1024 * 1024)

/* The note's bytes: header, then the owner's name and its NUL padded to 4. */
struct capos_note {
    uint32_t namesz, descsz, type;
    char name[(sizeof(CAPOS_NOTE_OWNER) + 3) & ~3u];
};

_Static_assert(sizeof(struct capos_note) == 20, "12-byte header and an 8-byte name");

/* A note with a 4-byte descriptor (CAPOS_NOTE_STACK). */
struct capos_note_u32 {
    struct capos_note note;
    uint32_t value;
};

_Static_assert(sizeof(struct capos_note_u32) == 24, "the descriptor follows the padded name");

#define CAPOS_NOTE_SECTION __attribute__((section(".note.capos"), aligned(4), used))
#define CAPOS_NOTE(note_type, id)                                                                  \
    CAPOS_NOTE_SECTION static const struct capos_note id = {sizeof(CAPOS_NOTE_OWNER), 0,           \
                                                            (note_type), CAPOS_NOTE_OWNER}
#define CAPOS_NOTE_STACK_SIZE(bytes, id)                                                           \
    CAPOS_NOTE_SECTION static const struct capos_note_u32 id = {                                   \
        {sizeof(CAPOS_NOTE_OWNER), 4, CAPOS_NOTE_STACK, CAPOS_NOTE_OWNER}, (bytes)}

#endif
