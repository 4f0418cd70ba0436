# Boot image, QEMU runs and debugging.
#
#   make iso      build/capos.iso: GRUB hybrid (BIOS + UEFI) with the kernel and
#                 its single boot module
#   make run      boot the ISO (UEFI=1: under OVMF; ACCEL=kvm: hardware virt.)
#   make debug    boot halted with QEMU's gdb stub; prints the gdb command

BOOT_MODULE ?= $(B)/system/default.bin
ISO := $(B)/capos.iso
QEMU_RUN := $(PYTHON) tools/qemu.py
# make run boots 4 CPUs unless SMP=N says otherwise.
SMP ?= 4
RUN_ARGS := $(if $(filter 1,$(UEFI)),--uefi) $(if $(ACCEL),--accel $(ACCEL)) --smp $(SMP)

$(ISO): $(B)/kernel/capos.elf $(BOOT_MODULE) tools/iso/grub.cfg
	@echo "  ISO     $@"
	$(Q)rm -rf $(B)/iso && mkdir -p $(B)/iso/boot/grub
	$(Q)cp $(B)/kernel/capos.elf $(B)/iso/boot/capos.elf
	$(Q)cp $(BOOT_MODULE) $(B)/iso/boot/manifest.bin
	$(Q)cp tools/iso/grub.cfg $(B)/iso/boot/grub/grub.cfg
	$(Q)grub-mkrescue -o $@ $(B)/iso >$(B)/grub-mkrescue.log 2>&1 || \
	    { cat $(B)/grub-mkrescue.log; exit 1; }

iso: $(ISO)

run: bootstrap
	$(Q)$(MAKE) --no-print-directory iso
	$(Q)$(QEMU_RUN) --iso $(ISO) $(RUN_ARGS)

debug: bootstrap
	$(Q)$(MAKE) --no-print-directory iso
	$(Q)$(QEMU_RUN) --iso $(ISO) $(RUN_ARGS) --gdb --symbols $(B)/kernel/capos.elf

.PHONY: iso run debug

