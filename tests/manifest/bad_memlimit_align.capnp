# memoryLimit must be a whole number of 4096-byte pages.
@0xf52b0ac05bfb5302;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "mem", source = (kernel = (kind = virtualMemory, memoryLimit = 4097))) ] ) ] );
