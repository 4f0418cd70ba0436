/*
 * printk: formats into a per-call buffer and writes the result to the console
 * with console_lock held for the whole message, so one call's lines are never
 * interleaved with another CPU's; messages longer than the buffer are written
 * in pieces under that one lock hold.
 */
#include "printk.h"

#include "base/mem.h"
#include "console.h"
#include "fmt/fmt.h"
#include "spinlock.h"

static struct spinlock console_lock = SPINLOCK_INIT("console");
static bool printk_panicking;

void printk_enter_panic(void)
{
    printk_panicking = true;
}

void kputs_raw(const char *s, size_t n)
{
    console_write(s, n);
}

struct printk_buf {
    char data[256];
    size_t len;
};

static void printk_sink(void *ctx, const char *s, size_t n)
{
    struct printk_buf *b = ctx;
    while (n) {
        if (b->len == sizeof(b->data)) {
            console_write(b->data, b->len);
            b->len = 0;
        }
        size_t k = sizeof(b->data) - b->len;
        if (k > n)
            k = n;
        memcpy(b->data + b->len, s, k);
        b->len += k;
        s += k;
        n -= k;
    }
}

int kvprintf(const char *fmt, va_list ap)
{
    struct printk_buf b;
    uint64_t flags = 0;
    bool locked = !printk_panicking;
    int n;

    b.len = 0;
    if (locked)
        flags = spin_lock_irqsave(&console_lock);
    n = fmt_vformat(printk_sink, &b, fmt, ap);
    console_write(b.data, b.len);
    if (locked)
        spin_unlock_irqrestore(&console_lock, flags);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

void printk_write(const char *s, size_t n, bool newline)
{
    uint64_t flags = 0;
    bool locked = !printk_panicking;
    if (locked)
        flags = spin_lock_irqsave(&console_lock);
    console_write(s, n);
    if (newline)
        console_write("\n", 1);
    if (locked)
        spin_unlock_irqrestore(&console_lock, flags);
}
