# make soak SOAK_MINUTES=N: the SMP stress run (user/tests/stress.c) for N
# minutes in one boot on 4 CPUs, checked like the stress-smp4 smoke.  The
# manifest is system/smoke-stress.capnp with the duration and a progress
# interval (SOAK_PROGRESS seconds; each progress line also probes free
# physical memory) written into the stress program's argv.

SOAK_MINUTES ?= 10
SOAK_PROGRESS ?= 60
SOAK_SECONDS = $(shell echo $$(( $(SOAK_MINUTES) * 60 )))
SOAK_ARGV = "stress", "$(SOAK_SECONDS)", "$(SOAK_PROGRESS)"

# Regenerated every time: the duration comes from the command line.
soak: kernel user
	@mkdir -p $(B)/soak
	$(Q)sed 's/argv = \["stress", "[0-9]*"\]/argv = [$(SOAK_ARGV)]/' \
	    system/smoke-stress.capnp > $(B)/soak/soak.capnp
	$(Q)grep -qF 'argv = [$(SOAK_ARGV)]' $(B)/soak/soak.capnp || \
	    { echo "soak: could not set the duration in the manifest"; exit 1; }
	$(Q)capnp eval -b -I schema -I $(B)/user/bin $(B)/soak/soak.capnp manifest > $(B)/soak/soak.bin
	$(Q)$(PYTHON) tests/qemu/soak.py --manifest $(B)/soak/soak.bin --seconds $(SOAK_SECONDS) \
	    --kernel $(B)/kernel/capos32.elf --log $(B)/test-logs/soak.log

.PHONY: soak
