/* printf's floating-point conversions: %f %e %g %a, precision, rounding,
 * infinities and NaN. */
#include <float.h>
#include <math.h>
#include <stdio.h>

int main(void)
{
    double vals[] = {0.0,     -0.0,       1.0,   0.1,       1.5,       2.5,
                     -3.75,   123456.789, 1e-10, 1e22,      1e300,     DBL_MIN,
                     DBL_MAX, 5e-324,     0.5,   1.0 / 3.0, 2.0 / 3.0, 1234567890123.0};
    for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        double v = vals[i];
        printf("%f|%.0f|%.2f|%.15f|%e|%.3e|%g|%.10g|%.17g|%a\n", v, v, v, v, v, v, v, v, v, v);
    }
    printf("%f %f %f %e %g\n", INFINITY, -INFINITY, NAN, INFINITY, -NAN);
    printf("%F %E %G\n", INFINITY, 1.5e10, 1e-20);
    printf("[%10.3f] [%-10.3f|] [%+.2f] [%08.2f] [%#.0f] [%#g]\n", 3.14159, 3.14159, 2.0, -1.5, 2.0,
           1.0);
    for (int i = 0; i < 10; i++)
        printf("%.1f ", i + 0.05);
    printf("\n");
    printf("%Lf %Le %Lg\n", 1.0L / 3.0L, 2.5L, 1e100L);
    float f = 1.1f;
    printf("%.20f %a\n", f, f);
    return 0;
}
