# The capOS benchmark system: one program with a console and a timer.
@0xb7465d24c68537c8;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "bench",
  binaries = [ (name = "init", elf = embed "/init"), (name = "bench", elf = embed "/bench") ],
  init = "init",
  services = [
    ( name = "bench", binary = "bench",
      grants = [ (name = "console", source = (kernel = (kind = console))),
                 (name = "timer", source = (kernel = (kind = timer))) ] ),
  ],
);
