# Lua 5.4, the standard interpreter `lua` and the compiler `luac` (docs/lua.md).
#
# Like musl (ports/musl/musl.mk), nothing of Lua is committed: the build
# fetches Debian's source package `lua5.4` (LUA_VERSION) into the download
# cache, unpacks the upstream tarball and applies the Debian package's own
# fixes that change the interpreter (LUA_DEBIAN_PATCHES: two CVE fixes, so
# that it is the interpreter Debian's lua5.4 is; the others only adapt the
# build and the module paths to Debian).  capOS adds no patch.  Lua's own
# makefile builds it with tools/capos-cc for its `posix` platform (POSIX
# calls, no dynamic libraries, no readline).
#
# Output:
#   $(LUA_BIN)/lua, luac           with debug information (for gdb)
#   $(B)/user/bin/lua, luac        without it: what the boot root tree holds
#                                  as /bin/lua and /bin/luac (system/default.tree)
#   $(POSIX_SYSROOT)/lib/liblua.a and include/{lua,luaconf,lualib,lauxlib}.h,
#                                  for programs that embed Lua (capos-cc -llua)

LUA_VERSION := 5.4.4-3+deb12u1
LUA_UPSTREAM := 5.4.4
LUA_DEBIAN_PATCHES := 0004-cve-2022-28805.patch 0005-cve-2022-33099.patch
LUA_SRC := $(B)/ports/lua5.4/src
LUA_BIN := $(B)/ports/lua5.4/bin
LUA_HEADERS := lua.h luaconf.h lualib.h lauxlib.h
LUA_OUT := $(B)/user/bin/lua $(B)/user/bin/luac $(POSIX_SYSROOT)/lib/liblua.a

$(PORTS_CACHE)/lua5.4_$(LUA_VERSION).dsc: tools/fetch-debian-source
	@echo "  FETCH   lua5.4 $(LUA_VERSION) (Debian source package)"
	$(Q)tools/fetch-debian-source $(PORTS_CACHE) lua5.4 $(LUA_VERSION) >/dev/null
	$(Q)touch $@

$(LUA_SRC)/.patched: $(PORTS_CACHE)/lua5.4_$(LUA_VERSION).dsc
	@echo "  PATCH   $(LUA_SRC)"
	$(Q)rm -rf $(LUA_SRC) $(LUA_SRC).tmp && mkdir -p $(LUA_SRC).tmp
	$(Q)tar -xzf $(PORTS_CACHE)/lua5.4_$(LUA_UPSTREAM).orig.tar.gz -C $(LUA_SRC).tmp
	$(Q)tar -xJf $(PORTS_CACHE)/lua5.4_$(LUA_VERSION).debian.tar.xz -C $(LUA_SRC).tmp
	$(Q)for p in $(LUA_DEBIAN_PATCHES); do \
	    patch -s -p1 -d $(LUA_SRC).tmp/lua-$(LUA_UPSTREAM) < $(LUA_SRC).tmp/debian/patches/$$p \
	    || exit 1; done
	$(Q)mv $(LUA_SRC).tmp/lua-$(LUA_UPSTREAM) $(LUA_SRC) && rm -rf $(LUA_SRC).tmp
	$(Q)touch $@

# Lua's makefile builds in its source tree; CC is the capOS driver (its
# gcc or clang following $(CC)).  It sets -O2 and LUA_COMPAT_5_3 as for
# every platform, `posix` adds LUA_USE_POSIX.  Its rules know nothing of
# the sysroot: the programs are always linked again (libcapos-posix may
# have changed), and everything is compiled again when musl or the driver
# changed.
$(LUA_BIN)/lua: $(LUA_SRC)/.patched $(POSIX_LIB) $(POSIX_CRT1) $(MUSL_LIBC) tools/capos-cc
	@echo "  MAKE    lua5.4 (lua, luac, liblua.a)"
	$(Q)$(if $(filter $(MUSL_LIBC) tools/capos-cc,$?),$(MAKE) -s -C $(LUA_SRC)/src clean >/dev/null)
	$(Q)rm -f $(LUA_SRC)/src/lua $(LUA_SRC)/src/luac
	$(Q)CAPOS_CC=$(CC) $(MAKE) -s -C $(LUA_SRC)/src posix CC="$(abspath tools/capos-cc) -std=gnu99" \
	    AR="ar rc" >/dev/null
	$(Q)mkdir -p $(LUA_BIN)
	$(Q)cp $(LUA_SRC)/src/lua $(LUA_SRC)/src/luac $(LUA_BIN)/

$(LUA_BIN)/luac: $(LUA_BIN)/lua

$(B)/user/bin/lua $(B)/user/bin/luac: $(B)/user/bin/%: $(LUA_BIN)/%
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) --strip-debug $< $@

$(POSIX_SYSROOT)/lib/liblua.a: $(LUA_BIN)/lua
	$(Q)cp $(LUA_SRC)/src/liblua.a $@
	$(Q)cp $(addprefix $(LUA_SRC)/src/,$(LUA_HEADERS)) $(POSIX_SYSROOT)/include/

# The default system's root tree holds /bin/lua and /bin/luac.
$(B)/tree/default.tree: $(B)/user/bin/lua $(B)/user/bin/luac

lua: $(LUA_OUT)
all: lua
.PHONY: lua
