# The POSIX differential suite (tests/posix/*.c, docs/posix.md): every
# program is built twice, for capOS with tools/capos-cc and for Linux with
# musl-gcc (the same C library, so only the system below differs); the
# runner (tools/run-tests.py, kind "posix") runs both and compares stdout and
# the exit status.  tests/posix-grants/*.c check on capOS alone what a
# missing grant turns into, tests/posix-hostile/*.c what a program cannot
# do to escape its grants (both built for capOS only).

POSIX_TESTS := $(basename $(notdir $(sort $(wildcard tests/posix/*.c))))
POSIX_TEST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -pthread
POSIX_TEST_BINS := $(foreach t,$(POSIX_TESTS),$(B)/posix-tests/capos/$(t) $(B)/posix-tests/linux/$(t))
POSIX_GRANT_TESTS := $(basename $(notdir $(sort $(wildcard tests/posix-grants/*.c))))
POSIX_TEST_BINS += $(foreach t,$(POSIX_GRANT_TESTS),$(B)/posix-tests/grants/$(t))
POSIX_HOSTILE_TESTS := $(basename $(notdir $(sort $(wildcard tests/posix-hostile/*.c))))
POSIX_TEST_BINS += $(foreach t,$(POSIX_HOSTILE_TESTS),$(B)/posix-tests/hostile/$(t))

$(B)/posix-tests/capos/%: tests/posix/%.c $(POSIX_LIB) $(POSIX_CRT1) tools/capos-cc
	@mkdir -p $(dir $@)
	@echo "  CAPOSCC $@"
	$(Q)CAPOS_BUILD=$(B) CAPOS_CC=$(CC) tools/capos-cc $(POSIX_TEST_CFLAGS) -o $@ $< -lm

$(B)/posix-tests/grants/%: tests/posix-grants/%.c $(POSIX_LIB) $(POSIX_CRT1) tools/capos-cc
	@mkdir -p $(dir $@)
	@echo "  CAPOSCC $@"
	$(Q)CAPOS_BUILD=$(B) CAPOS_CC=$(CC) tools/capos-cc $(POSIX_TEST_CFLAGS) -o $@ $<

$(B)/posix-tests/hostile/%: tests/posix-hostile/%.c $(POSIX_LIB) $(POSIX_CRT1) tools/capos-cc
	@mkdir -p $(dir $@)
	@echo "  CAPOSCC $@"
	$(Q)CAPOS_BUILD=$(B) CAPOS_CC=$(CC) tools/capos-cc $(POSIX_TEST_CFLAGS) -o $@ $<

$(B)/posix-tests/linux/%: tests/posix/%.c
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc -static $(POSIX_TEST_CFLAGS) -o $@ $< -lm

posix-tests: $(POSIX_TEST_BINS)
.PHONY: posix-tests

# The terminal smoke's POSIX program (tests/posix-tty/), which
# system/smoke-terminal-posix.capnp embeds from $(B)/user/bin.
$(B)/user/bin/tty_posix: tests/posix-tty/tty_posix.c $(POSIX_LIB) $(POSIX_CRT1) tools/capos-cc
	@mkdir -p $(dir $@)
	@echo "  CAPOSCC $@"
	$(Q)CAPOS_BUILD=$(B) CAPOS_CC=$(CC) tools/capos-cc $(POSIX_TEST_CFLAGS) -o $@ $<
$(B)/system/smoke-terminal-posix.bin: $(B)/user/bin/tty_posix
