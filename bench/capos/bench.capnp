# The capOS benchmark system: the benchmark program and its IPC server,
# booted on one vCPU under icount.  The benchmark also creates threads, so
# it holds a ThreadSpawner, memory for their stacks and a ParkSpace, and
# spawns the two trivial children (spawnee, spawnee_bare), so it holds a
# ProcessSpawner.
# The profile* constants are the same system with the benchmark in its
# profiling mode for one operation (bench/capos/profile.py).
@0xb7465d24c68537c8;

using Capos = import "/capos.capnp";

const binaries :List(Capos.Binary) = [
  (name = "init", elf = embed "/init"), (name = "bench", elf = embed "/bench"),
  (name = "ipcsrv", elf = embed "/ipcsrv"), (name = "spawnee", elf = embed "/spawnee"),
  (name = "spawnee_bare", elf = embed "/spawnee_bare") ];

const server :Capos.Service = (
  name = "ipcsrv", binary = "ipcsrv",
  grants = [ (name = "console", source = (kernel = (kind = console))) ],
  exports = [ (name = "ipc") ] );

const benchGrants :List(Capos.Grant) = [
  (name = "console", source = (kernel = (kind = console))),
  (name = "timer", source = (kernel = (kind = timer))),
  (name = "memory", source = (kernel = (kind = virtualMemory))),
  (name = "threads", source = (kernel = (kind = threadSpawner))),
  (name = "park", source = (kernel = (kind = parkSpace))),
  (name = "spawner", source = (kernel = (kind = processSpawner))),
  (name = "ipc", source = (export = (service = "ipcsrv", export = "ipc"))) ];

const manifest :Capos.SystemManifest = (
  formatVersion = 1, name = "bench", binaries = .binaries, init = "init",
  services = [ .server, (name = "bench", binary = "bench", grants = .benchGrants) ] );

const profileThread :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-profile", binaries = .binaries, init = "init",
  services = [ .server, (name = "bench", binary = "bench", grants = .benchGrants,
                         argv = [ "bench", "profile", "thread" ]) ] );

const profileIpc :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-profile", binaries = .binaries, init = "init",
  services = [ .server, (name = "bench", binary = "bench", grants = .benchGrants,
                         argv = [ "bench", "profile", "ipc" ]) ] );

const profileIpc64 :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-profile", binaries = .binaries, init = "init",
  services = [ .server, (name = "bench", binary = "bench", grants = .benchGrants,
                         argv = [ "bench", "profile", "ipc64" ]) ] );

const profileNull :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-profile", binaries = .binaries, init = "init",
  services = [ .server, (name = "bench", binary = "bench", grants = .benchGrants,
                         argv = [ "bench", "profile", "null" ]) ] );

const profileNop1 :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-profile", binaries = .binaries, init = "init",
  services = [ .server, (name = "bench", binary = "bench", grants = .benchGrants,
                         argv = [ "bench", "profile", "nop1" ]) ] );

const profileSpawn :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-profile", binaries = .binaries, init = "init",
  services = [ .server, (name = "bench", binary = "bench", grants = .benchGrants,
                         argv = [ "bench", "profile", "spawn" ]) ] );

const profileNop32 :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-profile", binaries = .binaries, init = "init",
  services = [ .server, (name = "bench", binary = "bench", grants = .benchGrants,
                         argv = [ "bench", "profile", "nop32" ]) ] );
