# tools/capnpc-c: the `capnp compile` plugin that writes C bindings for
# lib/capnp (see docs/capnp.md).  It is a host tool built with HOSTCC from
# its own source, lib/capnp and gen/schema.capnp.c, which is the plugin's
# own output for capnp/schema.capnp (it reads its input with itself).
#
#   make capnpc-c     build $(B)/tools/capnpc-c
#
# Running it takes the schema file's SHA-256 in CAPNPC_C_SCHEMA_SHA256, which
# it stamps into every generated file; capnpc_c_run below does that.

CAPNPC_C := $(B)/tools/capnpc-c
CAPNPC_C_SRCS := tools/capnpc-c/capnpc-c.c tools/capnpc-c/rpc.c tools/capnpc-c/desc.c gen/schema.capnp.c \
    $(wildcard lib/capnp/*.c)
CAPNPC_C_CFLAGS := $(COMMON_CFLAGS) -Ilib -Igen -D_DEFAULT_SOURCE

$(CAPNPC_C): $(CAPNPC_C_SRCS) $(wildcard lib/capnp/*.h lib/base/*.h) gen/schema.capnp.h \
    tools/capnpc-c/capnpc-c.h lib/capdesc/capdesc.h lib/rpc/limits.h lib/abi/ring.h
	@mkdir -p $(dir $@)
	@echo "  HOSTLD  $@"
	$(Q)$(HOSTCC) $(CAPNPC_C_CFLAGS) -o $@ $(CAPNPC_C_SRCS)

capnpc-c: $(CAPNPC_C)

# $(call capnpc_c_run,SCHEMA,OUTDIR[,EXTRA capnp FLAGS]): generate OUTDIR/<base>.capnp.{h,c}.
# capnp writes nothing itself; the plugin writes into OUTDIR and fails loudly.
capnpc_c_run = CAPNPC_C_SCHEMA_SHA256=$$(sha256sum $(1) | cut -d' ' -f1) \
    capnp compile -I/usr/include $(3) -o$(abspath $(CAPNPC_C)):$(2) $(1)

.PHONY: capnpc-c

# Build-time fixtures for the capnp host tests.
include tests/capnp/capnp.mk
