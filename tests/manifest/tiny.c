/*
 * The program embedded in the manifest fixtures: the smallest static
 * executable the ELF loader accepts (one read+execute segment), about 500
 * bytes once stripped, so fixtures and fuzz seeds stay small.  It is never
 * run; only its headers matter.  It carries the capOS init note, so that
 * fixtures may name it as init; built with -DTINY_PLAIN it does not
 * (plain.elf, for the fixture whose init is not an init program).
 */
#include "abi/note.h"

#ifndef TINY_PLAIN
CAPOS_NOTE(CAPOS_NOTE_INIT, tiny_note);
#endif

void _start(void);

void _start(void)
{
    for (;;)
        __asm__ volatile("pause");
}
