# Smoke test: two processes flood the console with maximum-size writes from
# three threads each while an innocent process writes short lines; every
# line must come out whole (user/tests/console_flood.c).  Booted on 4 CPUs.
@0xb41d7e2c93a5f608;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));
const timer :Capos.Grant = (name = "timer", source = (kernel = (kind = timer)));
const memory :Capos.Grant = (name = "memory", source = (kernel = (kind = virtualMemory)));
const threads :Capos.Grant = (name = "threads", source = (kernel = (kind = threadSpawner)));
const park :Capos.Grant = (name = "park", source = (kernel = (kind = parkSpace)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "console-flood",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "console_flood", elf = embed "/console_flood"),
  ],
  init = "init",
  services = [
    (name = "flood-a", binary = "console_flood", argv = ["console_flood", "flood"],
     grants = [.console, .timer, .memory, .threads, .park]),
    (name = "flood-b", binary = "console_flood", argv = ["console_flood", "flood"],
     grants = [.console, .timer, .memory, .threads, .park]),
    (name = "innocent", binary = "console_flood", argv = ["console_flood", "innocent"],
     grants = [.console, .timer, .memory, .threads, .park]),
  ],
);
