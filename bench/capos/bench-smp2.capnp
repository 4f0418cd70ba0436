# The capOS benchmark system for two vCPUs under icount: the benchmark in
# its "smp2" mode (client pinned to CPU 0, the server moved to CPU 1 and
# back) and its IPC server; profileXcpu and profileSame2 run the round trip
# across CPUs and on CPU 0 for bench/capos/profile.py.
@0x839031bf88b285d7;

using Capos = import "/capos.capnp";
using Bench = import "bench.capnp";

const manifest :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-smp2", binaries = Bench.binaries, init = "init",
  services = [ Bench.server, (name = "bench", binary = "bench", grants = Bench.benchGrants,
                              argv = [ "bench", "smp2" ]) ] );

const profileXcpu :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-smp2-profile", binaries = Bench.binaries, init = "init",
  services = [ Bench.server, (name = "bench", binary = "bench", grants = Bench.benchGrants,
                              argv = [ "bench", "profile", "xcpu" ]) ] );

const profileSame2 :Capos.SystemManifest = (
  formatVersion = 1, name = "bench-smp2-profile", binaries = Bench.binaries, init = "init",
  services = [ Bench.server, (name = "bench", binary = "bench", grants = Bench.benchGrants,
                              argv = [ "bench", "profile", "ipc-cpu0" ]) ] );
