/* <ctype.h> classification and case mapping over every byte value in the C
 * locale, printed as bit masks. */
#include <ctype.h>
#include <stdio.h>

int main(void)
{
    for (int c = 0; c < 256; c++) {
        int f[12] = {isalnum(c), isalpha(c), iscntrl(c), isdigit(c), isgraph(c),  islower(c),
                     isprint(c), ispunct(c), isspace(c), isupper(c), isxdigit(c), isblank(c)};
        int m = 0;
        for (int i = 0; i < 12; i++)
            m |= (f[i] != 0) << i;
        printf("%3d %03x %3d %3d%s", c, m, toupper(c), tolower(c), c % 4 == 3 ? "\n" : " | ");
    }
    printf("EOF: %d %d\n", isalpha(EOF), toupper(EOF));
    return 0;
}
