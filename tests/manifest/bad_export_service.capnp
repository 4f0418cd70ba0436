# An imported export must belong to an existing service.
@0xf7881cba0008201e;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "logger",
      binary = "init",
      exports = [(name = "log")] ),
    ( name = "echo",
      binary = "init",
      grants = [(name = "log", source = (export = (service = "logger2", export = "log")))] ) ] );
