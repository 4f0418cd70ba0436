/*
 * ELF loader fixture: a freestanding static executable with every kind of
 * section the loader must place — code, read-only data, initialised data,
 * zero-filled data and a thread-local template with both an initialised
 * (.tdata) and a zero-filled (.tbss) part.  It is never run; tests parse it.
 */
const char fixture_message[] = "capOS ELF fixture: read-only data";
int fixture_counter = 42;
char fixture_buffer[8192];
__thread int fixture_tls_init = 7;
__thread long fixture_tls_zero;

void _start(void);

void _start(void)
{
    fixture_tls_zero += fixture_tls_init + fixture_counter + fixture_message[3];
    fixture_buffer[fixture_tls_zero & 8191] = 1;
    for (;;)
        __asm__ volatile("hlt");
}
