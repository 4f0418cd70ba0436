# libcapos-posix (user/posix/): the system calls of musl over capabilities,
# and the rest of the sysroot tools/capos-cc uses (docs/posix.md).
#
# It is built against musl's headers, with its own copy of the pieces of
# libcapos it needs (the ring client, the generated client stubs, lib/capnp
# and lib/rpc), compiled with CAPOS_RT_POSIX so that each thread's ring
# client is a thread-local variable (musl owns %fs:0), and with a stash of
# 72 completions (user/rt/ring.h): wait.c keeps a ProcessHandle.wait in
# flight for each of up to 64 children, next to the personality's own
# calls.  A thread's client sits at the top of its stack (thread.c), 4.6
# KiB of it.  Installed into
# $(POSIX_SYSROOT)/lib: crt1.o (the capOS entry), libcapos-posix.a.

POSIX_SRCS := $(sort $(wildcard user/posix/*.c user/posix/*.S)) user/rt/ring.c user/rt/rpc.c \
    user/rt/clients.c user/rt/syscall.S $(sort $(wildcard lib/capnp/*.c lib/rpc/*.c)) lib/path/path.c lib/inherit/inherit.c \
    lib/fs/records.c lib/fs/name.c \
    gen/capos.capnp.c gen/capos.client.c
POSIX_LIB_SRCS := $(filter-out user/posix/crt1.S,$(POSIX_SRCS))
POSIX_OBJS := $(patsubst %,$(B)/posix/obj/%.o,$(POSIX_LIB_SRCS))
POSIX_CFLAGS := -std=c11 $(WARN) -g -O2 -fno-strict-aliasing -fno-common -nostdinc \
    -isystem $(POSIX_SYSROOT)/include -isystem $(shell $(CC) -print-file-name=include) \
    -D_GNU_SOURCE -DCAPOS_RT_POSIX -DCAPOS_RING_STASH=72 -Iuser/rt -Ilib -Igen -MMD -MP \
    -fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer -fcf-protection=none \
    -ffunction-sections -fdata-sections
POSIX_LIB := $(POSIX_SYSROOT)/lib/libcapos-posix.a
POSIX_CRT1 := $(POSIX_SYSROOT)/lib/crt1.o

# Everything here includes musl's headers.
$(B)/posix/obj/%.c.o: %.c $(MUSL_LIBC)
	@mkdir -p $(dir $@)
	@echo "  PCC     $@"
	$(Q)$(CC) $(POSIX_CFLAGS) -c $< -o $@

$(B)/posix/obj/%.S.o: %.S $(MUSL_LIBC)
	@mkdir -p $(dir $@)
	@echo "  PAS     $@"
	$(Q)$(CC) $(POSIX_CFLAGS) -c $< -o $@

$(POSIX_LIB): $(POSIX_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# musl's install put its own crt1.o here; the capOS entry replaces it.
$(POSIX_CRT1): $(B)/posix/obj/user/posix/crt1.S.o $(MUSL_LIBC)
	$(Q)cp $< $@

posix: $(POSIX_LIB) $(POSIX_CRT1)
all: posix
.PHONY: posix

-include $(POSIX_OBJS:.o=.d)
