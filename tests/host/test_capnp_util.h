/*
 * Helpers shared by the capnp host tests: loading the build-time fixtures
 * (tests/capnp/capnp.mk) and asking the capnp tool how it decodes a message
 * we built.  Paths are relative to the repository root, where the test runner
 * runs; the build directory comes from $CAPOS_BUILD (default "build").
 */
#ifndef CAPOS_TESTS_HOST_TEST_CAPNP_UTIL_H
#define CAPOS_TESTS_HOST_TEST_CAPNP_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "capnp/capnp.h"

#define CAPNP_WIRETEST_SCHEMA "tests/capnp/wiretest.capnp"
#define CAPNP_CAPOS_SCHEMA    "schema/capos.capnp"

/* Reads a whole file (malloc'd, 8-byte aligned); NULL if it is missing. */
uint8_t *capnp_test_read_file(const char *path, size_t *len);
/* Reads $CAPOS_BUILD/capnp/fixtures/<name>. */
uint8_t *capnp_test_fixture(const char *name, size_t *len);
/*
 * The capnp tool's text rendering of a binary message of `type` from
 * `schema` (malloc'd), or NULL if the tool rejects it.
 */
char *capnp_test_decode(const char *schema, const char *type, const void *msg, size_t len);
/* Reads a fixture text file ($CAPOS_BUILD/capnp/fixtures/<name>). */
char *capnp_test_fixture_text(const char *name);

/* Stack arena for builders in tests. */
#define CAPNP_TEST_ARENA_WORDS 8192

#endif
