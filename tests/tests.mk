# Tests: host unit tests of lib/ under ASan+UBSan, and the runner that
# executes every test kind and prints the "N passed, N failed" summary.
# Generated code that host code links (gen/*.c) is listed in GEN_HOST_C.

GEN_HOST_C ?=
GEN_CLIENT_C ?=

HOST_TEST_SRCS := $(sort $(wildcard tests/host/*.c)) $(LIB_HOST_C) $(GEN_HOST_C) $(GEN_CLIENT_C) \
    user/rt/rpc.c
HOST_CFLAGS := $(COMMON_CFLAGS) -O1 -Ilib -Igen -Itests/host -fsanitize=address,undefined \
    -fno-sanitize-recover=all -fno-omit-frame-pointer -D_DEFAULT_SOURCE -MMD -MP
HOST_TEST_OBJS := $(patsubst %.c,$(B)/host/%.o,$(HOST_TEST_SRCS))

$(B)/host/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -c $< -o $@

$(B)/host/run-tests: $(HOST_TEST_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $^

host-tests: $(B)/host/run-tests
	$(Q)$(B)/host/run-tests

# Everything the test runner boots or runs.
TEST_DEPS := $(B)/host/run-tests kernel kernel-test user manifests iso fuzz-build posix posix-tests lua caplua \
    $(MANIFEST_CHECK)

test: bootstrap
	$(Q)$(MAKE) --no-print-directory $(TEST_DEPS)
	$(Q)$(PYTHON) tools/run-tests.py

.PHONY: host-tests test
-include tests/elf/elf.mk
-include tests/manifest/manifest.mk
include tests/posix/posix.mk
