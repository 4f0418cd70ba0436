# A kernel capability kind this schema does not know (from a newer schema)
# is refused.
@0xff2b390a51c5a1db;

using Future = import "future.capnp";

const manifest :Future.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "irq", source = (kernel = (kind = interruptLine))) ] ) ] );
