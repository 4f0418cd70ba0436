# Boot manifests: system/<name>.capnp holds `const manifest :SystemManifest`,
# compiled with `capnp eval -b` into $(B)/system/<name>.bin.  Binaries are
# embedded with `embed "/<program>"`, resolved against $(B)/user/bin.
# `make run SYSTEM=<name>` boots one (tools/tools.mk); system/default.capnp
# is the default.  The first sentence of a file's leading comment describes
# the system (`make systems`).
#
# Every compiled manifest is validated on the host right away, by the same
# code and with the same limits the kernel uses at boot
# ($(B)/tools/manifest-check): a mistake stops the build with one line that
# names the file, e.g.
#   tests/manifest/bad_service_binary.capnp: error: service "s": binary "nope" does not exist

SYSTEM_SRCS := $(sort $(wildcard system/*.capnp))

# Tree lists (system/<name>.tree, tools/mktree.py) become tree images
# $(B)/tree/<name>.tree, which a manifest embeds as its rootTree with
# `rootTree = embed "/<name>.tree"`; @NAME sources are the build's programs.
TREE_SRCS := $(sort $(wildcard system/*.tree))
TREE_IMGS := $(patsubst system/%.tree,$(B)/tree/%.tree,$(TREE_SRCS))
TREE_FILES := $(shell find system/tree -type f 2>/dev/null)

$(B)/tree/%.tree: system/%.tree tools/mktree.py $(TREE_FILES) $(USER_PROGS)
	@mkdir -p $(dir $@)
	@echo "  MKTREE  $@"
	$(Q)$(PYTHON) tools/mktree.py -I $(B)/user/bin $< $@

# Named only by the pattern rule below: kept, not removed as intermediate.
.SECONDARY: $(TREE_IMGS)
SYSTEM_BINS := $(patsubst system/%.capnp,$(B)/system/%.bin,$(SYSTEM_SRCS))

# $(call manifest_build,SOURCE,OUTPUT,EMBED_DIR): compiles SOURCE (binaries
# embedded from EMBED_DIR) and validates the result.  capnp writes partial
# output even when it fails: the output goes to a temporary file that is
# kept only if both steps succeed.
define manifest_build
	@mkdir -p $(dir $(2))
	@echo "  CAPNP   $(2)"
	$(Q)capnp eval -b -I schema -I $(3) -I $(B)/tree $(1) manifest > $(2).tmp || { rm -f $(2).tmp; exit 1; }
	$(Q)$(MANIFEST_CHECK) $(1) $(2).tmp || { rm -f $(2).tmp; exit 1; }
	$(Q)mv $(2).tmp $(2)
endef

$(B)/system/%.bin: system/%.capnp schema/capos.capnp $(USER_PROGS) $(TREE_IMGS) $(MANIFEST_CHECK)
	$(call manifest_build,$<,$@,$(B)/user/bin)

manifests: $(SYSTEM_BINS)
all: manifests
.PHONY: manifests
