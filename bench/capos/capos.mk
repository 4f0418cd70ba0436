# capOS side of `make bench`: the benchmark manifests booted by
# tools/bench.py.  bench.capnp (one vCPU, icount) and bench-smp2.capnp (two
# vCPUs, icount) embed user/bench/bench.c and ipcsrv.c; bench-scale.capnp
# holds the IPC throughput systems for the multi-threaded TCG boots
# (user/bench/scale.c), one constant per variant and number of pairs,
# evaluated into capos-bench-scale-<constant>.bin.

CAPOS_BENCH_SCALE_SYSTEMS := procs1 procs2 procs4 threads1 threads2 threads4

$(B)/bench/capos-bench.bin: bench/capos/bench.capnp schema/capos.capnp $(USER_PROGS)
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin $< manifest > $@.tmp || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

$(B)/bench/capos-bench-smp2.bin: bench/capos/bench-smp2.capnp bench/capos/bench.capnp \
                                 schema/capos.capnp $(USER_PROGS)
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin $< manifest > $@.tmp || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

$(B)/bench/capos-bench-scale-%.bin: bench/capos/bench-scale.capnp schema/capos.capnp $(USER_PROGS)
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin $< $* > $@.tmp || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

CAPOS_BENCH_DEPS += $(B)/kernel/capos32.elf $(B)/bench/capos-bench.bin \
    $(B)/bench/capos-bench-smp2.bin \
    $(foreach s,$(CAPOS_BENCH_SCALE_SYSTEMS),$(B)/bench/capos-bench-scale-$(s).bin)

# Systems for bench/capos/profile.py (not booted by `make bench`).
$(B)/bench/capos-profile-%.bin: bench/capos/bench.capnp bench/capos/bench-smp2.capnp \
                                schema/capos.capnp $(USER_PROGS)
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)f=bench/capos/bench.capnp; case $* in Xcpu|Same2) f=bench/capos/bench-smp2.capnp;; esac; \
	    capnp eval -b -I schema -I $(B)/user/bin $$f profile$* > $@.tmp || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

bench-profile-images: $(B)/kernel/capos32.elf $(B)/bench/capos-profile-Thread.bin \
    $(B)/bench/capos-profile-Ipc.bin $(B)/bench/capos-profile-Ipc64.bin \
    $(B)/bench/capos-profile-Null.bin $(B)/bench/capos-profile-Nop1.bin \
    $(B)/bench/capos-profile-Nop32.bin $(B)/bench/capos-profile-Spawn.bin \
    $(B)/bench/capos-profile-Xcpu.bin $(B)/bench/capos-profile-Same2.bin
.PHONY: bench-profile-images
