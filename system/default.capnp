# The default system: a dash shell on the serial console's terminal, with BusyBox and the file service's root tree.
# `make run` boots it: init starts the file service (the root tree of
# system/default.tree), the terminal service on the serial line
# (docs/terminal.md) and dash as a login shell whose stdin, stdout and
# stderr are the terminal (docs/shell.md).  The shell is the session:
# `exit` or ^D ends it, init stops the other services and the machine
# halts.  It holds exactly what a user's programs may use: the root
# directory, a process spawner, pipes, a timer, entropy and its memory.
@0xa918642e904fc70b;

using Capos = import "/capos.capnp";

const console :Capos.Grant = (name = "console", source = (kernel = (kind = console)));
const timer :Capos.Grant = (name = "timer", source = (kernel = (kind = timer)));
const memory :Capos.Grant = (name = "memory", source = (kernel = (kind = virtualMemory)));
const threads :Capos.Grant = (name = "threads", source = (kernel = (kind = threadSpawner)));
const park :Capos.Grant = (name = "park", source = (kernel = (kind = parkSpace)));

const manifest :Capos.SystemManifest = (
  formatVersion = 1,
  name = "capOS default system",
  binaries = [
    (name = "init", elf = embed "/init"),
    (name = "filesrv", elf = embed "/filesrv"),
    (name = "terminal", elf = embed "/terminal"),
    (name = "sh", elf = embed "/dash"),
  ],
  rootTree = embed "/default.tree",
  init = "init",
  services = [
    ( name = "filesrv", binary = "filesrv", argv = ["filesrv", "33554432", "8192", "99"],
      grants = [.console, .timer,
                (name = "boot", source = (kernel = (kind = bootPackage))),
                (name = "memory", source = (kernel = (kind = virtualMemory, memoryLimit = 67108864)))],
      exports = [(name = "files", interfaceId = 0x9477931dead40130)] ),
    ( name = "terminal", binary = "terminal",
      grants = [.console, .timer, .memory, .threads, .park,
                (name = "input", source = (kernel = (kind = serialInput)))],
      exports = [(name = "terminal", interfaceId = 0xa30a35ba2accbf14)] ),
    ( name = "sh", binary = "sh", argv = ["-sh"],
      env = ["PATH=/bin", "HOME=/home/user", "CAPOS_POSIX_CWD=/home/user"],
      endsSystem = true,
      grants = [.timer, .memory, .threads, .park,
                (name = "entropy", source = (kernel = (kind = entropy))),
                (name = "pipes", source = (kernel = (kind = pipeFactory))),
                (name = "spawner", source = (kernel = (kind = processSpawner))),
                (name = "root", source = (export = (service = "filesrv", export = "files"))),
                (name = "terminal", source = (export = (service = "terminal", export = "terminal")))] ),
  ],
);
