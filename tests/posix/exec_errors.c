/* execve's failures, each of which leaves the caller running as it was:
 * ENOENT (no such file, an empty path), EACCES (no execute bit, a
 * directory), ENOEXEC (neither "#!" nor an executable: text, an ELF for
 * another machine), ENOTDIR (a file used as a directory), ENAMETOOLONG (a
 * name over NAME_MAX, a path over PATH_MAX), E2BIG (an argument larger
 * than the system takes), EFAULT-free NULL argv; then fexecve of a closed
 * fd (EBADF).
 * cwd: kids
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *const argv[] = {"kid_exec", "5", NULL};
static char *const envp[] = {"EXEC_VAR=x", NULL};

static void try(const char *what, const char *path)
{
    errno = 0;
    int r = execve(path, argv, envp);
    printf("%-24s: %d %s\n", what, r, strerror(errno));
}

int main(void)
{
    static char big[5000], name[300];
    try("missing", "./no-such-program");
    try("empty", "");
    try("no execute bit", "./noperm");
    try("directory", ".");
    try("text", "./garbage");
    try("other machine", "./corrupt");
    try("file as directory", "./kid_exit/kid_exit");
    memset(name, 'n', sizeof(name) - 1);
    try("name too long", name);
    memset(big, 'p', sizeof(big) - 1);
    big[0] = '/';
    try("path too long", big);

    size_t n = 200 * 1024;
    char *huge = malloc(n + 1);
    if (!huge)
        return 2;
    memset(huge, 'a', n);
    huge[n] = '\0';
    char *hargv[] = {"kid_exec", huge, NULL};
    errno = 0;
    int r = execve("./kid_exec", hargv, envp);
    printf("%-24s: %d %s\n", "argument too large", r, strerror(errno));
    free(huge);

    errno = 0;
    r = fexecve(99, argv, envp);
    printf("%-24s: %d %s\n", "fexecve closed fd", r, strerror(errno));
    printf("exec_errors: still here\n");
    return 0;
}
