# Build-time fixtures for the capnp host tests, made by the capnp tool so that
# our reader is checked against the reference encoder (never hand-copied
# binaries; deliberately malformed inputs live in the tests themselves).
#
#   fixtures/<Type>-<case>.txt   a <Type> message in text form (wiretest.capnp)
#     -> $(B)/capnp/fixtures/<Type>-<case>.bin      capnp convert text:binary
#     -> $(B)/capnp/fixtures/<Type>-<case>.far.bin  the same in 2-word segments,
#                                                   so it is full of far pointers
#     -> $(B)/capnp/fixtures/<Type>-<case>.txt      the tool's text for the .bin,
#                                                   which our builder must match
#   fixtures.capnp constants
#     -> $(B)/capnp/fixtures/const-<name>.bin       capnp eval -b
#
# Every command writes a temporary file and renames it only on success: capnp
# eval writes output even when it fails.  The host tests find the files
# under $CAPOS_BUILD (default "build").

CAPNP_TEST_SCHEMA := tests/capnp/wiretest.capnp
CAPNP_FIX_DIR := $(B)/capnp/fixtures
CAPNP_FIX_NAMES := $(sort $(basename $(notdir $(wildcard tests/capnp/fixtures/*.txt))))
CAPNP_FIX_CONSTS := manifest shapeFromConsts
CAPNP_FIXTURES := $(foreach n,$(CAPNP_FIX_NAMES),$(addprefix $(CAPNP_FIX_DIR)/$(n),.bin .far.bin .txt)) \
    $(patsubst %,$(CAPNP_FIX_DIR)/const-%.bin,$(CAPNP_FIX_CONSTS))
capnp_fix_type = $(firstword $(subst -, ,$(notdir $(1))))

$(CAPNP_FIX_DIR)/%.bin: tests/capnp/fixtures/%.txt $(CAPNP_TEST_SCHEMA)
	@mkdir -p $(dir $@)
	$(Q)capnp convert text:binary $(CAPNP_TEST_SCHEMA) $(call capnp_fix_type,$*) < $< > $@.tmp
	$(Q)mv $@.tmp $@

$(CAPNP_FIX_DIR)/%.far.bin: tests/capnp/fixtures/%.txt $(CAPNP_TEST_SCHEMA)
	@mkdir -p $(dir $@)
	$(Q)capnp convert text:binary --segment-size=2 $(CAPNP_TEST_SCHEMA) \
	    $(call capnp_fix_type,$*) < $< > $@.tmp
	$(Q)mv $@.tmp $@

$(CAPNP_FIX_DIR)/%.txt: $(CAPNP_FIX_DIR)/%.bin
	$(Q)capnp convert binary:text $(CAPNP_TEST_SCHEMA) $(call capnp_fix_type,$*) < $< > $@.tmp
	$(Q)mv $@.tmp $@

$(CAPNP_FIX_DIR)/const-%.bin: tests/capnp/fixtures.capnp $(CAPNP_TEST_SCHEMA) schema/capos.capnp
	@mkdir -p $(dir $@)
	$(Q)capnp eval -b $< $* > $@.tmp || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

capnp-fixtures: $(CAPNP_FIXTURES)

# The host test binary reads the fixtures at run time; order-only, so that the
# link line ($^) never sees them.
$(B)/host/run-tests: | $(CAPNP_FIXTURES)

.PHONY: capnp-fixtures

# Refreshes the committed fuzz seed corpus from the fixtures (run by hand,
# then commit tests/fuzz/corpus/capnp/): every single-segment fixture, the
# smaller multi-segment ones and the eval-built constants.
CAPNP_SEEDS := $(filter-out %AllTypes-full.far.bin,$(filter %.bin,$(CAPNP_FIXTURES)))
capnp-fuzz-seeds: $(CAPNP_SEEDS)
	$(Q)mkdir -p tests/fuzz/corpus/capnp
	$(Q)for f in $(CAPNP_SEEDS); do cp $$f tests/fuzz/corpus/capnp/$$(basename $$f); done
	@echo "capnp-fuzz-seeds: $(words $(CAPNP_SEEDS)) seeds in tests/fuzz/corpus/capnp"

.PHONY: capnp-fuzz-seeds
