# Userspace: libcapos (user/rt) and the programs built on it.
#
# Every user/<group>/<name>.c (groups: demos, tests, services, bench, fuzz) is one program,
# linked statically at 4 MiB (user/rt/user.ld) into $(B)/user/dbg/<name>, and
# stripped of debug information into $(B)/user/bin/<name>.
# libcapos.a holds the runtime, the freestanding copy of lib/ and the
# generated schema bindings.

USER_CFLAGS := $(COMMON_CFLAGS) $(FREESTANDING) -Iuser/rt -Ilib -Igen -MMD -MP \
    -ffunction-sections -fdata-sections
USER_LDFLAGS := -nostdlib -static -Wl,-T,user/rt/user.ld -Wl,--build-id=none -Wl,--gc-sections \
    -Wl,-z,max-page-size=0x1000 -Wl,-z,noexecstack
ifeq ($(CC_IS_CLANG),1)
USER_LDFLAGS += --target=x86_64-unknown-none-elf -fuse-ld=lld
else
USER_LDFLAGS += -no-pie
endif

USER_RT_SRCS := $(sort $(wildcard user/rt/*.c user/rt/*.S)) $(LIB_ALL_C) gen/capos.capnp.c \
    gen/capos.server.c gen/capos.client.c
USER_RT_OBJS := $(patsubst %,$(B)/user/obj/%.o,$(USER_RT_SRCS))
USER_PROG_SRCS := $(sort $(wildcard user/demos/*.c user/tests/*.c user/services/*.c user/bench/*.c \
    user/fuzz/*.c))
USER_PROGS := $(foreach s,$(USER_PROG_SRCS),$(B)/user/bin/$(basename $(notdir $(s))))

$(B)/user/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  UCC     $@"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/user/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  UAS     $@"
	$(Q)$(CC) $(USER_CFLAGS) -c $< -o $@

$(B)/user/libcapos.a: $(USER_RT_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# The manifest embeds the stripped binary; $(B)/user/dbg keeps the one with
# debug information for gdb and addr2line.  A program named *_bare has its
# own _start and is linked without crt0; of the runtime it takes only what
# it names (the system calls are functions, user/rt/syscall.S).
user_prog_libs = $(if $(filter %_bare,$(basename $(notdir $(1)))),\
    $(B)/user/obj/$(1).o $(B)/user/libcapos.a,\
    $(B)/user/obj/user/rt/crt0.S.o $(B)/user/obj/$(1).o $(B)/user/libcapos.a)
define user_prog
$(B)/user/dbg/$(basename $(notdir $(1))): $(B)/user/obj/$(1).o $(B)/user/libcapos.a user/rt/user.ld
	@mkdir -p $$(dir $$@)
	@echo "  ULD     $$@"
	$$(Q)$$(CC) $$(USER_LDFLAGS) -o $$@ $(call user_prog_libs,$(1))

$(B)/user/bin/$(basename $(notdir $(1))): $(B)/user/dbg/$(basename $(notdir $(1)))
	@mkdir -p $$(dir $$@)
	$$(Q)$$(OBJCOPY) --strip-debug $$< $$@
endef
$(foreach s,$(USER_PROG_SRCS),$(eval $(call user_prog,$(s))))

user: $(USER_PROGS)
all: user
.PHONY: user
