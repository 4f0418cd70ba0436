# Smoke test: kernel memory is charged to the process it is held for.
# ledger_driver starts ledger_flood with a 16 MiB quota, which floods
# kernel memory every way it can and must be stopped at its quota each
# time; an innocent process must meanwhile map 4 MiB of its own quota; once
# the flood exits, every frame it made the kernel hold must be back.
@0xc1e5a4b2d7f30961;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "ledger",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "ledger_driver", elf = embed "/ledger_driver"),
    (name = "ledger_flood", elf = embed "/ledger_flood"),
  ],
  init = "init",
  services = [
    (name = "ledger-driver", binary = "ledger_driver", grants = [
      (name = "console", source = (kernel = (kind = console))),
      (name = "timer", source = (kernel = (kind = timer))),
      (name = "memory", source = (kernel = (kind = virtualMemory, memoryLimit = 134217728))),
      (name = "spawner", source = (kernel = (kind = processSpawner))),
    ]),
  ],
);
