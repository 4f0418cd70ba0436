# A service's grants and exports share its CapSet, so a grant cannot have an
# export's name.
@0x8d3113f9e8104916;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "out", source = (kernel = (kind = timer))) ],
      exports = [(name = "out")] ) ] );
