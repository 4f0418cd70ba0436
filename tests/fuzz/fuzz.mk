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

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_HOST_C) $(GEN_HOST_C)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(LIB_HOST_C) $(GEN_HOST_C)

fuzz-build: $(FUZZ_BINS)

fuzz: bootstrap
	$(Q)$(MAKE) --no-print-directory fuzz-build
	$(Q)$(PYTHON) tools/run-tests.py --only fuzz --fuzz-seconds $(FUZZ_SECONDS)

.PHONY: fuzz fuzz-build
