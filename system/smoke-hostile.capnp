# Smoke test: hostile processes next to an innocent one.  The innocent one
# must finish correctly; the kernel must not panic.
@0xf2151085f2f90345;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));
const timer :Capos.Grant = (name = "timer", source = (kernel = (kind = timer)));
const memory :Capos.Grant =
    (name = "memory", source = (kernel = (kind = virtualMemory, memoryLimit = 4194304)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "hostile",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "hostile", elf = embed "/hostile"),
    (name = "innocent", elf = embed "/innocent"),
  ],
  init = "init",
  services = [
    (name = "innocent", binary = "innocent", grants = [.console, .timer]),
    (name = "garbage", binary = "hostile", grants = [.console, .timer], argv = ["hostile", "garbage"]),
    (name = "quota", binary = "hostile", grants = [.console, .memory], argv = ["hostile", "quota"]),
    (name = "ring-sq", binary = "hostile", grants = [.console], argv = ["hostile", "sq"]),
    (name = "ring-cq", binary = "hostile", grants = [.console], argv = ["hostile", "cq"]),
    (name = "fault", binary = "hostile", grants = [.console], argv = ["hostile", "fault"]),
    (name = "spin", binary = "hostile", grants = [.console], argv = ["hostile", "spin"]),
    (name = "image", binary = "hostile", argv = ["hostile", "image"],
     grants = [.console, (name = "spawner", source = (kernel = (kind = processSpawner)))]),
    (name = "exec", binary = "hostile", argv = ["hostile", "exec"],
     grants = [.console, (name = "spawner", source = (kernel = (kind = processSpawner)))]),
  ],
);
