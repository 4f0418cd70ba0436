/*
 * The program embedded in the manifest fixtures: the smallest static
 * executable the ELF loader accepts (one read+execute segment), about 500
 * bytes once stripped, so fixtures and fuzz seeds stay small.  It is never
 * run; only its headers matter.
 */
void _start(void);

void _start(void)
{
    for (;;)
        __asm__ volatile("pause");
}
