/* execvp's PATH search: a name found only without an execute bit is
 * EACCES, a name found nowhere ENOENT (directories that do not exist or
 * are not directories are passed over), and a name found in a later
 * directory runs from there.
 * cwd: kids
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char cwd[512], path[1200];
    if (!getcwd(cwd, sizeof(cwd)))
        return 2;
    snprintf(path, sizeof(path), "/no-such-dir:%s/kid_exit:%s", cwd, cwd);
    setenv("PATH", path, 1);
    char *argv[] = {"kid_exec", "9", "via PATH", NULL};
    errno = 0;
    int r = execvp("noperm", argv);
    printf("noperm: %d %s\n", r, strerror(errno));
    errno = 0;
    r = execvp("no-such-program", argv);
    printf("missing: %d %s\n", r, strerror(errno));
    setenv("EXEC_VAR", "from PATH", 1);
    fflush(stdout);
    execvp("kid_exec", argv);
    perror("execvp");
    return 1;
}
