# Measurement, not a smoke: the instructions of arming one Timer.sleep with
# no timer armed and with 10,000 armed (user/tests/timer_flood.c, role
# bench).  Boot it under QEMU -icount shift=0,sleep=off on one CPU, where the
# TSC counts guest instructions (docs/timers.md gives the command).
@0xcf0c26ef4243ed52;

using Capos = import "/capos.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "timerq-bench",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "timer_flood", elf = embed "/timer_flood"),
  ],
  init = "init",
  services = [
    (name = "bench", binary = "timer_flood", argv = ["timer_flood", "bench"],
     grants = [
       (name = "console", source = (kernel = (kind = console))),
       (name = "timer", source = (kernel = (kind = timer))),
       (name = "memory", source = (kernel = (kind = virtualMemory))),
       (name = "threads", source = (kernel = (kind = threadSpawner))),
       (name = "spawner", source = (kernel = (kind = processSpawner))),
     ]),
  ],
);
