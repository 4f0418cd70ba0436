# Smoke test: SerialInput, the bytes typed on the serial console
# (kernel/object/serialin.c): a reader killed while it waits, a second
# reader refused, a read into kernel memory, bad sizes
# (user/tests/serialin.c).  The smoke types when the program is ready.
@0x9708aa3593b2c978;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "serial-input",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "serialin", elf = embed "/serialin"),
  ],
  init = "init",
  services = [
    ( name = "serialin", binary = "serialin",
      grants = [(name = "console", source = (kernel = (kind = console))),
                (name = "input", source = (kernel = (kind = serialInput))),
                (name = "spawner", source = (kernel = (kind = processSpawner)))] ),
  ],
);
