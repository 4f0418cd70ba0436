# A later revision of the boot manifest part of schema/capos.capnp, as a
# manifest compiler built from a newer schema would see it: the same wire
# layout (same fields, ordinals and types), plus an enumerant in each enum and
# a member in Grant.source that this validator does not know.  Fixtures named
# bad_future_*.capnp are written against it; the validator must refuse what
# it cannot understand instead of guessing.
#
# Keep the layout in step with schema/capos.capnp: test_manifest.c checks
# that valid_future.capnp, which uses only the known parts, validates.
@0xc395efd70bf91ffa;

struct SystemManifest {
  formatVersion @0 :UInt32;
  name @1 :Text;
  binaries @2 :List(Binary);
  init @3 :Text;
  services @4 :List(Service);
  endpoints @5 :List(Text);
}

struct Binary {
  name @0 :Text;
  elf @1 :Data;
}

struct Service {
  name @0 :Text;
  binary @1 :Text;
  grants @2 :List(Grant);
  exports @3 :List(Export);
  restart @4 :RestartPolicy;
  argv @5 :List(Text);
  env @6 :List(Text);
}

struct Grant {
  name @0 :Text;
  source :union {
    kernel @1 :KernelCap;
    export @2 :ExportRef;
    endpoint @3 :EndpointRef;
    sharedMemory @4 :Text;       # new in this revision
  }
}

struct KernelCap {
  kind @0 :KernelCapKind;
  memoryLimit @1 :UInt64;
  writeOnly @2 :Bool;
  allowedBinaries @3 :List(Text);
  maxWeight @4 :UInt32;
  latency @5 :Bool;
  port @6 :ConsolePort;
}

enum KernelCapKind {
  console @0;
  timer @1;
  entropy @2;
  virtualMemory @3;
  bootPackage @4;
  processSpawner @5;
  threadSpawner @6;
  parkSpace @7;
  schedulingPolicy @8;
  pipeFactory @9;
  serialInput @10;
  interruptLine @11;             # new in this revision
}

enum ConsolePort {
  com1 @0;
  com2 @1;
  com3 @2;
  com4 @3;                       # new in this revision
}

struct ExportRef {
  service @0 :Text;
  export @1 :Text;
  badge @2 :UInt64;
}

struct EndpointRef {
  name @0 :Text;
  role @1 :EndpointRole;
  badge @2 :UInt64;
}

enum EndpointRole {
  client @0;
  server @1;
  observer @2;                   # new in this revision
}

struct Export {
  name @0 :Text;
  interfaceId @1 :UInt64;
}

struct RestartPolicy {
  mode @0 :RestartMode;
  maxRestarts @1 :UInt32;
  backoffMs @2 :UInt32;
}

enum RestartMode {
  never @0;
  onFailure @1;
  always @2;
  onDemand @3;                   # new in this revision
}
