# allowedBinaries is only meaningful for processSpawner.
@0x8ac989ad9daca004;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "console", source = (kernel = (kind = console, allowedBinaries = ["init"]))) ] ) ] );
