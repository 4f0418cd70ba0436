# dash, the Debian Almquist shell: /bin/sh of the default system (docs/shell.md).
#
# Nothing of dash is committed: the build fetches Debian's source package
# `dash` (DASH_VERSION) into the download cache, unpacks the upstream
# tarball and applies the Debian package's own patch series, so that the
# shell is the one Debian ships, and regenerates the build files as
# Debian's build does (autoreconf: two of the patches change
# configure.ac and src/Makefile.am).  capOS adds no patch.  dash's configure
# runs with tools/capos-cc as the compiler; the generators it runs at build
# time (mksyntax, mknodes, mkinit, mksignames) are built for the host.
#
# Output:
#   $(DASH_BIN)/dash          with debug information (for gdb)
#   $(B)/user/bin/dash        without it: /bin/dash and /bin/sh in the default
#                             root tree (system/default.tree)

DASH_VERSION := 0.5.12-2
DASH_UPSTREAM := 0.5.12
DASH_SRC := $(B)/ports/dash/src
DASH_BIN := $(B)/ports/dash/bin

$(PORTS_CACHE)/dash_$(DASH_VERSION).dsc: tools/fetch-debian-source
	@echo "  FETCH   dash $(DASH_VERSION) (Debian source package)"
	$(Q)tools/fetch-debian-source $(PORTS_CACHE) dash $(DASH_VERSION) >/dev/null
	$(Q)touch $@

$(DASH_SRC)/.patched: $(PORTS_CACHE)/dash_$(DASH_VERSION).dsc
	@echo "  PATCH   $(DASH_SRC)"
	$(Q)rm -rf $(DASH_SRC) $(DASH_SRC).tmp && mkdir -p $(DASH_SRC).tmp
	$(Q)tar -xzf $(PORTS_CACHE)/dash_$(DASH_UPSTREAM).orig.tar.gz -C $(DASH_SRC).tmp
	$(Q)tar -xJf $(PORTS_CACHE)/dash_$(DASH_VERSION).debian.tar.xz -C $(DASH_SRC).tmp
	$(Q)for p in $$(grep -v '^#' $(DASH_SRC).tmp/debian/patches/series); do \
	    patch -s -p1 -d $(DASH_SRC).tmp/dash-$(DASH_UPSTREAM) \
	        < $(DASH_SRC).tmp/debian/patches/$$p || exit 1; done
	$(Q)cd $(DASH_SRC).tmp/dash-$(DASH_UPSTREAM) && autoreconf -fi >/dev/null 2>&1
	$(Q)mv $(DASH_SRC).tmp/dash-$(DASH_UPSTREAM) $(DASH_SRC) && rm -rf $(DASH_SRC).tmp
	$(Q)touch $@

# configure once per source tree and driver; the program is always linked
# again (libcapos-posix may have changed) and everything is compiled again
# when musl or the driver changed.
$(DASH_SRC)/.configured: $(DASH_SRC)/.patched tools/capos-cc $(MUSL_LIBC)
	@echo "  CONFIG  dash"
	$(Q)cd $(DASH_SRC) && CAPOS_CC=$(CC) CC="$(abspath tools/capos-cc)" CC_FOR_BUILD=gcc \
	    ./configure --host=x86_64-linux-musl --build=x86_64-linux-gnu --enable-static \
	    >configure.out 2>&1 || { tail -20 configure.out; exit 1; }
	$(Q)$(MAKE) -s -C $(DASH_SRC) clean >/dev/null 2>&1 || true
	$(Q)touch $@

# CC on the inner make's command line: a CC given to ours (make CC=clang)
# reaches it through MAKEFLAGS and would replace the driver.
$(DASH_BIN)/dash: $(DASH_SRC)/.configured $(POSIX_LIB) $(POSIX_CRT1) $(MUSL_LIBC)
	@echo "  MAKE    dash"
	$(Q)rm -f $(DASH_SRC)/src/dash
	$(Q)CAPOS_CC=$(CC) $(MAKE) -s -C $(DASH_SRC) CC="$(abspath tools/capos-cc)" CC_FOR_BUILD=gcc \
	    >$(DASH_SRC)/make.out 2>&1 \
	    || { tail -30 $(DASH_SRC)/make.out; exit 1; }
	$(Q)mkdir -p $(DASH_BIN)
	$(Q)cp $(DASH_SRC)/src/dash $@

$(B)/user/bin/dash: $(DASH_BIN)/dash
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) --strip-debug $< $@

$(B)/tree/default.tree: $(B)/user/bin/dash

dash: $(B)/user/bin/dash
all: dash
.PHONY: dash
$(B)/system/default.bin: $(B)/user/bin/dash
