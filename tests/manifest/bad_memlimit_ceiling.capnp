# memoryLimit must not exceed the ceiling (1 GiB by default).
@0x9b3c8da1c7a48e5a;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "mem", source = (kernel = (kind = virtualMemory, memoryLimit = 2147483648))) ] ) ] );
