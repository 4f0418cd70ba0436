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

# The programs the spawn tests start (tests/posix/kids/, the run's working
# directory: tools/run-tests.py, " * cwd: kids"), built both ways (for
# capOS without debug information: they travel in the boot module), and the
# files they fail to start: `corrupt` (an ELF for another machine),
# `garbage` (executable text without "#!"), `noperm` (no execute bit).
POSIX_KIDS := $(basename $(notdir $(sort $(wildcard tests/posix/kids/*.c))))
POSIX_KID_FILES := $(foreach k,$(POSIX_KIDS),kids/$(k)) kids/script kids/corrupt kids/garbage \
    kids/noperm
POSIX_TEST_BINS += $(foreach f,$(POSIX_KID_FILES),$(B)/posix-tests/capos/$(f) \
    $(B)/posix-tests/linux/$(f))

$(B)/posix-tests/capos/kids/%: tests/posix/kids/%.c $(POSIX_LIB) $(POSIX_CRT1) tools/capos-cc
	@mkdir -p $(dir $@)
	@echo "  CAPOSCC $@"
	$(Q)CAPOS_BUILD=$(B) CAPOS_CC=$(CC) tools/capos-cc $(POSIX_TEST_CFLAGS) -o $@ $<
	$(Q)objcopy --strip-debug $@

$(B)/posix-tests/linux/kids/%: tests/posix/kids/%.c
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc -static $(POSIX_TEST_CFLAGS) -o $@ $<

$(B)/posix-tests/%/kids/script: tests/posix/kids/script
	@mkdir -p $(dir $@)
	$(Q)cp $< $@ && chmod 755 $@

# e_machine (offset 18) 40, ARM: a well-formed ELF no x86_64 kernel runs.
$(B)/posix-tests/%/kids/corrupt: $(B)/posix-tests/%/kids/kid_exit
	$(Q)cp $< $@ && printf '\050' | dd of=$@ bs=1 seek=18 conv=notrunc status=none

$(B)/posix-tests/%/kids/garbage:
	@mkdir -p $(dir $@)
	$(Q)printf 'not a program\n' > $@ && chmod 755 $@

$(B)/posix-tests/%/kids/noperm: $(B)/posix-tests/%/kids/kid_exit
	$(Q)cp $< $@ && chmod 644 $@

posix-tests: $(POSIX_TEST_BINS)
.PHONY: posix-tests

# The terminal smoke's POSIX program (tests/posix-tty/), which
# system/smoke-terminal-posix.capnp embeds from $(B)/user/bin.
$(B)/user/bin/tty_posix: tests/posix-tty/tty_posix.c $(POSIX_LIB) $(POSIX_CRT1) tools/capos-cc
	@mkdir -p $(dir $@)
	@echo "  CAPOSCC $@"
	$(Q)CAPOS_BUILD=$(B) CAPOS_CC=$(CC) tools/capos-cc $(POSIX_TEST_CFLAGS) -o $@ $<
$(B)/system/smoke-terminal-posix.bin: $(B)/user/bin/tty_posix
