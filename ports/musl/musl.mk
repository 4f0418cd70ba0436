# musl, the C library of capOS's POSIX personality (docs/posix.md).
#
# The build fetches Debian's source package `musl` (MUSL_VERSION) into a
# download cache shared by every build tree (build/ports/cache; fetched once,
# kept across `make clean`), unpacks the upstream tarball, applies the patches
# of this directory and builds libc.a and its crt files with $(CC).  Nothing
# of musl is committed.  The patches send every system call to
# __capos_syscall() in libcapos-posix (user/posix/) and give arch_prctl(SET_FS),
# clone, vfork, sigreturn, the cancellation-point call and a detached thread's
# last moments (__unmapself) dedicated hooks there; nothing else changes.
#
# Output: the sysroot capos-cc compiles and links against,
#   $(POSIX_SYSROOT)/include   musl's headers
#   $(POSIX_SYSROOT)/lib       libc.a, crti.o, crtn.o, the empty libm.a etc.
# (user/posix/posix.mk adds crt1.o, libcapos-posix.a and the link script).

MUSL_VERSION := 1.2.3-1
MUSL_UPSTREAM := 1.2.3
PORTS_CACHE := build/ports/cache
MUSL_PATCHES := $(sort $(wildcard ports/musl/*.patch))
MUSL_SRC := $(B)/ports/musl/src
MUSL_OBJ := $(B)/ports/musl/obj
POSIX_SYSROOT := $(B)/posix/sysroot
MUSL_LIBC := $(POSIX_SYSROOT)/lib/libc.a

$(PORTS_CACHE)/musl_$(MUSL_VERSION).dsc: tools/fetch-debian-source
	@echo "  FETCH   musl $(MUSL_VERSION) (Debian source package)"
	$(Q)tools/fetch-debian-source $(PORTS_CACHE) musl $(MUSL_VERSION) >/dev/null
	$(Q)touch $@

$(MUSL_SRC)/.patched: $(PORTS_CACHE)/musl_$(MUSL_VERSION).dsc $(MUSL_PATCHES)
	@echo "  PATCH   $(MUSL_SRC)"
	$(Q)rm -rf $(MUSL_SRC) $(MUSL_SRC).tmp && mkdir -p $(MUSL_SRC).tmp
	$(Q)tar -xzf $(PORTS_CACHE)/musl_$(MUSL_UPSTREAM).orig.tar.gz -C $(MUSL_SRC).tmp
	$(Q)for p in $(abspath $(MUSL_PATCHES)); do \
	    patch -s -p1 -d $(MUSL_SRC).tmp/musl-$(MUSL_UPSTREAM) < $$p || exit 1; done
	$(Q)mv $(MUSL_SRC).tmp/musl-$(MUSL_UPSTREAM) $(MUSL_SRC) && rmdir $(MUSL_SRC).tmp
	$(Q)touch $@

# Configured out of tree; ARCH comes from $(CC) -dumpmachine (x86_64).
$(MUSL_OBJ)/config.mak: $(MUSL_SRC)/.patched
	@echo "  CONFIG  musl"
	$(Q)rm -rf $(MUSL_OBJ) && mkdir -p $(MUSL_OBJ)
	$(Q)cd $(MUSL_OBJ) && CC="$(CC)" CFLAGS="-O2 -g" $(abspath $(MUSL_SRC))/configure \
	    --prefix=/ --disable-shared --disable-wrapper >config.log 2>&1 || { cat config.log; exit 1; }

# Without a jobserver from the top (plain `make`), build musl on every CPU.
MUSL_JOBS = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(shell nproc))

$(MUSL_LIBC): $(MUSL_OBJ)/config.mak
	@echo "  MAKE    musl (libc.a)"
	$(Q)$(MAKE) -s $(MUSL_JOBS) -C $(MUSL_OBJ) lib/libc.a lib/crti.o lib/crtn.o >/dev/null
	$(Q)$(MAKE) -s -C $(MUSL_OBJ) install-headers install-libs DESTDIR=$(abspath $(POSIX_SYSROOT)) \
	    >/dev/null
	$(Q)touch $@

musl: $(MUSL_LIBC)
.PHONY: musl
