# Smoke test: a POSIX program whose fds 0, 1 and 2 are the terminal
# (tests/posix-tty/tty_posix.c): isatty, tcsetattr, the window size,
# /dev/tty, and reads while the smoke types.
@0xc8efff7a50277b1f;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "terminal-posix",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "terminal", elf = embed "/terminal"),
    (name = "tty_posix", elf = embed "/tty_posix"),
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
    ( name = "tty_posix", binary = "tty_posix",
      grants = [(name = "timer", source = (kernel = (kind = timer))),
                (name = "memory", source = (kernel = (kind = virtualMemory))),
                (name = "threads", source = (kernel = (kind = threadSpawner))),
                (name = "park", source = (kernel = (kind = parkSpace))),
                (name = "terminal", source = (export = (service = "terminal", export = "terminal")))] ),
  ],
);
