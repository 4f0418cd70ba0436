# Smoke test: two hostile processes arm about 10,000 timers (thousands due in
# the same tick, thousands cancelled by thread and process exits) while an
# innocent process's sleeps must still complete in time
# (user/tests/timer_flood.c).  Booted on 4 CPUs.
@0xd1a6e55e9b9b1325;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));
const timer :Capos.Grant = (name = "timer", source = (kernel = (kind = timer)));
const memory :Capos.Grant = (name = "memory", source = (kernel = (kind = virtualMemory)));
const threads :Capos.Grant = (name = "threads", source = (kernel = (kind = threadSpawner)));
const park :Capos.Grant = (name = "park", source = (kernel = (kind = parkSpace)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "timer-flood",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "timer_flood", elf = embed "/timer_flood"),
  ],
  init = "init",
  services = [
    (name = "flood-a", binary = "timer_flood", argv = ["timer_flood", "flood", "a"],
     grants = [.console, .timer, .memory, .threads, .park]),
    (name = "flood-b", binary = "timer_flood", argv = ["timer_flood", "flood", "b"],
     grants = [.console, .timer, .memory, .threads, .park]),
    (name = "innocent", binary = "timer_flood", argv = ["timer_flood", "innocent"],
     grants = [.console, .timer, .memory, .threads, .park]),
  ],
);
