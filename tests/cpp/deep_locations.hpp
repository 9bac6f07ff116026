// Test locations for the deep engine, generated in MPFR: minibrot nuclei found by Newton's
// method, Julia-set points by inverse iteration, decimal strings of any length.
#pragma once

#include <mpfr.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace deep_test {

/// A file of tests/data/deep/ (the peer's location as decimal strings), without its line end.
inline std::string read_text(const std::string& name) {
    std::ifstream in(std::string(JULIASET_TEST_DATA_DIR) + "/deep/" + name);
    std::stringstream s;
    s << in.rdbuf();
    std::string text = s.str();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

/// RAII MPFR complex scratch.
struct Complex {
    mpfr_t re, im;
    explicit Complex(mpfr_prec_t bits) {
        mpfr_init2(re, bits);
        mpfr_init2(im, bits);
        mpfr_set_zero(re, 1);
        mpfr_set_zero(im, 1);
    }
    ~Complex() {
        mpfr_clear(re);
        mpfr_clear(im);
    }
    Complex(const Complex&) = delete;
    Complex& operator=(const Complex&) = delete;
};

inline void set(Complex& z, const Complex& w) {
    mpfr_set(z.re, w.re, MPFR_RNDN);
    mpfr_set(z.im, w.im, MPFR_RNDN);
}

inline void mul(Complex& out, const Complex& a, const Complex& b, mpfr_prec_t bits) {
    Complex t(bits);
    mpfr_t u;
    mpfr_init2(u, bits);
    mpfr_mul(t.re, a.re, b.re, MPFR_RNDN);
    mpfr_mul(u, a.im, b.im, MPFR_RNDN);
    mpfr_sub(t.re, t.re, u, MPFR_RNDN);
    mpfr_mul(t.im, a.re, b.im, MPFR_RNDN);
    mpfr_mul(u, a.im, b.re, MPFR_RNDN);
    mpfr_add(t.im, t.im, u, MPFR_RNDN);
    mpfr_clear(u);
    set(out, t);
}

/// Decimal string of x with `digits` significant digits ("-1.2345e-67" style).
inline std::string decimal(const mpfr_t x, std::size_t digits) {
    if (mpfr_zero_p(x)) return "0";
    mpfr_exp_t exponent = 0;
    char* text = mpfr_get_str(nullptr, &exponent, 10, digits, x, MPFR_RNDN);
    std::string s(text);
    mpfr_free_str(text);
    std::string sign;
    if (s[0] == '-') {
        sign = "-";
        s.erase(0, 1);
    }
    // value = 0.s * 10^exponent
    return sign + "0." + s + "e" + std::to_string(static_cast<long>(exponent));
}

/// A nucleus of period `period` of z <- z^power + c found by Newton's method from `start`:
/// solves Z_period(c) = 0 at `bits` bits. Returns its decimal parts (`digits` digits) and the
/// log10 of 1 / |dZ_period/dc| (a size scale of the minibrot's atom domain).
struct Nucleus {
    std::string re, im;
    double log10_scale = 0.0;
};

/// The atom-domain period of c: the index n >= 1 of the last new minimum of |Z_n| before
/// the orbit escapes or `max_iterations` (Newton from c then finds that period's nucleus).
inline std::uint32_t atom_period(const std::string& c_re, const std::string& c_im,
                                 std::uint32_t power, std::uint32_t max_iterations,
                                 mpfr_prec_t bits) {
    Complex c(bits), z(bits), zp(bits);
    mpfr_set_str(c.re, c_re.c_str(), 10, MPFR_RNDN);
    mpfr_set_str(c.im, c_im.c_str(), 10, MPFR_RNDN);
    mpfr_t norm, best, u;
    mpfr_init2(norm, bits);
    mpfr_init2(best, bits);
    mpfr_init2(u, bits);
    mpfr_set_inf(best, 1);
    std::uint32_t period = 1;
    for (std::uint32_t n = 1; n <= max_iterations; ++n) {
        mpfr_set_ui(zp.re, 1, MPFR_RNDN);
        mpfr_set_zero(zp.im, 1);
        for (std::uint32_t p = 0; p < power; ++p) mul(zp, zp, z, bits);
        mpfr_add(z.re, zp.re, c.re, MPFR_RNDN);
        mpfr_add(z.im, zp.im, c.im, MPFR_RNDN);
        mpfr_sqr(norm, z.re, MPFR_RNDN);
        mpfr_sqr(u, z.im, MPFR_RNDN);
        mpfr_add(norm, norm, u, MPFR_RNDN);
        if (mpfr_cmp_ui(norm, 4) > 0) break;
        if (mpfr_less_p(norm, best)) {
            mpfr_set(best, norm, MPFR_RNDN);
            period = n;
        }
    }
    mpfr_clear(norm);
    mpfr_clear(best);
    mpfr_clear(u);
    return period;
}

inline Nucleus newton_nucleus(const std::string& start_re, const std::string& start_im,
                              std::uint32_t power, std::uint32_t period, mpfr_prec_t bits,
                              std::size_t digits) {
    Complex c(bits), z(bits), dz(bits), t(bits), zp(bits);
    mpfr_set_str(c.re, start_re.c_str(), 10, MPFR_RNDN);
    mpfr_set_str(c.im, start_im.c_str(), 10, MPFR_RNDN);
    double log10_scale = 0.0;
    for (int step = 0; step < 60; ++step) {
        mpfr_set_zero(z.re, 1);
        mpfr_set_zero(z.im, 1);
        mpfr_set_zero(dz.re, 1);
        mpfr_set_zero(dz.im, 1);
        for (std::uint32_t k = 0; k < period; ++k) {
            // dz <- power z^(power-1) dz + 1; z <- z^power + c
            mpfr_set_ui(zp.re, 1, MPFR_RNDN);
            mpfr_set_zero(zp.im, 1);
            for (std::uint32_t p = 1; p < power; ++p) mul(zp, zp, z, bits);
            mul(t, zp, dz, bits);
            mpfr_mul_ui(dz.re, t.re, power, MPFR_RNDN);
            mpfr_mul_ui(dz.im, t.im, power, MPFR_RNDN);
            mpfr_add_ui(dz.re, dz.re, 1, MPFR_RNDN);
            mul(zp, zp, z, bits);
            mpfr_add(z.re, zp.re, c.re, MPFR_RNDN);
            mpfr_add(z.im, zp.im, c.im, MPFR_RNDN);
        }
        // c <- c - z / dz
        mpfr_t d, u;
        mpfr_init2(d, bits);
        mpfr_init2(u, bits);
        mpfr_sqr(d, dz.re, MPFR_RNDN);
        mpfr_sqr(u, dz.im, MPFR_RNDN);
        mpfr_add(d, d, u, MPFR_RNDN);
        {
            long e = 0;
            const double m = mpfr_get_d_2exp(&e, d, MPFR_RNDN);
            log10_scale = -0.5 * (std::log10(m) + static_cast<double>(e) * std::log10(2.0));
        }
        // z / dz = z conj(dz) / |dz|^2
        mpfr_neg(dz.im, dz.im, MPFR_RNDN);
        mul(t, z, dz, bits);
        mpfr_div(t.re, t.re, d, MPFR_RNDN);
        mpfr_div(t.im, t.im, d, MPFR_RNDN);
        mpfr_sub(c.re, c.re, t.re, MPFR_RNDN);
        mpfr_sub(c.im, c.im, t.im, MPFR_RNDN);
        // converged once the step is below 2^-(bits - 8) of |c| (or c is near 0)
        const bool small_re = mpfr_zero_p(t.re) || mpfr_get_exp(t.re) < -bits + 8;
        const bool small_im = mpfr_zero_p(t.im) || mpfr_get_exp(t.im) < -bits + 8;
        mpfr_clear(d);
        mpfr_clear(u);
        if (small_re && small_im && step > 3) break;
    }
    return {decimal(c.re, digits), decimal(c.im, digits), log10_scale};
}

/// A point near the Julia set of z^power + c by inverse iteration: `steps` times
/// z <- (z - c)^(1/power), the root chosen by a fixed pseudo-random sequence from `seed`.
inline std::pair<std::string, std::string> julia_point(const std::string& c_re,
                                                       const std::string& c_im,
                                                       std::uint32_t power, std::uint32_t steps,
                                                       std::uint64_t seed, mpfr_prec_t bits,
                                                       std::size_t digits) {
    Complex z(bits), c(bits);
    mpfr_set_str(c.re, c_re.c_str(), 10, MPFR_RNDN);  // c exactly as the view gives it
    mpfr_set_str(c.im, c_im.c_str(), 10, MPFR_RNDN);
    mpfr_set_d(z.re, 1.5, MPFR_RNDN);
    mpfr_set_d(z.im, 0.5, MPFR_RNDN);
    mpfr_t r, a, pi;
    mpfr_init2(r, bits);
    mpfr_init2(a, bits);
    mpfr_init2(pi, bits);
    mpfr_const_pi(pi, MPFR_RNDN);
    std::uint64_t state = seed;
    for (std::uint32_t k = 0; k < steps; ++k) {
        mpfr_sub(z.re, z.re, c.re, MPFR_RNDN);
        mpfr_sub(z.im, z.im, c.im, MPFR_RNDN);
        // polar: r^(1/power), (arg + 2 pi j) / power
        mpfr_hypot(r, z.re, z.im, MPFR_RNDN);
        mpfr_atan2(a, z.im, z.re, MPFR_RNDN);
        mpfr_rootn_ui(r, r, power, MPFR_RNDN);
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const unsigned branch = static_cast<unsigned>((state >> 33) % power);
        mpfr_t b;
        mpfr_init2(b, bits);
        mpfr_mul_ui(b, pi, 2 * branch, MPFR_RNDN);
        mpfr_add(a, a, b, MPFR_RNDN);
        mpfr_div_ui(a, a, power, MPFR_RNDN);
        mpfr_clear(b);
        mpfr_cos(z.re, a, MPFR_RNDN);
        mpfr_sin(z.im, a, MPFR_RNDN);
        mpfr_mul(z.re, z.re, r, MPFR_RNDN);
        mpfr_mul(z.im, z.im, r, MPFR_RNDN);
    }
    std::pair<std::string, std::string> out{decimal(z.re, digits), decimal(z.im, digits)};
    mpfr_clear(r);
    mpfr_clear(a);
    mpfr_clear(pi);
    return out;
}

}  // namespace deep_test
