/*
 * The child of the spawn benchmark's runtime variant (spawn_wait_rt_insns,
 * user/bench/bench.c): a program that ends at once through the ordinary
 * runtime start-up (thread pointer, CapSet), the counterpart of the Linux
 * benchmark's static glibc child.
 */
#include <stdint.h>

/* The exit code, read from a constant the compiler cannot fold (the empty
 * asm), so the image has a read-only segment as every program has (the
 * loader refuses an empty one). */
static const int32_t exit_code = 0;

int main(int argc, char **argv)
{
    const int32_t *code = &exit_code;
    (void)argc, (void)argv;
    __asm__("" : "+r"(code));
    return *code;
}
