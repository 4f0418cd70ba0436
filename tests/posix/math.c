/* libm: exactly rounded functions printed in full, the others to 12
 * significant digits. */
#include <fenv.h>
#include <math.h>
#include <stdio.h>

int main(void)
{
    double xs[] = {0.0, 0.5, 1.0, 2.0, 2.5, -2.5, 10.0, 100.0, 1e-5, 3.14159};
    for (unsigned i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
        double x = xs[i];
        printf("x=%g sqrt %.17g floor %g ceil %g round %g trunc %g rint %g fabs %g fmod %.17g\n", x,
               sqrt(fabs(x)), floor(x), ceil(x), round(x), trunc(x), rint(x), fabs(x),
               fmod(x, 0.75));
        printf("  sin %.12g cos %.12g tan %.12g exp %.12g log %.12g pow %.12g atan2 %.12g\n",
               sin(x), cos(x), tan(x), exp(x), x > 0 ? log(x) : 0.0, pow(fabs(x) + 1, 1.5),
               atan2(x, 1.5));
    }
    int e;
    double m = frexp(48.0, &e);
    double ip, fp = modf(-3.75, &ip);
    printf("frexp %g %d ldexp %g modf %g %g\n", m, e, ldexp(0.75, 6), ip, fp);
    printf("hypot %.17g cbrt %.12g expm1 %.12g log1p %.12g\n", hypot(3, 4), cbrt(27.0),
           expm1(1e-10), log1p(1e-10));
    printf("isnan %d isinf %d signbit %d copysign %g nextafter %a\n", isnan(NAN) != 0,
           isinf(-INFINITY) != 0, signbit(-0.0) != 0, copysign(3, -1), nextafter(1.0, 2.0));
    printf("fmax %g fmin %g fdim %g lround %ld llrint %lld\n", fmax(1, 2), fmin(1, 2), fdim(5, 3),
           lround(2.5), llrint(2.5));
    fesetround(FE_UPWARD);
    volatile double a = 1.0, b = 3.0;
    printf("upward 1/3 = %.17g\n", a / b);
    fesetround(FE_TONEAREST);
    printf("nearest 1/3 = %.17g\n", a / b);
    feclearexcept(FE_ALL_EXCEPT);
    volatile double z = 0.0;
    volatile double q = 1.0 / z;
    printf("div by zero flag %d inf %d\n", fetestexcept(FE_DIVBYZERO) != 0, isinf(q) != 0);
    return 0;
}
