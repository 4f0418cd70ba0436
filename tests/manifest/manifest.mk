# Boot manifest fixtures for tests/host/test_manifest.c and the fuzz_manifest
# seed corpus, made at build time by the capnp tool.
#
#   tests/manifest/tiny.c -> $(B)/manifest/tiny.elf       tiny static executable,
#                                                         an init program (its note)
#                         -> $(B)/manifest/plain.elf      the same without the note
#                         -> $(B)/manifest/execstack.elf  plain.elf asking for an
#                                                         executable stack (refused)
#   tests/manifest/valid_*.capnp, bad_*.capnp
#     -> $(B)/manifest/<name>.bin     capnp eval -b <file> manifest
#   valid_full.bin -> valid_full.far.bin  the same message re-encoded in small
#                                         segments, so it is full of far pointers
#
# Each fixture imports "/capos.capnp" (found through -I schema) and embeds the
# ELF files as "/tiny.elf" (found through -I $(B)/manifest).  capnp writes
# output even when it fails, so every command writes a temporary file and
# renames it only on success.
#
#   make manifest-corpus   rewrite tests/fuzz/corpus/manifest from the fixtures

MANIFEST_FIX_DIR := $(B)/manifest
MANIFEST_FIX_SRCS := $(sort $(wildcard tests/manifest/valid_*.capnp tests/manifest/bad_*.capnp))
MANIFEST_FIX_BINS := $(patsubst tests/manifest/%.capnp,$(MANIFEST_FIX_DIR)/%.bin,$(MANIFEST_FIX_SRCS))
MANIFEST_FIX_ELFS := $(MANIFEST_FIX_DIR)/tiny.elf $(MANIFEST_FIX_DIR)/plain.elf \
    $(MANIFEST_FIX_DIR)/execstack.elf
MANIFEST_FIXTURES := $(MANIFEST_FIX_ELFS) $(MANIFEST_FIX_BINS) $(MANIFEST_FIX_DIR)/valid_full.far.bin
MANIFEST_ELF_CFLAGS := -Ilib -Os -static -nostdlib -ffreestanding -fno-pie -fno-stack-protector \
    -fno-asynchronous-unwind-tables -s -Wl,-e,_start -Wl,--build-id=none -Wl,-z,noseparate-code

$(MANIFEST_FIX_DIR)/tiny.elf: MANIFEST_ELF_LINK := -Wl,-z,noexecstack
$(MANIFEST_FIX_DIR)/plain.elf: MANIFEST_ELF_LINK := -Wl,-z,noexecstack -DTINY_PLAIN
# ld warns that the stack is executable; that is the point of this fixture.
$(MANIFEST_FIX_DIR)/execstack.elf: MANIFEST_ELF_LINK := -Wl,-z,execstack -Wl,--no-warn-execstack \
    -DTINY_PLAIN

$(MANIFEST_FIX_ELFS): tests/manifest/tiny.c lib/abi/note.h tests/manifest/manifest.mk
	@mkdir -p $(dir $@)
	@echo "  ELFFIX  $@"
	$(Q)$(HOSTCC) $(MANIFEST_ELF_CFLAGS) $(MANIFEST_ELF_LINK) -o $@ $<

$(MANIFEST_FIX_DIR)/%.bin: tests/manifest/%.capnp tests/manifest/future.capnp schema/capos.capnp \
    $(MANIFEST_FIX_ELFS)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(MANIFEST_FIX_DIR) $< manifest > $@.tmp || \
	    { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

$(MANIFEST_FIX_DIR)/valid_full.far.bin: $(MANIFEST_FIX_DIR)/valid_full.bin
	$(Q)capnp convert binary:text schema/capos.capnp SystemManifest < $< > $@.txt || \
	    { rm -f $@.txt; exit 1; }
	$(Q)capnp convert text:binary --segment-size=16 schema/capos.capnp SystemManifest \
	    < $@.txt > $@.tmp || { rm -f $@.txt $@.tmp; exit 1; }
	$(Q)rm -f $@.txt && mv $@.tmp $@

# The build's own manifest rule (manifest_build, system/system.mk: compile,
# then validate on the host) applied to the fixtures, for the test that a
# mistake stops the build with a message naming the file
# (tools/run-tests.py, check/manifest-build): every valid_* builds, every
# bad_* fails.
$(MANIFEST_FIX_DIR)/built/%.bin: tests/manifest/%.capnp tests/manifest/future.capnp \
    schema/capos.capnp $(MANIFEST_FIX_ELFS) $(MANIFEST_CHECK)
	$(call manifest_build,$<,$@,$(MANIFEST_FIX_DIR))

manifest-fixtures: $(MANIFEST_FIXTURES)

# The host tests read the fixtures at run time; order-only, so that the link
# line ($^) never sees them.
$(B)/host/run-tests: | $(MANIFEST_FIXTURES)

# The committed seed corpus: every valid fixture plus a few refused ones that
# reach deep into the validator (grants, the import graph).
MANIFEST_CORPUS_SEEDS := $(filter $(MANIFEST_FIX_DIR)/valid_%,$(MANIFEST_FIX_BINS)) \
    $(MANIFEST_FIX_DIR)/valid_full.far.bin \
    $(addprefix $(MANIFEST_FIX_DIR)/,bad_cycle.bin bad_export_missing.bin bad_allowed_dup.bin \
        bad_future_source.bin bad_server_badge.bin bad_env_emptykey.bin)

manifest-corpus: $(MANIFEST_CORPUS_SEEDS)
	$(Q)rm -rf tests/fuzz/corpus/manifest && mkdir -p tests/fuzz/corpus/manifest
	$(Q)cp $^ tests/fuzz/corpus/manifest/
	@echo "manifest-corpus: wrote $(words $^) seeds to tests/fuzz/corpus/manifest"

.PHONY: manifest-fixtures manifest-corpus
