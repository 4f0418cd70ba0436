/* Multiboot1/2 parsing into boot_info (see multiboot.c). */
#ifndef CAPOS_ARCH_X86_64_MULTIBOOT_H
#define CAPOS_ARCH_X86_64_MULTIBOOT_H

#include "base/compiler.h"

/* Fills boot_info from the loader's structure; false if magic is unknown. */
bool multiboot_parse(uint32_t magic, uint64_t info_pa);

#endif
