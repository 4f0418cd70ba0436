# A grant source this schema does not know (from a newer schema) is refused.
@0xa154c20a35acc277;

using Future = import "future.capnp";

const manifest :Future.SystemManifest = (
  formatVersion = 1,
  binaries = [(name = "init", elf = embed "/tiny.elf")],
  init = "init",
  services = [
    ( name = "s",
      binary = "init",
      grants = [
        (name = "shm", source = (sharedMemory = "ring")) ] ) ] );
