# Boot manifests: system/<name>.capnp holds `const manifest :SystemManifest`,
# compiled with `capnp eval -b` into $(B)/system/<name>.bin.  Binaries are
# embedded with `embed "/<program>"`, resolved against $(B)/user/bin.
# system/default.capnp is what `make run` boots.

SYSTEM_SRCS := $(sort $(wildcard system/*.capnp))
SYSTEM_BINS := $(patsubst system/%.capnp,$(B)/system/%.bin,$(SYSTEM_SRCS))

# capnp writes partial output even when it fails: write to a temporary file
# and keep it only on success.
$(B)/system/%.bin: system/%.capnp schema/capos.capnp $(USER_PROGS)
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin $< manifest > $@.tmp || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

manifests: $(SYSTEM_BINS)
all: manifests
.PHONY: manifests
