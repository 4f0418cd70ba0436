# Kernel build: the production kernel (build/kernel) and the test kernel
# (build/kernel-test, with the ktest hooks), each as
#   capos.elf    ELF64 Multiboot2 image that GRUB boots (the ISO)
#   capos32.elf  the same image as ELF32, which QEMU -kernel accepts (Multiboot1)
# Linking happens twice so that the second image embeds a symbol table of the
# first (tools/ksyms.py); .ksyms is the last section, so no address moves.

KERNEL_C := $(sort $(shell find kernel -name '*.c')) $(LIB_ALL_C) gen/capos.capnp.c gen/capos.server.c
KERNEL_S := $(sort $(shell find kernel -name '*.S'))
KERNEL_LD := kernel/arch/x86_64/kernel.ld

KERNEL_CFLAGS := $(COMMON_CFLAGS) $(FREESTANDING) -Ikernel -Ilib -Igen \
    -mcmodel=kernel -mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-80387 -MMD -MP
KERNEL_LDFLAGS := -nostdlib -static -Wl,-T,$(KERNEL_LD) -Wl,-z,max-page-size=0x1000 \
    -Wl,--build-id=none -Wl,-z,noexecstack
ifeq ($(CC_IS_CLANG),1)
KERNEL_LDFLAGS += --target=x86_64-unknown-none-elf -fuse-ld=lld
else
KERNEL_LDFLAGS += -no-pie
endif

# $(1) = output directory, $(2) = extra CFLAGS
define kernel_variant
$(1)/objs := $$(patsubst %,$(1)/%.o,$$(KERNEL_C) $$(KERNEL_S))

$(1)/%.c.o: %.c
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$@"
	$$(Q)$$(CC) $$(KERNEL_CFLAGS) $(2) -c $$< -o $$@

$(1)/%.S.o: %.S
	@mkdir -p $$(dir $$@)
	@echo "  AS      $$@"
	$$(Q)$$(CC) $$(KERNEL_CFLAGS) $(2) -c $$< -o $$@

$(1)/ksyms-empty.S: tools/ksyms.py
	@mkdir -p $$(dir $$@)
	$$(Q)$$(PYTHON) tools/ksyms.py - nm > $$@

$(1)/ksyms-empty.o: $(1)/ksyms-empty.S
	$$(Q)$$(CC) $$(KERNEL_CFLAGS) -c $$< -o $$@

$(1)/pass1.elf: $$($(1)/objs) $(1)/ksyms-empty.o $$(KERNEL_LD)
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(KERNEL_LDFLAGS) -o $$@ $$($(1)/objs) $(1)/ksyms-empty.o

$(1)/ksyms.S: $(1)/pass1.elf tools/ksyms.py
	$$(Q)$$(PYTHON) tools/ksyms.py $$< nm > $$@

$(1)/ksyms.o: $(1)/ksyms.S
	$$(Q)$$(CC) $$(KERNEL_CFLAGS) -c $$< -o $$@

$(1)/capos.elf: $(1)/pass1.elf $(1)/ksyms.o
	@echo "  LD      $$@"
	$$(Q)$$(CC) $$(KERNEL_LDFLAGS) -o $$@ $$($(1)/objs) $(1)/ksyms.o
	$$(Q)$$(PYTHON) tools/ksyms.py --verify $(1)/pass1.elf $$@ nm

$(1)/capos32.elf: $(1)/capos.elf
	$$(Q)$$(OBJCOPY) -O elf32-i386 $$< $$@
endef

$(eval $(call kernel_variant,$(B)/kernel,))
$(eval $(call kernel_variant,$(B)/kernel-test,-DCAPOS_KTEST))

kernel: $(B)/kernel/capos.elf $(B)/kernel/capos32.elf
kernel-test: $(B)/kernel-test/capos32.elf
all: kernel
.PHONY: kernel kernel-test
