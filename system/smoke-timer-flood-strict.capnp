# Smoke test: the timer flood of smoke-timer-flood.capnp on one CPU, where
# the innocent process also checks that its sleeps complete in deadline
# order, equal lengths in the order they were submitted.
@0xd66bf9d7c55a45f8;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));
const timer :Capos.Grant = (name = "timer", source = (kernel = (kind = timer)));
const memory :Capos.Grant = (name = "memory", source = (kernel = (kind = virtualMemory)));
const threads :Capos.Grant = (name = "threads", source = (kernel = (kind = threadSpawner)));
const park :Capos.Grant = (name = "park", source = (kernel = (kind = parkSpace)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "timer-flood-strict",
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
    (name = "innocent", binary = "timer_flood", argv = ["timer_flood", "strict"],
     grants = [.console, .timer, .memory, .threads, .park]),
  ],
);
