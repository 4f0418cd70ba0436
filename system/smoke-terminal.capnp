# Smoke test: the terminal service (user/services/terminal.c) on the serial
# console, and a program that reads from it (user/tests/ttyecho.c) while
# the smoke types: line editing, single keys without echo, ^C, ^D; before
# that, a reader that dies waiting.
@0xa5b7e39fc4d0fde4;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "terminal",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "terminal", elf = embed "/terminal"),
    (name = "ttyecho", elf = embed "/ttyecho"),
  ],
  init = "init",
  services = [
    ( name = "terminal", binary = "terminal",
      grants = [.console,
                (name = "input", source = (kernel = (kind = serialInput))),
                (name = "timer", source = (kernel = (kind = timer))),
                (name = "memory", source = (kernel = (kind = virtualMemory))),
                (name = "threads", source = (kernel = (kind = threadSpawner))),
                (name = "park", source = (kernel = (kind = parkSpace)))],
      exports = [(name = "terminal", interfaceId = 0xa30a35ba2accbf14)] ),
    ( name = "ttyecho", binary = "ttyecho",
      grants = [.console,
                (name = "spawner", source = (kernel = (kind = processSpawner))),
                (name = "tty", source = (export = (service = "terminal", export = "terminal")))] ),
  ],
);
