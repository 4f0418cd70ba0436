# Export names are unique within a service.
@0xa5d1b9da12ff215a;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      exports = [(name = "out", interfaceId = 1), (name = "out", interfaceId = 2)] ) ] );
