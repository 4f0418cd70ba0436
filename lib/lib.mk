# lib/: freestanding pure C shared by the kernel, userspace and host tests.
# lib/freestanding/ holds what a hosted build takes from its libc instead
# (memcpy and friends), so host tests never compile it.

LIB_ALL_C := $(sort $(shell find lib -name '*.c'))
LIB_HOST_C := $(filter-out lib/freestanding/%,$(LIB_ALL_C))
