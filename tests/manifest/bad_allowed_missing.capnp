# Every allowedBinaries entry must name a binary.
@0xbc4622acfa148718;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "spawn", source = (kernel = (kind = processSpawner, allowedBinaries = ["init", "nope"]))) ] ) ] );
