# capOS side of `make bench`: the benchmark manifest (bench/capos/bench.capnp,
# embedding user/bench/bench.c) booted by tools/bench.py.

$(B)/bench/capos-bench.bin: bench/capos/bench.capnp schema/capos.capnp $(USER_PROGS)
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin $< manifest > $@.tmp || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

CAPOS_BENCH_DEPS += $(B)/kernel/capos32.elf $(B)/bench/capos-bench.bin
