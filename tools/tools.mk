# Boot image, QEMU runs, debugging, and the host tools the build uses.
#
#   make iso      $(ISO) (build/capos.iso): GRUB hybrid (BIOS + UEFI) with the
#                 kernel and the chosen system as its single boot module
#   make run      boot the ISO (UEFI=1: under OVMF; ACCEL=kvm: hardware virt.)
#   make debug    boot halted with QEMU's gdb stub; prints the gdb command
#   make systems  list the systems in system/ with their descriptions
#
# The system is chosen by name, SYSTEM=NAME for system/NAME.capnp (default:
# default), or by file, BOOT_MODULE=PATH for any compiled manifest.  The ISO
# records which module it holds in $(ISO).module, rewritten only when the
# choice changes; the ISO depends on it, so switching systems always rebuilds
# the ISO, even to a module file older than the ISO.

# SYSTEM comes only from the command line (and a recursive make, which
# inherits it): the name is too generic to take from the environment.
ifneq ($(origin SYSTEM),command line)
SYSTEM := default
endif
ifneq ($(origin BOOT_MODULE),command line)
BOOT_MODULE := $(B)/system/$(SYSTEM).bin
ifeq ($(wildcard system/$(SYSTEM).capnp),)
$(error SYSTEM=$(SYSTEM): there is no system/$(SYSTEM).capnp; 'make systems' lists the systems)
endif
endif
ISO ?= $(B)/capos.iso
QEMU_RUN := $(PYTHON) tools/qemu.py
# make run boots 4 CPUs unless SMP=N says otherwise.
SMP ?= 4
RUN_ARGS := $(if $(filter 1,$(UEFI)),--uefi) $(if $(ACCEL),--accel $(ACCEL)) --smp $(SMP)
ISO_DIR := $(ISO).files

$(ISO).module: FORCE
	@mkdir -p $(dir $@)
	$(Q)echo '$(abspath $(BOOT_MODULE))' | cmp -s - $@ || echo '$(abspath $(BOOT_MODULE))' > $@

$(ISO): $(B)/kernel/capos.elf $(BOOT_MODULE) $(ISO).module tools/iso/grub.cfg
	@echo "  ISO     $@ ($(BOOT_MODULE))"
	$(Q)rm -rf $(ISO_DIR) && mkdir -p $(ISO_DIR)/boot/grub
	$(Q)cp $(B)/kernel/capos.elf $(ISO_DIR)/boot/capos.elf
	$(Q)cp $(BOOT_MODULE) $(ISO_DIR)/boot/manifest.bin
	$(Q)cp tools/iso/grub.cfg $(ISO_DIR)/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(ISO_DIR) >$(ISO).log 2>&1 || { cat $(ISO).log; exit 1; }

iso: $(ISO)

run: bootstrap
	$(Q)$(MAKE) --no-print-directory iso
	$(Q)$(QEMU_RUN) --iso $(ISO) $(RUN_ARGS)

debug: bootstrap
	$(Q)$(MAKE) --no-print-directory iso
	$(Q)$(QEMU_RUN) --iso $(ISO) $(RUN_ARGS) --gdb --symbols $(B)/kernel/capos.elf

systems:
	$(Q)$(PYTHON) tools/systems.py system

# The manifest validator on the host (see tools/manifest-check.c); the
# manifest rules in system/system.mk run it on every compiled manifest.
MANIFEST_CHECK := $(B)/tools/manifest-check
MANIFEST_CHECK_SRCS := tools/manifest-check.c lib/manifest/manifest.c lib/elf/elf.c \
    lib/fmt/fmt.c $(wildcard lib/capnp/*.c) $(wildcard lib/fs/*.c) gen/capos.capnp.c
MANIFEST_CHECK_CFLAGS := $(COMMON_CFLAGS) -Ilib -Igen -D_DEFAULT_SOURCE

$(MANIFEST_CHECK): $(MANIFEST_CHECK_SRCS) $(wildcard lib/manifest/*.h lib/elf/*.h lib/capnp/*.h \
    lib/fs/*.h lib/fmt/*.h lib/base/*.h lib/abi/*.h) gen/capos.capnp.h
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(MANIFEST_CHECK_CFLAGS) -o $@ $(MANIFEST_CHECK_SRCS)

FORCE:

.PHONY: iso run debug systems FORCE
