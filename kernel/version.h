/* The kernel's version string, printed in the boot banner. */
#ifndef CAPOS_KERNEL_VERSION_H
#define CAPOS_KERNEL_VERSION_H

#define CAPOS_VERSION "0.1.0"

#endif
