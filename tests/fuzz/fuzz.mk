# Fuzz targets: every tests/fuzz/fuzz_<name>.c is a libFuzzer target built
# with clang (ASan+UBSan) against the host build of lib/.  Its seed corpus is
# tests/fuzz/corpus/<name>/ (committed); runs write new inputs to a scratch
# copy under build/, never to the repository.
#
#   make fuzz FUZZ_SECONDS=N    run each target for N seconds (default 60)
# `make test` runs a short pass of each.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))
FUZZ_CFLAGS := -std=c11 $(WARN) -g -O1 -Ilib -Igen -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=all -D_DEFAULT_SOURCE

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_input.h $(LIB_HOST_C) $(GEN_HOST_C)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(LIB_HOST_C) $(GEN_HOST_C)

# fuzz_rpc also drives the client half of the generated RPC layer (argument
# encoders, result decoders), which links against the stubs' plumbing.
$(B)/fuzz/fuzz_rpc: tests/fuzz/fuzz_rpc.c $(LIB_HOST_C) $(GEN_HOST_C) $(GEN_CLIENT_C) user/rt/rpc.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(LIB_HOST_C) $(GEN_HOST_C) $(GEN_CLIENT_C) user/rt/rpc.c

# fuzz_caplua drives capos-lua's conversion (user/caplua/object.c,
# convert.c) through a host build of the port's Lua (its own code compiled
# with ASan only: UBSan findings there are not ours to fix).
FUZZ_CAPLUA_C := user/caplua/object.c user/caplua/convert.c

$(B)/fuzz/lua/.built: $(LUA_SRC)/.patched
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $(dir $@) (Lua)"
	$(Q)for f in $(filter-out %/lua.c %/luac.c,$(wildcard $(LUA_SRC)/src/*.c)); do \
	    $(FUZZ_CC) -std=gnu99 -g -O1 -w -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -fsanitize=address \
	        -fsanitize=fuzzer-no-link -c $$f -o $(dir $@)$$(basename $$f .c).o || exit 1; done
	$(Q)touch $@

$(B)/fuzz/fuzz_caplua: tests/fuzz/fuzz_caplua.c $(B)/fuzz/lua/.built $(FUZZ_CAPLUA_C) \
    user/caplua/caplua.h $(LIB_HOST_C) $(GEN_HOST_C) $(GEN_CLIENT_C) user/rt/rpc.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Iuser/caplua -I$(LUA_SRC)/src -o $@ $< $(FUZZ_CAPLUA_C) \
	    $(LIB_HOST_C) $(GEN_HOST_C) $(GEN_CLIENT_C) user/rt/rpc.c $(B)/fuzz/lua/*.o -lm

# Rewrites the committed seeds of fuzz_rpc from the generated encoders (run
# by hand after a schema change, then commit tests/fuzz/corpus/rpc/).
rpc-fuzz-seeds: $(B)/fuzz/fuzz_rpc
	$(Q)rm -rf tests/fuzz/corpus/rpc && mkdir -p tests/fuzz/corpus/rpc
	$(Q)FUZZ_RPC_SEEDS=tests/fuzz/corpus/rpc $(B)/fuzz/fuzz_rpc

fuzz-build: $(FUZZ_BINS)

fuzz: bootstrap
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)$(PYTHON) tools/run-tests.py --only fuzz --fuzz-seconds $(FUZZ_SECONDS)

# check-gen also fails while the committed seeds differ from what the
# generated encoders write now.
check-gen: check-rpc-fuzz-seeds
check-rpc-fuzz-seeds: $(B)/fuzz/fuzz_rpc
	$(Q)rm -rf $(B)/check-rpc-seeds && mkdir -p $(B)/check-rpc-seeds
	$(Q)FUZZ_RPC_SEEDS=$(B)/check-rpc-seeds $(B)/fuzz/fuzz_rpc >/dev/null
	$(Q)diff -r tests/fuzz/corpus/rpc $(B)/check-rpc-seeds >/dev/null || \
	    { echo "check-gen: tests/fuzz/corpus/rpc is stale; run 'make rpc-fuzz-seeds' and commit"; \
	      exit 1; }
	@echo "check-gen: tests/fuzz/corpus/rpc is current"

.PHONY: fuzz fuzz-build rpc-fuzz-seeds check-rpc-fuzz-seeds
