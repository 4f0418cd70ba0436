/*
 * stack_note: a program that declares a 64 KiB first-thread stack with the
 * capOS stack note (lib/abi/note.h), for vm_hostile's stack-note case.
 * argv[1] says what to do:
 *   fit       touch every page of its stack down to 8 KiB above the
 *             declared bottom and exit(0): the whole declared stack is
 *             there;
 *   overflow  read the byte right below the declared stack: the process
 *             must fault there (vector 14 at that address), since nothing
 *             past a stack's end is mapped.
 */
#include "abi/note.h"
#include "capos.h"

#define STACK_BYTES (64u * 1024)

CAPOS_NOTE_STACK_SIZE(STACK_BYTES, stack_note);

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    volatile const char *bottom = (const char *)(uintptr_t)(CAPOS_USER_STACK_TOP - STACK_BYTES);
    if (argv[1][0] == 'f') {
        /* From the current frame down to 8 KiB above the bottom, a page
         * at a time, then the bottom page itself. */
        volatile char here = 0;
        for (uintptr_t a = (uintptr_t)&here & ~(uintptr_t)4095; a >= (uintptr_t)bottom + 8192;
             a -= 4096)
            (void)*(volatile const char *)a;
        (void)bottom[0];
        (void)here;
        return 0;
    }
    (void)bottom[-1];
    return 1;
}
