# Annotations that tools/capnpc-c understands (docs/capnp.md).
#
# They add what Cap'n Proto itself cannot say about a call's parameters, so
# that the generated decoders check it and every server gets the same checks
# for free, each failure naming its field. They change nothing on the wire:
# a message means the same with or without them. required, maxLen, min and
# max take effect in the RPC layer's decoders, so on the fields of method
# parameters and results and of the structs those carry; elsewhere (the
# boot manifest, say) nothing reads them.

@0xd8d6b00634ec9490;

annotation required @0x8e0427e7aa7e1069 (field, param) :Void;
  # A pointer field (Text, Data, struct, list, capability) that must be set:
  # a null pointer is refused. Cap'n Proto has no presence for other fields,
  # so the generator refuses `required` on them. An explicitly set empty Text
  # or Data is set (non-null).

annotation maxLen @0xc75cc0d807702913 (field, param) :UInt32;
  # The largest length accepted: bytes of Text (without its NUL) or Data,
  # elements of a list.

annotation min @0xae6cd43a6c802f36 (field, param) :UInt64;
annotation max @0xb62a21e62f442ea1 (field, param) :UInt64;
  # Bounds (inclusive) of an unsigned integer field.

annotation macro @0xc391129167203410 (enumerant, const) :Text;
  # Also defines a C macro of this name with the value, for code that has
  # always spelled it that way (CAPOS_OK, CAPOS_PROT_READ).

annotation macroPrefix @0xacd44a32fde60232 (enum) :Text;
  # Also defines every enumerant as a C macro: the prefix and the
  # enumerant's name in upper case with words split by `_` (invalidCap with
  # prefix CAPOS_ERR_ is CAPOS_ERR_INVALID_CAP), unless the enumerant has its
  # own `macro`; and prefix + COUNT as the number of enumerants.
