# allowedBinaries must not list a binary twice.
@0xc2b0b3c5b9076d63;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "spawn", source = (kernel = (kind = processSpawner, allowedBinaries = ["init", "init"]))) ] ) ] );
