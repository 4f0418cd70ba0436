# The POSIX benchmark systems: bench/posix/posix_bench.c (constant manifest)
# and the hello world of the memory row (constant hello), each alone with
# init, booted on one vCPU under icount.  The programs get the POSIX
# personality's grants, with the system console as stdout (their BENCH
# lines go where tools/bench.py reads them).  profilePipe is the benchmark
# in its profiling mode (bench/capos/profile.py posix-pipe).  files is the
# file rows (bench/posix/posix_files.c) with the file service, whose root
# (holding /tmp) the program gets as "root".  fsCalls is the file
# service's own calls (user/bench/fscalls.c); profileFsOpen and
# profileFsList are it in its profiling modes (bench/capos/profile.py
# fs-open, fs-list).  lua is the Lua rows (bench/posix/lua_bench.c) alone.
@0xe4b1c7a9d3f20685;

using Capos = import "/capos.capnp";

const posixGrants :List(Capos.Grant) = [
  (name = "console", source = (kernel = (kind = console))),
  (name = "timer", source = (kernel = (kind = timer))),
  (name = "entropy", source = (kernel = (kind = entropy))),
  (name = "memory", source = (kernel = (kind = virtualMemory))),
  (name = "threads", source = (kernel = (kind = threadSpawner))),
  (name = "park", source = (kernel = (kind = parkSpace))),
  (name = "pipes", source = (kernel = (kind = pipeFactory))) ];

const manifest :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-posix",
  binaries = [ (name = "init", elf = embed "/init"),
               (name = "posix_bench", elf = embed "/posix_bench") ],
  init = "init",
  services = [ (name = "posix-bench", binary = "posix_bench", argv = [ "posix_bench" ],
                grants = .posixGrants) ] );

const hello :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-posix-hello",
  binaries = [ (name = "init", elf = embed "/init"),
               (name = "posix_hello", elf = embed "/posix_hello") ],
  init = "init",
  services = [ (name = "posix-hello", binary = "posix_hello", argv = [ "posix_hello" ],
                grants = .posixGrants) ] );

const lua :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-lua",
  binaries = [ (name = "init", elf = embed "/init"),
               (name = "lua_bench", elf = embed "/lua_bench") ],
  init = "init",
  services = [ (name = "lua-bench", binary = "lua_bench", argv = [ "lua_bench" ],
                grants = .posixGrants) ] );

const profilePipe :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-posix-profile",
  binaries = [ (name = "init", elf = embed "/init"),
               (name = "posix_bench", elf = embed "/posix_bench") ],
  init = "init",
  services = [ (name = "posix-bench", binary = "posix_bench",
                argv = [ "posix_bench", "profile", "pipe_rt" ], grants = .posixGrants) ] );

const files :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-posix-files",
  binaries = [ (name = "init", elf = embed "/init"),
               (name = "filesrv", elf = embed "/filesrv"),
               (name = "posix_files", elf = embed "/posix_files") ],
  init = "init",
  rootTree = embed "/spawn.tree",
  services = [
    (name = "filesrv", binary = "filesrv", argv = [ "filesrv", "67108864", "16384", "0", "tmp" ],
     grants = [ (name = "console", source = (kernel = (kind = console))),
                (name = "timer", source = (kernel = (kind = timer))),
                (name = "memory", source = (kernel = (kind = virtualMemory,
                                                      memoryLimit = 134217728))),
                (name = "boot", source = (kernel = (kind = bootPackage))) ],
     exports = [ (name = "files", interfaceId = 0x9477931dead40130) ]),
    (name = "posix-files", binary = "posix_files", argv = [ "posix_files" ],
     grants = [ (name = "console", source = (kernel = (kind = console))),
                (name = "timer", source = (kernel = (kind = timer))),
                (name = "entropy", source = (kernel = (kind = entropy))),
                (name = "memory", source = (kernel = (kind = virtualMemory))),
                (name = "threads", source = (kernel = (kind = threadSpawner))),
                (name = "park", source = (kernel = (kind = parkSpace))),
                (name = "pipes", source = (kernel = (kind = pipeFactory))),
                (name = "spawner", source = (kernel = (kind = processSpawner))),
                (name = "root", source = (export = (service = "filesrv", export = "files"))) ]) ] );

const fsCalls :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-fs-calls",
  binaries = [ (name = "init", elf = embed "/init"),
               (name = "filesrv", elf = embed "/filesrv"),
               (name = "fscalls", elf = embed "/fscalls") ],
  init = "init",
  services = [
    (name = "filesrv", binary = "filesrv", argv = [ "filesrv", "67108864", "16384", "5" ],
     grants = [ (name = "console", source = (kernel = (kind = console))),
                (name = "timer", source = (kernel = (kind = timer))),
                (name = "memory", source = (kernel = (kind = virtualMemory,
                                                      memoryLimit = 134217728))) ],
     exports = [ (name = "files", interfaceId = 0x9477931dead40130) ]),
    (name = "fscalls", binary = "fscalls",
     grants = [ (name = "console", source = (kernel = (kind = console))),
                (name = "root", source = (export = (service = "filesrv", export = "files"))),
                (name = "stop", source = (export = (service = "filesrv", export = "files",
                                                    badge = 5))) ]) ] );

const profileFsOpen :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-fs-profile",
  binaries = [ (name = "init", elf = embed "/init"),
               (name = "filesrv", elf = embed "/filesrv"),
               (name = "fscalls", elf = embed "/fscalls") ],
  init = "init",
  services = [
    (name = "filesrv", binary = "filesrv", argv = [ "filesrv", "67108864", "16384", "5" ],
     grants = [ (name = "console", source = (kernel = (kind = console))),
                (name = "timer", source = (kernel = (kind = timer))),
                (name = "memory", source = (kernel = (kind = virtualMemory,
                                                      memoryLimit = 134217728))) ],
     exports = [ (name = "files", interfaceId = 0x9477931dead40130) ]),
    (name = "fscalls", binary = "fscalls", argv = [ "fscalls", "profile", "open" ],
     grants = [ (name = "console", source = (kernel = (kind = console))),
                (name = "timer", source = (kernel = (kind = timer))),
                (name = "root", source = (export = (service = "filesrv", export = "files"))),
                (name = "stop", source = (export = (service = "filesrv", export = "files",
                                                    badge = 5))) ]) ] );

const profileFsList :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-fs-profile",
  binaries = [ (name = "init", elf = embed "/init"),
               (name = "filesrv", elf = embed "/filesrv"),
               (name = "fscalls", elf = embed "/fscalls") ],
  init = "init",
  services = [
    (name = "filesrv", binary = "filesrv", argv = [ "filesrv", "67108864", "16384", "5" ],
     grants = [ (name = "console", source = (kernel = (kind = console))),
                (name = "timer", source = (kernel = (kind = timer))),
                (name = "memory", source = (kernel = (kind = virtualMemory,
                                                      memoryLimit = 134217728))) ],
     exports = [ (name = "files", interfaceId = 0x9477931dead40130) ]),
    (name = "fscalls", binary = "fscalls", argv = [ "fscalls", "profile", "list" ],
     grants = [ (name = "console", source = (kernel = (kind = console))),
                (name = "timer", source = (kernel = (kind = timer))),
                (name = "root", source = (export = (service = "filesrv", export = "files"))),
                (name = "stop", source = (export = (service = "filesrv", export = "files",
                                                    badge = 5))) ]) ] );
