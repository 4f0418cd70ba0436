# The POSIX rows of `make bench` (bench/posix/*.c, docs/benchmarks.md): each
# program built for capOS with tools/capos-cc (stripped, embedded by
# bench/capos/bench-posix.capnp) and for Linux with musl-gcc -static (put
# into the Linux benchmark's initramfs, where /init runs it).

POSIX_BENCH_PROGS := posix_bench posix_hello posix_true posix_files
POSIX_BENCH_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -pthread
POSIX_BENCH_CAPOS := $(B)/bench/posix/capos
POSIX_BENCH_LINUX := $(B)/bench/posix/linux

$(POSIX_BENCH_CAPOS)/%: bench/posix/%.c $(POSIX_LIB) $(POSIX_CRT1) tools/capos-cc
	@mkdir -p $(dir $@)
	@echo "  CAPOSCC $@"
	$(Q)CAPOS_BUILD=$(B) CAPOS_CC=$(CC) tools/capos-cc $(POSIX_BENCH_CFLAGS) -o $@.dbg $<
	$(Q)$(OBJCOPY) --strip-debug $@.dbg $@

$(POSIX_BENCH_LINUX)/%: bench/posix/%.c
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc -static $(POSIX_BENCH_CFLAGS) -o $@ $<

$(B)/bench/capos-bench-posix.bin: bench/capos/bench-posix.capnp schema/capos.capnp \
                                  $(B)/user/bin/init $(POSIX_BENCH_CAPOS)/posix_bench
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin -I $(POSIX_BENCH_CAPOS) $< manifest > $@.tmp \
	    || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

$(B)/bench/capos-bench-posix-hello.bin: bench/capos/bench-posix.capnp schema/capos.capnp \
                                        $(B)/user/bin/init $(POSIX_BENCH_CAPOS)/posix_hello
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin -I $(POSIX_BENCH_CAPOS) $< hello > $@.tmp \
	    || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

# The profiling system of bench/capos/profile.py posix-pipe (not booted by
# `make bench`).
$(B)/bench/capos-profile-PosixPipe.bin: bench/capos/bench-posix.capnp schema/capos.capnp \
                                        $(B)/user/bin/init $(POSIX_BENCH_CAPOS)/posix_bench
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin -I $(POSIX_BENCH_CAPOS) $< profilePipe > $@.tmp \
	    || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@
bench-profile-images: $(B)/bench/capos-profile-PosixPipe.bin

# The file rows: bench/posix/posix_files.c with the file service (constant
# files), whose tree holds the program the spawn row starts.
$(B)/bench/posix/spawn.tree: bench/posix/spawn.tree tools/mktree.py $(POSIX_BENCH_CAPOS)/posix_true
	@echo "  MKTREE  $@"
	$(Q)$(PYTHON) tools/mktree.py -I $(POSIX_BENCH_CAPOS) $< $@

$(B)/bench/capos-bench-posix-files.bin: bench/capos/bench-posix.capnp schema/capos.capnp \
                                        $(B)/user/bin/init $(B)/user/bin/filesrv \
                                        $(POSIX_BENCH_CAPOS)/posix_files $(B)/bench/posix/spawn.tree
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin -I $(POSIX_BENCH_CAPOS) -I $(B)/bench/posix \
	    $< files > $@.tmp \
	    || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

# The file service's own calls, the floor under the file rows (constant
# fsCalls, user/bench/fscalls.c).
$(B)/bench/capos-bench-fs-calls.bin: bench/capos/bench-posix.capnp schema/capos.capnp \
                                     $(B)/user/bin/init $(B)/user/bin/filesrv $(B)/user/bin/fscalls
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin -I $(POSIX_BENCH_CAPOS) $< fsCalls > $@.tmp \
	    || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

# Its profiling systems (bench/capos/profile.py fs-open, fs-list; not
# booted by `make bench`).
$(B)/bench/capos-profile-Fs%.bin: bench/capos/bench-posix.capnp schema/capos.capnp \
                                  $(B)/user/bin/init $(B)/user/bin/filesrv $(B)/user/bin/fscalls
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin $< profileFs$* > $@.tmp || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@
bench-profile-images: $(B)/bench/capos-profile-FsOpen.bin $(B)/bench/capos-profile-FsList.bin

# The Lua rows (bench/posix/lua_bench.c): on capOS against the sysroot's
# liblua.a and capos-lua's objects (for the capability call); on Linux
# against a liblua.a built by Lua's own makefile from the same patched
# source with the same target and flags, musl-gcc as the compiler.
LUA_BENCH_LINUX_SRC := $(B)/bench/lua-linux
CAPLUA_BENCH_OBJS := $(filter-out %/main.c.o,$(CAPLUA_OBJS))

$(POSIX_BENCH_CAPOS)/lua_bench: bench/posix/lua_bench.c bench/measure.h $(CAPLUA_BENCH_OBJS)                                 $(POSIX_SYSROOT)/lib/liblua.a $(POSIX_LIB) $(POSIX_CRT1) tools/capos-cc
	@mkdir -p $(dir $@)
	@echo "  CAPOSCC $@"
	$(Q)CAPOS_BUILD=$(B) CAPOS_CC=$(CC) tools/capos-cc $(POSIX_BENCH_CFLAGS) -DCAPLUA_BENCH_CAPS \
	    -Iuser/caplua -Iuser/posix -Iuser/rt -Ilib -Igen -o $@.dbg $< $(CAPLUA_BENCH_OBJS) -llua -lm
	$(Q)$(OBJCOPY) --strip-debug $@.dbg $@

$(LUA_BENCH_LINUX_SRC)/src/liblua.a: $(LUA_SRC)/.patched
	@echo "  MUSLCC  $@"
	$(Q)rm -rf $(LUA_BENCH_LINUX_SRC) && mkdir -p $(dir $(LUA_BENCH_LINUX_SRC))
	$(Q)cp -r $(LUA_SRC) $(LUA_BENCH_LINUX_SRC)
	$(Q)$(MAKE) -s -C $(LUA_BENCH_LINUX_SRC)/src clean >/dev/null
	$(Q)$(MAKE) -s -C $(LUA_BENCH_LINUX_SRC)/src posix CC="musl-gcc -std=gnu99" AR="ar rc" \
	    >/dev/null

$(POSIX_BENCH_LINUX)/lua_bench: bench/posix/lua_bench.c bench/measure.h \
                                $(LUA_BENCH_LINUX_SRC)/src/liblua.a
	@mkdir -p $(dir $@)
	@echo "  MUSLCC  $@"
	$(Q)musl-gcc -static $(POSIX_BENCH_CFLAGS) -I$(LUA_BENCH_LINUX_SRC)/src -o $@ $< \
	    $(LUA_BENCH_LINUX_SRC)/src/liblua.a -lm

$(B)/bench/capos-bench-lua.bin: bench/capos/bench-posix.capnp schema/capos.capnp \
                                $(B)/user/bin/init $(POSIX_BENCH_CAPOS)/lua_bench
	@mkdir -p $(dir $@)
	@echo "  CAPNP   $@"
	$(Q)capnp eval -b -I schema -I $(B)/user/bin -I $(POSIX_BENCH_CAPOS) $< lua > $@.tmp \
	    || { rm -f $@.tmp; exit 1; }
	$(Q)mv $@.tmp $@

POSIX_BENCH_DEPS := $(B)/bench/capos-bench-posix.bin $(B)/bench/capos-bench-posix-hello.bin \
    $(B)/bench/capos-bench-posix-files.bin $(B)/bench/capos-bench-fs-calls.bin \
    $(B)/bench/capos-bench-lua.bin $(POSIX_BENCH_CAPOS)/posix_true
POSIX_BENCH_LINUX_BINS := $(POSIX_BENCH_LINUX)/posix_bench $(POSIX_BENCH_LINUX)/posix_hello \
    $(POSIX_BENCH_LINUX)/posix_files $(POSIX_BENCH_LINUX)/posix_true \
    $(POSIX_BENCH_LINUX)/lua_bench
