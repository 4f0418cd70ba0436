/* argv as given, including spaces, quotes, backslashes, UTF-8 and an
 * empty argument.
 *
 * args: one "two words" 'quote"d' back\\slash "" ünïcödé -dash --long=opt
 */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("argc %d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d] = [%s]\n", i, argv[i]);
    printf("argv[argc] is NULL: %d\n", argv[argc] == NULL);
    return argc;
}
