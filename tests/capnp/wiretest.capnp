# Test schema for lib/capnp and tools/capnpc-c: it exercises every schema
# feature the generator supports (all primitive types, text, data, enums,
# structs, unions, groups, named unions, defaults of every kind, lists of
# everything, nested lists, interfaces with inheritance and nested types,
# generics, constants) so that the host tests can cross-check our reader and
# builder against the capnp tool on each of them.  Its interfaces also get
# the RPC layer (tests/host/test_rpc.c, tests/fuzz/fuzz_rpc.c), with the
# annotations of schema/capnpc-c.capnp.
@0x9b25ebcfb5dd2600;

using C = import "../../schema/capnpc-c.capnp";

enum Color {
  red @0;
  green @1;
  blue @2;
}

struct Inner {
  a @0 :UInt32;
  name @1 :Text;
  tags @2 :List(Text);
}

# One field of every kind, no defaults.
struct AllTypes {
  voidField @0 :Void;
  boolField @1 :Bool;
  int8Field @2 :Int8;
  int16Field @3 :Int16;
  int32Field @4 :Int32;
  int64Field @5 :Int64;
  uint8Field @6 :UInt8;
  uint16Field @7 :UInt16;
  uint32Field @8 :UInt32;
  uint64Field @9 :UInt64;
  float32Field @10 :Float32;
  float64Field @11 :Float64;
  textField @12 :Text;
  dataField @13 :Data;
  structField @14 :AllTypes;
  enumField @15 :Color;
  interfaceField @16 :Echo;
  anyField @17 :AnyPointer;

  voidList @18 :List(Void);
  boolList @19 :List(Bool);
  int8List @20 :List(Int8);
  int16List @21 :List(Int16);
  int32List @22 :List(Int32);
  int64List @23 :List(Int64);
  uint8List @24 :List(UInt8);
  uint16List @25 :List(UInt16);
  uint32List @26 :List(UInt32);
  uint64List @27 :List(UInt64);
  float32List @28 :List(Float32);
  float64List @29 :List(Float64);
  textList @30 :List(Text);
  dataList @31 :List(Data);
  structList @32 :List(Inner);
  enumList @33 :List(Color);
  interfaceList @34 :List(Echo);
  nestedList @35 :List(List(Int32));
  textListList @36 :List(List(Text));
  structListList @37 :List(List(Inner));
}

# Every kind of default value.
struct Defaults {
  boolField @0 :Bool = true;
  int8Field @1 :Int8 = -123;
  int16Field @2 :Int16 = -12345;
  int32Field @3 :Int32 = -12345678;
  int64Field @4 :Int64 = -123456789012345;
  uint8Field @5 :UInt8 = 234;
  uint16Field @6 :UInt16 = 45678;
  uint32Field @7 :UInt32 = 3456789012;
  uint64Field @8 :UInt64 = 12345678901234567890;
  float32Field @9 :Float32 = 1234.5;
  float64Field @10 :Float64 = -1.25e-10;
  textField @11 :Text = "foo";
  dataField @12 :Data = 0x"62 61 72";
  structField @13 :Inner = (a = 7, name = "dflt", tags = ["x", "y"]);
  enumField @14 :Color = blue;
  int32List @15 :List(Int32) = [1, -2, 3];
  textList @16 :List(Text) = ["plugh", "xyzzy"];
  structList @17 :List(Inner) = [(a = 1), (a = 2, name = "two")];
  boolList @18 :List(Bool) = [true, false, true];
  nestedList @19 :List(List(UInt8)) = [[1, 2], [], [3]];
  falseBool @20 :Bool = false;
}

# Unions, groups and a named union inside a group.
struct Shape {
  name @0 :Text;
  union {
    circle @1 :Float64;
    rect :group {
      w @2 :UInt32;
      h @3 :UInt32 = 10;
    }
    none @4 :Void;
    poly @5 :List(Point);
    label @6 :Text;
  }
  style :group {
    color @7 :Color = green;
    border :union {
      solid @8 :Void;
      dashed @9 :UInt16 = 3;
      pattern @10 :Text;
    }
  }

  struct Point {
    x @0 :Int32;
    y @1 :Int32;
  }
}

# Schema evolution: New is Old with fields appended.
struct Old {
  a @0 :UInt32;
  t @1 :Text;
}

struct New {
  a @0 :UInt32;
  t @1 :Text;
  b @2 :UInt64 = 42;
  u @3 :Text = "new";
  child @4 :Inner;
  flag @5 :Bool = true;
}

# Recursive type for nesting tests.
struct Tree {
  value @0 :Int32;
  children @1 :List(Tree);
  next @2 :Tree;
}

struct Box(T) {
  value @0 :T;
}

struct Generic {
  boxed @0 :Box(Text);
  inner @1 :Box(Inner);
}

interface Echo {
  echo @0 (msg :Text) -> (reply :Text);
  ping @1 ();
  call @2 (cb :Echo, n :UInt32) -> (value :Inner, caps :List(Echo));
  direct @3 Inner -> Inner;

  struct Note {
    text @0 :Text;
  }
  enum Mode {
    quiet @0;
    loud @1;
  }
}

interface Canvas {
  # What the RPC layer's decoders check beyond plain fields: a struct with a
  # union, groups and a named union inside a group, a list of structs in a
  # union member, enums with and without defaults, annotations.
  draw @0 (shape :Shape $C.required, layer :UInt8 $C.max(9),
           colors :List(Color) $C.maxLen(4)) -> (shapes :List(Shape));
}

interface Sub extends(Echo) {
  extra @0 (mode :Echo.Mode) -> (note :Echo.Note);
  stream @1 (chunk :Data) -> stream;
}

const magic :UInt32 = 0xcafe;
const negative :Int64 = -5;
const flag :Bool = true;
const pi :Float64 = 3.14159;
const ratio :Float32 = 0.5;
const greeting :Text = "hello \"world\"\n";
const someData :Data = 0x"01 02 ff";
const innerConst :Inner = (a = 3);
const favourite :Color = blue;
