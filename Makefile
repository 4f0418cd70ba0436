# capOS top-level build.
#
#   make            build the kernel, userspace, manifests and the boot ISO
#   make run        build and boot the system in QEMU (serial console on the terminal)
#   make test       host tests, generated-code check, short fuzz pass, QEMU smokes
#
# Options: CC=clang, UEFI=1 (boot under OVMF), ACCEL=kvm (real hardware only),
# V=1 (show commands).  Each part of the tree has its own fragment (*.mk) that
# this file includes; they share the variables defined here.

ifeq ($(origin CC),default)
CC := gcc
endif
HOSTCC ?= $(CC)
OBJCOPY ?= objcopy
PYTHON ?= python3
# Builds with another compiler live in their own tree, so switching CC never
# mixes object files.
CC_NAME := $(notdir $(firstword $(CC)))
ifeq ($(CC_NAME),gcc)
B ?= build
else
B ?= build/cc-$(CC_NAME)
endif
export CAPOS_BUILD := $(B)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# The compiler decides a few flags (clang and gcc spell some differently).
CC_IS_CLANG := $(shell $(CC) --version 2>/dev/null | grep -q clang && echo 1)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wno-unused-parameter -Wvla -Wpointer-arith
COMMON_CFLAGS := -std=c11 $(WARN) -g -O2 -fno-strict-aliasing -fno-common

# Freestanding code (kernel, userspace, their copies of lib/).
FREESTANDING := -ffreestanding -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
                -fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer \
                -fno-asynchronous-unwind-tables -fcf-protection=none
ifeq ($(CC_IS_CLANG),1)
FREESTANDING += --target=x86_64-unknown-none-elf
endif

all:

include lib/lib.mk
-include tools/capnpc-c/capnpc-c.mk
-include gen/gen.mk
include kernel/kernel.mk
include user/user.mk
include system/system.mk
include tests/tests.mk
include tests/soak.mk
include tests/fuzz/fuzz.mk
include tools/tools.mk
-include bench/bench.mk

.PHONY: all bootstrap run debug test clean fmt fmt-check compile_commands.json

bootstrap:
	$(Q)tools/bootstrap

clean:
	rm -rf $(B)

# Sources that clang-format governs: ours, not generated.
FMT_FILES := $(shell find kernel lib user tools tests bench -name '*.[ch]' 2>/dev/null | sort)
fmt:
	$(Q)clang-format -i $(FMT_FILES)
fmt-check:
	$(Q)clang-format --dry-run -Werror $(FMT_FILES) && echo "fmt-check: ok ($(words $(FMT_FILES)) files)"

# compile_commands.json for editors: every C file with the flags its build uses.
# (make expands the whole recipe before running it, hence $(file >...) first.)
compile_commands.json:
	$(shell mkdir -p $(B))
	$(file >$(B)/compdb.txt)
	$(foreach f,$(KERNEL_C),$(file >>$(B)/compdb.txt,$(CC) $(KERNEL_CFLAGS) -c $(f)))
	$(foreach f,$(HOST_TEST_SRCS),$(file >>$(B)/compdb.txt,$(HOSTCC) $(HOST_CFLAGS) -c $(f)))
	$(Q)$(PYTHON) tools/compdb.py $(B)/compdb.txt > $@
	@echo "wrote $@"

-include $(shell find $(B) -name '*.d' 2>/dev/null)
