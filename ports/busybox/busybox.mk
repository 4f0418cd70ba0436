# BusyBox: the everyday tools of the default system, one program with an
# applet per tool (docs/shell.md).
#
# Nothing of BusyBox is committed but its configuration: the build fetches
# Debian's source package `busybox` (BUSYBOX_VERSION) into the download
# cache, unpacks the upstream tarball, applies the Debian package's patch
# series and builds with tools/capos-cc from ports/busybox/busybox.config:
# Debian's defaults with every applet off but the ones listed in
# docs/shell.md, no BusyBox shell (/bin/sh is dash) and a static program.
# capOS adds no patch.  The applets are symbolic links to /bin/busybox in
# the default root tree (system/default.tree), which BusyBox tells apart by
# argv[0].
#
# Output:
#   $(BUSYBOX_BIN)/busybox    with debug information (for gdb)
#   $(B)/user/bin/busybox     without it: /bin/busybox in the default tree

BUSYBOX_VERSION := 1:1.35.0-4+deb12u1
BUSYBOX_DEB := 1.35.0-4+deb12u1
BUSYBOX_UPSTREAM := 1.35.0
BUSYBOX_SRC := $(B)/ports/busybox/src
BUSYBOX_BIN := $(B)/ports/busybox/bin
BUSYBOX_CONFIG := ports/busybox/busybox.config

$(PORTS_CACHE)/busybox_$(BUSYBOX_DEB).dsc: tools/fetch-debian-source
	@echo "  FETCH   busybox $(BUSYBOX_VERSION) (Debian source package)"
	$(Q)tools/fetch-debian-source $(PORTS_CACHE) busybox $(BUSYBOX_VERSION) >/dev/null
	$(Q)touch $@

$(BUSYBOX_SRC)/.patched: $(PORTS_CACHE)/busybox_$(BUSYBOX_DEB).dsc
	@echo "  PATCH   $(BUSYBOX_SRC)"
	$(Q)rm -rf $(BUSYBOX_SRC) $(BUSYBOX_SRC).tmp && mkdir -p $(BUSYBOX_SRC).tmp
	$(Q)tar -xjf $(PORTS_CACHE)/busybox_$(BUSYBOX_UPSTREAM).orig.tar.bz2 -C $(BUSYBOX_SRC).tmp
	$(Q)tar -xJf $(PORTS_CACHE)/busybox_$(BUSYBOX_DEB).debian.tar.xz -C $(BUSYBOX_SRC).tmp
	$(Q)for p in $$(grep -v '^#' $(BUSYBOX_SRC).tmp/debian/patches/series); do \
	    patch -s -p1 -d $(BUSYBOX_SRC).tmp/busybox-$(BUSYBOX_UPSTREAM) \
	        < $(BUSYBOX_SRC).tmp/debian/patches/$$p || exit 1; done
	$(Q)mv $(BUSYBOX_SRC).tmp/busybox-$(BUSYBOX_UPSTREAM) $(BUSYBOX_SRC) && rm -rf $(BUSYBOX_SRC).tmp
	$(Q)touch $@

# BusyBox's kbuild tracks its own dependencies; the configuration and the
# C library are what it cannot see.  oldconfig must change nothing: a
# configuration that no longer matches the source fails the build.
$(BUSYBOX_BIN)/busybox: $(BUSYBOX_SRC)/.patched $(BUSYBOX_CONFIG) $(POSIX_LIB) $(POSIX_CRT1) \
                        $(MUSL_LIBC) tools/capos-cc
	@echo "  MAKE    busybox"
	$(Q)if ! cmp -s $(BUSYBOX_CONFIG) $(BUSYBOX_SRC)/.config.capos; then \
	    $(MAKE) -s -C $(BUSYBOX_SRC) clean >/dev/null 2>&1; \
	    cp $(BUSYBOX_CONFIG) $(BUSYBOX_SRC)/.config && cp $(BUSYBOX_CONFIG) $(BUSYBOX_SRC)/.config.capos; fi
	$(Q)$(if $(filter $(MUSL_LIBC) tools/capos-cc,$?),$(MAKE) -s -C $(BUSYBOX_SRC) clean >/dev/null 2>&1)
	$(Q)rm -f $(BUSYBOX_SRC)/busybox $(BUSYBOX_SRC)/busybox_unstripped
	$(Q)CAPOS_CC=$(CC) $(MAKE) -s -C $(BUSYBOX_SRC) CC="$(abspath tools/capos-cc)" HOSTCC=gcc \
	    busybox_unstripped >$(BUSYBOX_SRC)/make.out 2>&1 || { tail -30 $(BUSYBOX_SRC)/make.out; exit 1; }
	$(Q)mkdir -p $(BUSYBOX_BIN)
	$(Q)cp $(BUSYBOX_SRC)/busybox_unstripped $@

$(B)/user/bin/busybox: $(BUSYBOX_BIN)/busybox
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) --strip-debug $< $@

$(B)/tree/default.tree: $(B)/user/bin/busybox

busybox: $(B)/user/bin/busybox
all: busybox
.PHONY: busybox
