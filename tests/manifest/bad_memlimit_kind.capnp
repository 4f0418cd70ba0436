# memoryLimit is only meaningful for virtualMemory.
@0xbb48c77fd8e89d55;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "console", source = (kernel = (kind = console, memoryLimit = 4096))) ] ) ] );
