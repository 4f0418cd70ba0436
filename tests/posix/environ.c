/* The environment: what the runner passed, getenv, setenv, unsetenv,
 * putenv, and iteration over environ.
 *
 * env: GREETING=hello EMPTY= WITH_EQ=a=b
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static void show(const char *k)
{
    const char *v = getenv(k);
    printf("%s=%s%s\n", k, v ? "[" : "(unset)", v ? v : "");
}

int main(void)
{
    show("GREETING");
    show("EMPTY");
    show("WITH_EQ");
    show("MISSING");
    setenv("NEW", "value", 0);
    setenv("GREETING", "ignored", 0);
    setenv("EMPTY", "replaced", 1);
    static char put[] = "PUT=yes";
    putenv(put);
    unsetenv("WITH_EQ");
    show("NEW");
    show("GREETING");
    show("EMPTY");
    show("PUT");
    show("WITH_EQ");
    int n = 0;
    for (char **e = environ; *e; e++)
        n++;
    printf("%d variables\n", n);
    return 0;
}
