# Services that import from each other in a cycle cannot be started in any
# order: a imports from b, b from c, c from a.
@0x880cdac802b9c0a8;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "a", binary = "init", exports = [(name = "x")],
      grants = [(name = "b", source = (export = (service = "b", export = "x")))] ),
    ( name = "b", binary = "init", exports = [(name = "x")],
      grants = [(name = "c", source = (export = (service = "c", export = "x")))] ),
    ( name = "c", binary = "init", exports = [(name = "x")],
      grants = [(name = "a", source = (export = (service = "a", export = "x")))] ) ] );
