/*
 * Host tests of lib/crypto/sha256: the FIPS 180-4 example messages (the
 * empty message, "abc", the 448-bit and 896-bit messages, one million
 * 'a'), and streaming in pieces of every size giving the one-shot digest.
 */
#include "test.h"

#include <string.h>

#include "crypto/sha256.h"

/* A digest as 64 lowercase hex digits. */
static void hex_of(const uint8_t d[SHA256_DIGEST], char out[2 * SHA256_DIGEST + 1])
{
    static const char x[] = "0123456789abcdef";
    for (int i = 0; i < SHA256_DIGEST; i++) {
        out[2 * i] = x[d[i] >> 4];
        out[2 * i + 1] = x[d[i] & 15];
    }
    out[2 * SHA256_DIGEST] = 0;
}

static void digest_hex(const char *msg, size_t len, char out[2 * SHA256_DIGEST + 1])
{
    uint8_t d[SHA256_DIGEST];
    sha256(msg, len, d);
    hex_of(d, out);
}

TEST(sha256_known_answers)
{
    char h[2 * SHA256_DIGEST + 1];
    digest_hex("", 0, h);
    CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    digest_hex("abc", 3, h);
    CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    digest_hex(m448, strlen(m448), h);
    CHECK_STR(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    digest_hex(m896, strlen(m896), h);
    CHECK_STR(h, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(sha256_million_a)
{
    /* Streamed in 1000 updates of 1000 bytes. */
    char a[1000];
    uint8_t d[SHA256_DIGEST];
    char h[2 * SHA256_DIGEST + 1];
    struct sha256 s;
    memset(a, 'a', sizeof(a));
    sha256_init(&s);
    for (int i = 0; i < 1000; i++)
        sha256_update(&s, a, sizeof(a));
    sha256_final(&s, d);
    hex_of(d, h);
    CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(sha256_streaming_matches_one_shot)
{
    /* Every split of messages around the padding boundaries (55, 56, 64
     * bytes and their neighbours) gives the one-shot digest. */
    uint8_t msg[200], one[SHA256_DIGEST], two[SHA256_DIGEST];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof(msg); len++) {
        sha256(msg, len, one);
        for (size_t cut = 0; cut <= len; cut += 1 + cut / 8) {
            struct sha256 s;
            sha256_init(&s);
            sha256_update(&s, msg, cut);
            sha256_update(&s, msg + cut, 0);
            sha256_update(&s, msg + cut, len - cut);
            sha256_final(&s, two);
            CHECK(memcmp(one, two, SHA256_DIGEST) == 0);
        }
    }
}
