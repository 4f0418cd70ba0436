# capOS top-level build; `make help` prints the summary that follows.
#
# Targets:
#   make                build the kernel, userspace, the manifests in system/ (each
#                       checked by the host validator) and the tools
#   make run            build and boot the chosen system in QEMU from the GRUB ISO,
#                       serial console on this terminal; it fails if a service failed,
#                       the kernel panicked or the system got stuck (see README.md);
#                       Ctrl-T prints who waits on what, Ctrl-C ends QEMU
#   make systems        list the systems in system/ with a one-line description
#   make iso            build the boot ISO of the chosen system (build/capos.iso)
#   make debug          boot halted with QEMU's gdb stub and print the gdb command
#   make test           every test (host, checks, fuzz, QEMU smokes); last line
#                       "N passed, N failed"
#   make host-tests     only the host unit tests of lib/ (ASan+UBSan)
#   make fuzz           every fuzz target for FUZZ_SECONDS each
#   make soak           the system-call fuzzer on 4 CPUs for SOAK_MINUTES minutes
#                       (default 10), watched for faults, hangs and memory growth
#                       (docs/fuzzing.md; SOAK=stress: the SMP stress run, tests/soak.mk)
#   make bench          instruction-count benchmarks next to Linux (docs/benchmarks.md;
#                       the first run downloads a ~70 MB Linux kernel package)
#   make fmt / fmt-check      apply / check the committed .clang-format
#   make check-gen      regenerate gen/ from the schema and fail on a difference
#   make compile_commands.json   compilation database for editors
#   make bootstrap      install what a fresh Debian machine lacks (run and test do it)
#   make kernel / user / manifests   build one part only
#   make lua            the Lua 5.4 port: /bin/lua and /bin/luac (docs/lua.md)
#   make clean          remove the build tree (build/, or build/cc-clang/ with CC=clang)
#
# Variables:
#   SYSTEM=NAME         the system to boot: system/NAME.capnp (default: default)
#   BOOT_MODULE=PATH    boot any compiled manifest instead (overrides SYSTEM)
#   SMP=N               CPUs for run and debug (default 4)
#   UEFI=1              boot under OVMF (UEFI) instead of SeaBIOS
#   ACCEL=kvm           hardware virtualisation (real hardware only; default TCG)
#   CC=clang            build with clang (objects in build/cc-clang/)
#   V=1                 show the commands make runs
#   FUZZ_SECONDS=N, SOAK_MINUTES=N, BENCH_ARGS=...   see the targets above

# Each part of the tree has its own fragment (*.mk) that this file includes;
# they share the variables defined here.

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
include ports/musl/musl.mk
include user/posix/posix.mk
include ports/lua5.4/lua.mk
include ports/dash/dash.mk
include ports/busybox/busybox.mk
include user/caplua/caplua.mk
include tools/tools.mk
include system/system.mk
include tests/tests.mk
include tests/soak.mk
include tests/fuzz/fuzz.mk
-include bench/bench.mk

all: $(MANIFEST_CHECK)

.PHONY: all bootstrap help test clean fmt fmt-check compile_commands.json

# The summary at the top of this file.
help:
	@sed -n '3,$${/^#/!q;s/^# \{0,1\}//p}' Makefile

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

# Our own objects' dependency files; the ports' trees are built by their
# own makefiles and hold files of that name that are not ours.
-include $(shell find $(B) -path $(B)/ports -prune -o -name '*.d' -type f -print 2>/dev/null)
