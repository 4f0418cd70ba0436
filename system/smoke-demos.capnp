# Smoke test: the kernel-capability demos, each with just what it needs.
@0x90baf9d8be8e46f1;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));
const timer :Capos.Grant = (name = "timer", source = (kernel = (kind = timer)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "demos",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "hello", elf = embed "/hello"),
    (name = "timer", elf = embed "/timer"),
    (name = "entropy", elf = embed "/entropy"),
    (name = "vm", elf = embed "/vm"),
    (name = "batch", elf = embed "/batch"),
  ],
  init = "init",
  services = [
    (name = "hello", binary = "hello", grants = [.console], argv = ["hello", "world"]),
    (name = "timer", binary = "timer", grants = [.console, .timer]),
    (name = "entropy", binary = "entropy",
     grants = [.console, (name = "entropy", source = (kernel = (kind = entropy)))]),
    (name = "vm", binary = "vm",
     grants = [.console,
               (name = "memory", source = (kernel = (kind = virtualMemory, memoryLimit = 16777216)))]),
    (name = "batch", binary = "batch", grants = [.console, .timer]),
  ],
);
