/* realpath and getcwd: dots, slashes, links (relative and absolute, to
 * directories and files), missing parts; printed relative to the
 * directory the program works in. */
#include "fstest.h"

static char root[PATH_MAX];

static void show(const char *p)
{
    char out[PATH_MAX];
    if (!realpath(p, out)) {
        printf("%s -> %s\n", p, strerror(errno));
        return;
    }
    size_t n = strlen(root);
    printf("%s -> %s\n", p, strncmp(out, root, n) == 0 ? out + n : out);
}

int main(void)
{
    char cwd[PATH_MAX];
    setup();
    if (!realpath(".", root))
        return 1;
    mkdir("a", 0755);
    mkdir("a/b", 0755);
    put("a/b/f", "x");
    symlink("a/b", "lb");
    symlink("../b/f", "a/b/rel");
    char abs[PATH_MAX + 8];
    snprintf(abs, sizeof(abs), "%s/a", root);
    symlink(abs, "la");
    show(".");
    show("a");
    show("./a/../a/b/");
    show("a//b///f");
    show("lb");
    show("lb/f");
    show("lb/..");
    show("a/b/rel");
    show("la/b");
    show("missing");
    show("a/missing/x");
    show("a/b/f/x");
    chdir("lb");
    getcwd(cwd, sizeof(cwd));
    printf("cwd after chdir lb: %s\n", cwd + strlen(root));
    chdir("..");
    getcwd(cwd, sizeof(cwd));
    printf("cwd after ..: %s\n", cwd + strlen(root));
    return cleanup();
}
