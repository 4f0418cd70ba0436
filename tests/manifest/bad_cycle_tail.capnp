# The cycle is reported without the services that merely lead into it: d
# imports from a, and a and b import from each other.
@0xdbbf95a26f12df05;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "d", binary = "init",
      grants = [(name = "a", source = (export = (service = "a", export = "x")))] ),
    ( name = "a", binary = "init", exports = [(name = "x")],
      grants = [(name = "b", source = (export = (service = "b", export = "x")))] ),
    ( name = "b", binary = "init", exports = [(name = "x")],
      grants = [(name = "a", source = (export = (service = "a", export = "x")))] ) ] );
