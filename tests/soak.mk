# make soak SOAK_MINUTES=N: long runs on 4 CPUs, each in one boot and
# checked like its smoke, with a progress line every SOAK_PROGRESS seconds
# (each also checks memory), watched by tests/qemu/soak.py: a kernel fault
# or panic ends the run at once, and SOAK_HANG seconds (default 120)
# without a line of the program's own is a hang.
#
#   SOAK=fuzz    (default) the system-call fuzzer (user/fuzz/, the fuzz-smp4
#                smoke's system) for N minutes of fuzzing; SOAK_SEED picks
#                the master seed (default: the time, printed at the start),
#                SOAK_CLASSES changes the attack classes ("-vm,-flood"),
#                SOAK_FUZZ_ARGS adds options of the fuzz program (e.g.
#                "child=244" replays one child of the seed, "slots=1").  At
#                each progress line the fuzzer holds still SOAK_HOLD_MS ms
#                while soak.py samples the kernel's memory (docs/fuzzing.md)
#   SOAK=stress  the SMP stress run (user/tests/stress.c, the stress-smp4
#                smoke's system) for N minutes
#   SOAK=all     the stress run, then the fuzzer, N minutes each
#
# SOAK_APPEND is the kernel command line of the boot (e.g. ipcfast=0 to
# soak the IPC path without its fast path, docs/ipc.md).
# The manifest of the smoke is rewritten with the duration, the progress
# interval (and the fuzzer's seed and classes) in the program's argv.  The
# fuzzer and the stress program each probe free physical memory by mapping
# until the kernel has none left, so they do not run in the same boot.

SOAK ?= fuzz
SOAK_MINUTES ?= 10
SOAK_PROGRESS ?= 60
ifndef SOAK_SEED
SOAK_SEED := $(shell date +%s)
endif
SOAK_CLASSES ?=
SOAK_FUZZ_ARGS ?=
SOAK_HOLD_MS ?= 3000
SOAK_HANG ?= 120
SOAK_APPEND ?=
SOAK_SECONDS = $(shell echo $$(( $(SOAK_MINUTES) * 60 )))
SOAK_STRESS_ARGV = "stress", "$(SOAK_SECONDS)", "$(SOAK_PROGRESS)"
SOAK_FUZZ_ARGV = "fuzz", "$(SOAK_SECONDS)", "$(SOAK_PROGRESS)", "$(SOAK_SEED)", \
    "hold=$(SOAK_HOLD_MS)"$(if $(SOAK_CLASSES),$(comma) "classes=$(SOAK_CLASSES)")$(foreach \
    a,$(SOAK_FUZZ_ARGS),$(comma) "$(a)")
comma := ,

SOAK_TARGETS := $(if $(filter all,$(SOAK)),soak-stress soak-fuzz,soak-$(SOAK))

# One after the other, even under make -j.
soak: kernel user
	$(Q)case "$(SOAK)" in fuzz|stress|all) ;; \
	    *) echo "soak: SOAK must be fuzz, stress or all"; exit 1;; esac
	$(Q)for t in $(SOAK_TARGETS); do $(MAKE) --no-print-directory $$t || exit 1; done

# Regenerated every time: the duration comes from the command line.
soak-stress: kernel user
	@mkdir -p $(B)/soak
	$(Q)sed 's/argv = \["stress", "[0-9]*"\]/argv = [$(SOAK_STRESS_ARGV)]/' \
	    system/smoke-stress.capnp > $(B)/soak/stress.capnp
	$(Q)grep -qF 'argv = [$(SOAK_STRESS_ARGV)]' $(B)/soak/stress.capnp || \
	    { echo "soak: could not set the duration in the manifest"; exit 1; }
	$(Q)capnp eval -b -I schema -I $(B)/user/bin $(B)/soak/stress.capnp manifest > $(B)/soak/stress.bin
	$(Q)$(PYTHON) tests/qemu/soak.py --program stress --manifest $(B)/soak/stress.bin \
	    --seconds $(SOAK_SECONDS) --hang $(SOAK_HANG) --append "$(SOAK_APPEND)" \
	    --kernel $(B)/kernel/capos32.elf \
	    --log $(B)/test-logs/soak.log

soak-fuzz: kernel user
	@mkdir -p $(B)/soak
	$(Q)sed 's/argv = \["fuzz", [^]]*\]/argv = [$(SOAK_FUZZ_ARGV)]/' \
	    system/smoke-fuzz.capnp > $(B)/soak/fuzz.capnp
	$(Q)grep -qF 'argv = [$(SOAK_FUZZ_ARGV)]' $(B)/soak/fuzz.capnp || \
	    { echo "soak: could not set the duration in the manifest"; exit 1; }
	$(Q)capnp eval -b -I schema -I $(B)/user/bin $(B)/soak/fuzz.capnp manifest > $(B)/soak/fuzz.bin
	$(Q)$(PYTHON) tests/qemu/soak.py --program fuzz --manifest $(B)/soak/fuzz.bin \
	    --seconds $(SOAK_SECONDS) --hang $(SOAK_HANG) --append "$(SOAK_APPEND)" \
	    --kernel $(B)/kernel/capos32.elf \
	    --log $(B)/test-logs/soak-fuzz.log

.PHONY: soak soak-stress soak-fuzz
