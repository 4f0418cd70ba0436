# Benchmarks: `make bench` (never part of `make test`).
#
# Boots capOS and Debian's stock Linux kernel in QEMU TCG with
# `-icount shift=0,sleep=off -smp 1`, where the TSC counts guest instructions,
# and prints each operation's path length side by side (tools/bench.py;
# method in docs/benchmarks.md).  Then it boots capOS's IPC throughput
# systems on 4 vCPUs with multi-threaded TCG and no icount, one at a time
# (a separate, non-deterministic section).  Results:
# $(B)/bench/results.json, serial logs next to it.
#
# The Linux side is self-contained: bench/linux/fetch-kernel downloads the
# kernel package into build/cache/linux (shared by every compiler's tree;
# `make clean` of the default tree removes it, and it is fetched again in
# seconds), and our static benchmark becomes /init of an initramfs.
#
# The capOS side: tools/bench.py boots CAPOS_BENCH_KERNEL with
# CAPOS_BENCH_MODULE as its boot module (and, if it exists, once more with
# CAPOS_BENCH_MODULE_SMP2 and two vCPUs, and with each throughput module
# CAPOS_BENCH_SCALE_MODULE names, "{}" standing for the system) and reads
# the same `BENCH key value` lines from the serial log.  The rules that build
# the modules go in bench/capos/capos.mk (included below if present), which
# can also set CAPOS_BENCH_DEPS: the targets built before booting.  While the module does
# not exist the capOS column reads n/a.

LINUX_CACHE ?= build/cache/linux
BENCH_OUT := $(B)/bench
LINUX_BENCH_OUT := $(BENCH_OUT)/linux

CAPOS_BENCH_KERNEL ?= $(B)/kernel/capos32.elf
CAPOS_BENCH_MODULE ?= $(B)/bench/capos-bench.bin
CAPOS_BENCH_MODULE_SMP2 ?= $(B)/bench/capos-bench-smp2.bin
CAPOS_BENCH_SCALE_MODULE ?= $(B)/bench/capos-bench-scale-{}.bin
CAPOS_BENCH_DEPS ?=

-include bench/capos/capos.mk
include bench/posix/posix.mk
CAPOS_BENCH_DEPS += $(POSIX_BENCH_DEPS)

# The Linux benchmark is always built with gcc against static glibc, whatever
# CC says, so the Linux figures do not move with the compiler choice.
LINUX_BENCH_CC := gcc
LINUX_BENCH_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -static

$(LINUX_BENCH_OUT)/bench: bench/linux/bench.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(LINUX_BENCH_CC) $(LINUX_BENCH_CFLAGS) -o $@ $< -lpthread

$(LINUX_BENCH_OUT)/bench-child: bench/linux/child.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(LINUX_BENCH_CC) $(LINUX_BENCH_CFLAGS) -nostdlib -fno-stack-protector -o $@ $<

$(LINUX_BENCH_OUT)/bench-child-libc: bench/linux/child.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(LINUX_BENCH_CC) $(LINUX_BENCH_CFLAGS) -DBENCH_CHILD_LIBC -o $@ $<

LINUX_INITRAMFS := $(LINUX_BENCH_OUT)/initramfs.cpio

$(LINUX_INITRAMFS): $(LINUX_BENCH_OUT)/bench $(LINUX_BENCH_OUT)/bench-child \
                    $(LINUX_BENCH_OUT)/bench-child-libc bench/linux/mkinitramfs.py \
                    $(POSIX_BENCH_LINUX_BINS)
	@echo "  CPIO    $@"
	$(Q)$(PYTHON) bench/linux/mkinitramfs.py $@ --init $(LINUX_BENCH_OUT)/bench \
	    --file /bench-child=$(LINUX_BENCH_OUT)/bench-child \
	    --file /bench-child-libc=$(LINUX_BENCH_OUT)/bench-child-libc \
	    --file /posix-bench=$(POSIX_BENCH_LINUX)/posix_bench \
	    --file /posix-hello=$(POSIX_BENCH_LINUX)/posix_hello \
	    --file /posix-files=$(POSIX_BENCH_LINUX)/posix_files \
	    --file /posix-true=$(POSIX_BENCH_LINUX)/posix_true \
	    --file /lua-bench=$(POSIX_BENCH_LINUX)/lua_bench

# Static glibc (libc6-dev) is the one thing the Linux side needs that
# tools/bootstrap does not probe for.
bench-linux-deps:
	$(Q)bench/linux/host-deps

bench-linux-kernel:
	$(Q)LINUX_CACHE=$(LINUX_CACHE) bench/linux/fetch-kernel >/dev/null

bench-build: bench-linux-deps bench-linux-kernel
	$(Q)$(MAKE) --no-print-directory $(LINUX_INITRAMFS) $(CAPOS_BENCH_DEPS)

# BENCH_ARGS passes options to tools/bench.py, e.g. BENCH_ARGS=--linux-only.
bench: bootstrap
	$(Q)$(MAKE) --no-print-directory bench-build
	$(Q)$(PYTHON) tools/bench.py --out-dir $(BENCH_OUT) \
	    --linux-kernel $(LINUX_CACHE)/vmlinuz --linux-vmlinux $(LINUX_CACHE)/vmlinux \
	    --linux-kernel-info $(LINUX_CACHE)/kernel.txt --linux-initramfs $(LINUX_INITRAMFS) \
	    --capos-kernel $(CAPOS_BENCH_KERNEL) --capos-module $(CAPOS_BENCH_MODULE) \
	    --capos-smp2-module $(CAPOS_BENCH_MODULE_SMP2) \
	    --capos-scale-module '$(CAPOS_BENCH_SCALE_MODULE)' \
	    --capos-posix-module $(B)/bench/capos-bench-posix.bin \
	    --capos-posix-hello-module $(B)/bench/capos-bench-posix-hello.bin \
	    --capos-posix-files-module $(B)/bench/capos-bench-posix-files.bin \
	    --capos-fs-calls-module $(B)/bench/capos-bench-fs-calls.bin \
	    --capos-lua-module $(B)/bench/capos-bench-lua.bin \
	    --capos-posix-true $(POSIX_BENCH_CAPOS)/posix_true \
	    $(BENCH_ARGS)

.PHONY: bench bench-build bench-linux-deps bench-linux-kernel
