/*
 * Host tests of lib/inherit: each kind of record parsed and written back,
 * and what a hostile parent could write refused record by record without
 * losing the records after it.
 */
#include "test.h"

#include "inherit/inherit.h"

TEST(inherit_records)
{
    const char *p = "0:i:x0:0,1:o:x1:0,2:o:x1:0@1,3:f:x402:18446744073709551615,4:=:3";
    struct inherit_rec r;
    CHECK(inherit_next(&p, 256, &r));
    CHECK(r.fd == 0 && r.kind == 'i' && r.flags == 0 && r.pos == 0 && r.other == 0);
    CHECK(inherit_next(&p, 256, &r));
    CHECK(r.fd == 1 && r.kind == 'o' && r.flags == 1 && r.other == 1);
    CHECK(inherit_next(&p, 256, &r));
    CHECK(r.fd == 2 && r.other == 1);
    CHECK(inherit_next(&p, 256, &r));
    CHECK(r.fd == 3 && r.kind == 'f' && r.flags == 0x402 && r.pos == UINT64_MAX);
    CHECK(inherit_next(&p, 256, &r));
    CHECK(r.fd == 4 && r.kind == INHERIT_SAME && r.other == 3);
    CHECK(!inherit_next(&p, 256, &r));
    CHECK(*p == '\0');
}

TEST(inherit_hostile)
{
    static const char *bad[] = {
        "256:f:x0:0",                  /* fd out of range */
        "1:f:x100000000:0",            /* flags wider than 32 bits */
        "1:f:x0:18446744073709551616", /* offset wider than 64 bits */
        "1:=:999",                     /* shares an fd out of range */
        "1:f:x0:0@300",                /* a grant out of range */
        "1:F:x0:0",                    /* not a kind */
        "1:f:0:0",                     /* flags not hexadecimal */
        "1:f:x0:",                     /* no offset */
        "1:f:x0:0junk",                /* trailing bytes */
        ":f:x0:0",                     /* no fd */
        "1",                           /* cut short */
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char s[96];
        snprintf(s, sizeof(s), "%s,7:n:x2:0", bad[i]);
        const char *p = s;
        struct inherit_rec r;
        if (inherit_next(&p, 256, &r))
            test_failf(__FILE__, __LINE__, "accepted %s", bad[i]);
        /* The next record is still read. */
        CHECK(inherit_next(&p, 256, &r));
        CHECK(r.fd == 7 && r.kind == 'n' && r.flags == 2);
    }
}

TEST(inherit_small_table)
{
    /* Every number is bounded by the table it indexes, 1 here. */
    const char *p = "1:f:x0:0,0:f:x0:0@1,0:=:1,0:n:x0:0";
    struct inherit_rec r;
    CHECK(!inherit_next(&p, 1, &r));
    CHECK(!inherit_next(&p, 1, &r));
    CHECK(!inherit_next(&p, 1, &r));
    CHECK(inherit_next(&p, 1, &r));
    CHECK(r.fd == 0 && r.kind == 'n');
    p = "0:n:x0:0";
    CHECK(!inherit_next(&p, 0, &r));
}

TEST(inherit_format)
{
    struct inherit_rec r = {.fd = 9, .kind = 'w', .flags = 0x801, .pos = 12345, .other = 2};
    char buf[64];
    CHECK(inherit_format(buf, sizeof(buf), &r) == (int)strlen("9:w:x801:12345@2"));
    CHECK(strcmp(buf, "9:w:x801:12345@2") == 0);
    const char *p = buf;
    struct inherit_rec back;
    CHECK(inherit_next(&p, 256, &back));
    CHECK(back.fd == 9 && back.kind == 'w' && back.flags == 0x801 && back.pos == 12345 &&
          back.other == 2);
    CHECK(inherit_format(buf, 8, &r) == -1);
    r = (struct inherit_rec){.fd = 5, .kind = INHERIT_SAME, .other = 1};
    CHECK(inherit_format(buf, sizeof(buf), &r) > 0 && strcmp(buf, "5:=:1") == 0);
}
