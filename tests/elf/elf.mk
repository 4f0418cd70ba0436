# ELF loader fixtures: tiny static x86_64 executables built with the host
# compiler whenever the host tests are built, and a generated header that
# carries their bytes together with what readelf says about them.
# tests/host/test_elf.c checks elf_parse() against those readelf facts.
#
#   tls_sep     code, rodata, data, bss and TLS; separate code pages (ld's default)
#   tls_nosep   the same, linked with -z noseparate-code (headers share the code page)
#   plain_2m    no TLS; 2 MiB max-page-size, so p_align is 0x200000
#   execstack   linked with -z execstack; must be refused

ELF_FIX_DIR := $(B)/elf
ELF_FIX_CFLAGS := -O1 -static -nostdlib -ffreestanding -fno-pie -fno-stack-protector \
    -fno-asynchronous-unwind-tables -Wl,-e,_start -Wl,--build-id=none
ELF_FIXTURES := $(addprefix $(ELF_FIX_DIR)/,tls_sep.elf tls_nosep.elf plain_2m.elf execstack.elf)

$(ELF_FIX_DIR)/tls_sep.elf: ELF_FIX_LINK := -Wl,-z,separate-code -Wl,-z,noexecstack
$(ELF_FIX_DIR)/tls_nosep.elf: ELF_FIX_LINK := -Wl,-z,noseparate-code -Wl,-z,noexecstack
$(ELF_FIX_DIR)/plain_2m.elf: ELF_FIX_LINK := -Wl,-z,max-page-size=0x200000 \
    -Wl,-z,noseparate-code -Wl,-z,norelro -Wl,-z,noexecstack
# ld warns that the stack is executable; that is the point of this fixture.
$(ELF_FIX_DIR)/execstack.elf: ELF_FIX_LINK := -Wl,-z,execstack -Wl,--no-warn-execstack

$(ELF_FIX_DIR)/tls_sep.elf $(ELF_FIX_DIR)/tls_nosep.elf: tests/elf/tls.c tests/elf/elf.mk
$(ELF_FIX_DIR)/plain_2m.elf $(ELF_FIX_DIR)/execstack.elf: tests/elf/plain.c tests/elf/elf.mk

$(ELF_FIXTURES):
	@mkdir -p $(dir $@)
	@echo "  ELFFIX  $@"
	$(Q)$(HOSTCC) $(ELF_FIX_CFLAGS) $(ELF_FIX_LINK) -o $@ $<

$(ELF_FIX_DIR)/elf_fixtures.h: $(ELF_FIXTURES) tests/elf/mkfixtures.py
	@echo "  GEN     $@"
	$(Q)$(PYTHON) tests/elf/mkfixtures.py $(ELF_FIXTURES) > $@.tmp && mv $@.tmp $@

$(B)/host/tests/host/test_elf.o: $(ELF_FIX_DIR)/elf_fixtures.h
$(B)/host/tests/host/test_elf.o: HOST_CFLAGS += -I$(ELF_FIX_DIR)
