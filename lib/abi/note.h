/*
 * ELF notes by which a capOS program says what it is.  A note is an entry
 * of a PT_NOTE segment: owner "capOS", a type from this file and no
 * descriptor.  Only the boot manifest's validator reads them (lib/manifest):
 * the binary a manifest names as `init` must carry CAPOS_NOTE_INIT, so that
 * `init = "hello"` is refused at build time instead of booting hello as the
 * only process.  A note is a declaration of purpose that catches mistakes,
 * not a credential: whoever writes the manifest chooses its programs anyway.
 *
 * A program declares one with CAPOS_NOTE(type, name) at file scope; the user
 * linker script (user/rt/user.ld) keeps section .note.capos in a PT_NOTE
 * segment.
 */
#ifndef CAPOS_LIB_ABI_NOTE_H
#define CAPOS_LIB_ABI_NOTE_H

#include <stdint.h>

#define CAPOS_NOTE_OWNER "capOS"

enum capos_note_type {
    CAPOS_NOTE_INIT = 1, /* the program can run as init: it starts the manifest's services */
};

/* The note's bytes: header, then the owner's name and its NUL padded to 4. */
struct capos_note {
    uint32_t namesz, descsz, type;
    char name[(sizeof(CAPOS_NOTE_OWNER) + 3) & ~3u];
};

_Static_assert(sizeof(struct capos_note) == 20, "12-byte header and an 8-byte name");

#define CAPOS_NOTE_SECTION __attribute__((section(".note.capos"), aligned(4), used))
#define CAPOS_NOTE(note_type, id)                                                                  \
    CAPOS_NOTE_SECTION static const struct capos_note id = {sizeof(CAPOS_NOTE_OWNER), 0,           \
                                                            (note_type), CAPOS_NOTE_OWNER}

#endif
