# A restart mode this schema does not know (from a newer schema) is refused.
@0xc9b8a1144eb372cc;

using Future = import "future.capnp";

const manifest :Future.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      restart = (mode = onDemand) ) ] );
