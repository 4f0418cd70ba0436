# capos-lua (user/caplua/): the Lua interpreter that holds its process's
# capabilities as objects (docs/lua.md, "capos-lua").  A POSIX program:
# built against musl's headers like libcapos-posix, whose ring client,
# CapSet and client plumbing it uses, and linked by tools/capos-cc with the
# port's liblua.a.  The schema travels in the binary as the descriptor
# tables of gen/capos.schema.c.  It goes into the default tree as
# /bin/capos-lua.

CAPLUA_SRCS := $(sort $(wildcard user/caplua/*.c)) lib/capdesc/capdesc.c gen/capos.schema.c
CAPLUA_OBJS := $(patsubst %,$(B)/caplua/obj/%.o,$(CAPLUA_SRCS))
CAPLUA_DBG := $(B)/caplua/capos-lua
CAPLUA := $(B)/user/bin/capos-lua

$(B)/caplua/obj/%.c.o: %.c $(MUSL_LIBC) $(POSIX_SYSROOT)/lib/liblua.a
	@mkdir -p $(dir $@)
	@echo "  PCC     $@"
	$(Q)$(CC) $(POSIX_CFLAGS) -Iuser/posix -c $< -o $@

$(CAPLUA_DBG): $(CAPLUA_OBJS) $(POSIX_LIB) $(POSIX_CRT1) $(POSIX_SYSROOT)/lib/liblua.a tools/capos-cc
	@echo "  LD      $@"
	$(Q)CAPOS_CC=$(CC) tools/capos-cc -o $@ $(CAPLUA_OBJS) -llua -lm

$(CAPLUA): $(CAPLUA_DBG)
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) --strip-debug $< $@

$(B)/tree/default.tree: $(CAPLUA)

caplua: $(CAPLUA)
all: caplua
.PHONY: caplua

-include $(CAPLUA_OBJS:.o=.d)
