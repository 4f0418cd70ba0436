/* Wide characters in the C locale and in C.UTF-8: mbstowcs, wcstombs,
 * wcslen, wcscmp, swprintf, mbrtowc. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int main(void)
{
    wchar_t w[32];
    printf("wcslen %zu wcscmp %d\n", wcslen(L"wide"), wcscmp(L"abc", L"abd") < 0);
    swprintf(w, 32, L"%d-%ls", 42, L"x");
    printf("swprintf %ls\n", w);
    setlocale(LC_CTYPE, "C.UTF-8");
    const char *u = "h\xc3\xa9llo \xe2\x82\xac";
    size_t n = mbstowcs(w, u, 32);
    printf("mbstowcs %zu:", n);
    for (size_t i = 0; i < n; i++)
        printf(" %x", (unsigned)w[i]);
    printf("\n");
    char back[32];
    size_t nb = wcstombs(back, w, sizeof(back));
    printf("wcstombs %zu same %d\n", nb, strcmp(back, u) == 0);
    mbstate_t st;
    memset(&st, 0, sizeof(st));
    wchar_t one;
    printf("mbrtowc of a partial sequence: %zd\n", (ssize_t)mbrtowc(&one, "\xe2\x82", 2, &st));
    size_t rest = mbrtowc(&one, "\xac", 1, &st);
    printf("then the rest: %zu -> %x\n", rest, (unsigned)one);
    printf("invalid: %zd\n", (ssize_t)mbstowcs(w, "\xff", 32));
    return 0;
}
