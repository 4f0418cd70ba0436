# writeOnly is only meaningful for console.
@0x9caaf7c5f828d9ac;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "timer", source = (kernel = (kind = timer, writeOnly = true))) ] ) ] );
