/* Host tests of lib/mm/frame_bitmap, including a randomized model check. */
#include "test.h"

#include <stdlib.h>

#include "mm/frame_bitmap.h"

TEST(starts_all_used)
{
    uint64_t w[2];
    struct frame_bitmap fb;
    uint64_t f;
    frame_bitmap_init(&fb, w, 100);
    CHECK_EQ(fb.free_count, 0);
    CHECK_EQ(frame_bitmap_alloc(&fb, &f), FRAME_BITMAP_NO_MEMORY);
    CHECK(frame_bitmap_is_used(&fb, 0));
    CHECK(frame_bitmap_is_used(&fb, 1000));
}

TEST(alloc_free_cycle)
{
    uint64_t w[2];
    struct frame_bitmap fb;
    uint64_t f, seen = 0;
    frame_bitmap_init(&fb, w, 100);
    CHECK_EQ(frame_bitmap_mark_free(&fb, 10, 5), FRAME_BITMAP_OK);
    CHECK_EQ(fb.free_count, 5);
    for (int i = 0; i < 5; i++) {
        CHECK_EQ(frame_bitmap_alloc(&fb, &f), FRAME_BITMAP_OK);
        CHECK(f >= 10 && f < 15);
        CHECK(!(seen & (1ULL << f)) || f >= 64);
        seen |= 1ULL << f;
    }
    CHECK_EQ(frame_bitmap_alloc(&fb, &f), FRAME_BITMAP_NO_MEMORY);
    CHECK_EQ(frame_bitmap_free(&fb, 12), FRAME_BITMAP_OK);
    CHECK_EQ(frame_bitmap_free(&fb, 12), FRAME_BITMAP_DOUBLE_FREE);
    CHECK_EQ(frame_bitmap_alloc(&fb, &f), FRAME_BITMAP_OK);
    CHECK_EQ(f, 12);
}

TEST(never_returns_past_end)
{
    uint64_t w[2];
    struct frame_bitmap fb;
    uint64_t f;
    frame_bitmap_init(&fb, w, 70);
    CHECK_EQ(frame_bitmap_mark_free(&fb, 0, 70), FRAME_BITMAP_OK);
    for (int i = 0; i < 70; i++) {
        CHECK_EQ(frame_bitmap_alloc(&fb, &f), FRAME_BITMAP_OK);
        CHECK(f < 70);
    }
    CHECK_EQ(frame_bitmap_alloc(&fb, &f), FRAME_BITMAP_NO_MEMORY);
}

TEST(range_checks)
{
    uint64_t w[2];
    struct frame_bitmap fb;
    frame_bitmap_init(&fb, w, 100);
    CHECK_EQ(frame_bitmap_mark_free(&fb, 90, 11), FRAME_BITMAP_RANGE);
    CHECK_EQ(frame_bitmap_mark_free(&fb, UINT64_MAX, 2), FRAME_BITMAP_RANGE);
    CHECK_EQ(frame_bitmap_free(&fb, 100), FRAME_BITMAP_RANGE);
    CHECK_EQ(frame_bitmap_free_run(&fb, 5, 0), FRAME_BITMAP_BAD_ARGUMENT);
    CHECK_EQ(fb.free_count, 0);
}

TEST(contiguous_runs)
{
    uint64_t w[4];
    struct frame_bitmap fb;
    uint64_t f;
    frame_bitmap_init(&fb, w, 256);
    CHECK_EQ(frame_bitmap_mark_free(&fb, 3, 200), FRAME_BITMAP_OK);
    CHECK_EQ(frame_bitmap_alloc_run(&fb, 16, 16, 0, &f), FRAME_BITMAP_OK);
    CHECK_EQ(f, 16);
    CHECK_EQ(frame_bitmap_alloc_run(&fb, 10, 1, 0, &f), FRAME_BITMAP_OK);
    CHECK_EQ(f, 3);
    CHECK_EQ(frame_bitmap_alloc_run(&fb, 4, 1, 0, &f), FRAME_BITMAP_OK);
    CHECK_EQ(f, 32);
    /* Limit excludes anything at or above it. */
    CHECK_EQ(frame_bitmap_alloc_run(&fb, 8, 1, 40, &f), FRAME_BITMAP_NO_MEMORY);
    CHECK_EQ(frame_bitmap_alloc_run(&fb, 4, 1, 40, &f), FRAME_BITMAP_OK);
    CHECK_EQ(f, 36);
    CHECK_EQ(frame_bitmap_alloc_run(&fb, 500, 1, 0, &f), FRAME_BITMAP_NO_MEMORY);
    CHECK_EQ(frame_bitmap_alloc_run(&fb, 2, 3, 0, &f), FRAME_BITMAP_BAD_ARGUMENT);
    CHECK_EQ(frame_bitmap_free_run(&fb, 16, 16), FRAME_BITMAP_OK);
    /* A run with one frame already free is refused and changes nothing. */
    uint64_t before = fb.free_count;
    CHECK_EQ(frame_bitmap_free_run(&fb, 14, 4), FRAME_BITMAP_DOUBLE_FREE);
    CHECK_EQ(fb.free_count, before);
}

/* Random operations checked against a byte-per-frame model. */
TEST(randomized_model)
{
    enum { N = 1000 };
    uint64_t w[(N + 63) / 64];
    unsigned char model[N];
    struct frame_bitmap fb;
    uint64_t model_free = N;

    srand(1234);
    frame_bitmap_init(&fb, w, N);
    frame_bitmap_mark_free(&fb, 0, N);
    memset(model, 0, sizeof(model));
    for (int i = 0; i < 20000; i++) {
        int op = rand() % 3;
        uint64_t f;
        if (op == 0) {
            enum frame_bitmap_err e = frame_bitmap_alloc(&fb, &f);
            if (model_free == 0) {
                CHECK_EQ(e, FRAME_BITMAP_NO_MEMORY);
            } else {
                CHECK_EQ(e, FRAME_BITMAP_OK);
                CHECK(f < N && !model[f]);
                model[f] = 1;
                model_free--;
            }
        } else if (op == 1) {
            f = (uint64_t)(rand() % N);
            enum frame_bitmap_err e = frame_bitmap_free(&fb, f);
            CHECK_EQ(e, model[f] ? FRAME_BITMAP_OK : FRAME_BITMAP_DOUBLE_FREE);
            if (model[f]) {
                model[f] = 0;
                model_free++;
            }
        } else {
            uint64_t count = (uint64_t)(rand() % 8) + 1;
            uint64_t align = 1ULL << (rand() % 4);
            if (frame_bitmap_alloc_run(&fb, count, align, 0, &f) == FRAME_BITMAP_OK) {
                CHECK(f % align == 0 && f + count <= N);
                for (uint64_t k = 0; k < count; k++) {
                    CHECK(!model[f + k]);
                    model[f + k] = 1;
                }
                model_free -= count;
            }
        }
        CHECK_EQ(fb.free_count, model_free);
    }
    for (uint64_t f = 0; f < N; f++)
        CHECK_EQ(frame_bitmap_is_used(&fb, f), model[f]);
}
