// Private: an extended-exponent number, a double mantissa times 2^exponent, for the deltas,
// derivatives and approximation coefficients of deep views, which leave a double's range
// (below about 1e-308, or above 1e308 for the coefficients of long skips).
//
// A FloatExp is kept normalised: a mantissa of magnitude in [1, 2) (or exactly 0, with the
// exponent `zero_exponent`), so that comparisons look at exponents first. Complex values share
// one exponent between both parts (ComplexExp): the larger part's magnitude is in [1, 2).
// No operation overflows: products add exponents (64-bit), sums align the smaller operand
// and drop it when it lies more than 64 binary orders below the larger.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace juliaset::deep {

// The kernels' arithmetic: GCC does not inline these into the large per-pixel loop on its own
// (measured: operator*, operator+, norm and normalize were a third of a deep render's time as
// calls), so they are forced inline.
#define JULIASET_FORCE_INLINE [[gnu::always_inline]] inline

/// 2^k for k in the normal range [-1022, 1023], built from the bits.
[[nodiscard]] JULIASET_FORCE_INLINE double power_of_two(std::int64_t k) noexcept {
    return std::bit_cast<double>(static_cast<std::uint64_t>(k + 1023) << 52);
}

/// The binary exponent of a normal, finite, non-zero double: floor(log2 |x|).
[[nodiscard]] JULIASET_FORCE_INLINE std::int64_t exponent_of(double x) noexcept {
    return static_cast<std::int64_t>((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7ff) - 1023;
}

/// x * 2^k for any k: exact unless the result leaves the double range (0 or inf then).
[[nodiscard]] JULIASET_FORCE_INLINE double scale_by(double x, std::int64_t k) noexcept {
    // x * 2^k with 2^k a normal double: one correctly rounded product, as ldexp's result.
    if (k >= -1022 && k <= 1023) return x * power_of_two(k);
    if (k > 2100) k = 2100;
    if (k < -2200) k = -2200;
    return std::ldexp(x, static_cast<int>(k));
}

inline constexpr std::int64_t zero_exponent = std::numeric_limits<std::int64_t>::min() / 4;

/// Products below 2^-(2^60) are 0 and above 2^(2^60) saturate there: an orbit squared at every
/// step (a Julia set's pixel iterating towards the attracting 0 of c = 0) doubles its exponent
/// each time and would overflow 64 bits after about 60 steps. Such values are far below any
/// pixel's resolution (and far above any escape radius), so nothing else changes.
inline constexpr std::int64_t min_exponent = -(std::int64_t{1} << 60);
inline constexpr std::int64_t max_exponent = std::int64_t{1} << 60;

/// A product's (or quotient's) exponent kept in range: false when the value is to read 0,
/// else true with the exponent saturated at max_exponent.
[[nodiscard]] JULIASET_FORCE_INLINE bool bounded_exponent(std::int64_t& e) noexcept {
    if (e < min_exponent) return false;
    if (e > max_exponent) e = max_exponent;
    return true;
}

struct FloatExp {
    double m = 0.0;
    std::int64_t e = zero_exponent;

    FloatExp() noexcept = default;
    FloatExp(double mantissa, std::int64_t exponent) noexcept : m(mantissa), e(exponent) {
        normalize();
    }
    explicit FloatExp(double x) noexcept : m(x), e(0) { normalize(); }

    JULIASET_FORCE_INLINE void normalize() noexcept {
        if (m == 0.0 || !std::isfinite(m)) {
            if (m == 0.0) e = zero_exponent;
            return;
        }
        const double a = std::fabs(m);
        if (a >= 2.2250738585072014e-308) {  // normal: the exponent bits, no libm call
            const std::int64_t k = exponent_of(a);
            m = k < 1023 ? m * power_of_two(-k) : m * 0.5 * power_of_two(-1022);
            e += k;
            return;
        }
        int k = 0;
        m = std::frexp(m, &k) * 2.0;  // [0.5, 1) -> [1, 2)
        e += k - 1;
    }
    [[nodiscard]] bool is_zero() const noexcept { return m == 0.0; }
    [[nodiscard]] JULIASET_FORCE_INLINE double to_double() const noexcept {
        return m == 0.0 ? 0.0 : scale_by(m, e);
    }
    /// floor(log2 |x|); zero_exponent for 0.
    [[nodiscard]] std::int64_t exponent() const noexcept { return e; }
};

[[nodiscard]] JULIASET_FORCE_INLINE FloatExp operator*(const FloatExp& a, const FloatExp& b) noexcept {
    if (a.m == 0.0 || b.m == 0.0) return {};
    FloatExp r;
    r.m = a.m * b.m;  // [1, 4)
    r.e = a.e + b.e;
    if (!bounded_exponent(r.e)) return {};
    if (std::fabs(r.m) >= 2.0) {
        r.m *= 0.5;
        r.e += 1;
    }
    return r;
}

[[nodiscard]] JULIASET_FORCE_INLINE FloatExp operator/(const FloatExp& a, const FloatExp& b) noexcept {
    if (a.m == 0.0) return {};
    FloatExp r;
    r.m = a.m / b.m;  // (0.5, 2)
    r.e = a.e - b.e;
    if (!bounded_exponent(r.e)) return {};
    if (std::fabs(r.m) < 1.0) {
        r.m *= 2.0;
        r.e -= 1;
    }
    return r;
}

[[nodiscard]] JULIASET_FORCE_INLINE FloatExp operator+(const FloatExp& a, const FloatExp& b) noexcept {
    if (a.m == 0.0) return b;
    if (b.m == 0.0) return a;
    const std::int64_t d = a.e - b.e;
    if (d > 64) return a;
    if (d < -64) return b;
    FloatExp r;
    if (d >= 0) {
        r.m = a.m + b.m * power_of_two(-d);
        r.e = a.e;
    } else {
        r.m = a.m * power_of_two(d) + b.m;
        r.e = b.e;
    }
    r.normalize();
    return r;
}

[[nodiscard]] JULIASET_FORCE_INLINE FloatExp operator-(const FloatExp& a) noexcept {
    FloatExp r = a;
    r.m = -r.m;
    return r;
}
[[nodiscard]] JULIASET_FORCE_INLINE FloatExp operator-(const FloatExp& a, const FloatExp& b) noexcept {
    return a + (-b);
}

/// a < b for non-negative a and b.
[[nodiscard]] JULIASET_FORCE_INLINE bool less_nonnegative(const FloatExp& a, const FloatExp& b) noexcept {
    if (b.m == 0.0) return false;
    if (a.m == 0.0) return true;
    if (a.e != b.e) return a.e < b.e;
    return a.m < b.m;
}

[[nodiscard]] JULIASET_FORCE_INLINE FloatExp max_nonnegative(const FloatExp& a, const FloatExp& b) noexcept {
    return less_nonnegative(a, b) ? b : a;
}
[[nodiscard]] JULIASET_FORCE_INLINE FloatExp min_nonnegative(const FloatExp& a, const FloatExp& b) noexcept {
    return less_nonnegative(a, b) ? a : b;
}

[[nodiscard]] JULIASET_FORCE_INLINE FloatExp sqrt(const FloatExp& a) noexcept {
    if (a.m == 0.0) return {};
    // e even: sqrt(m) 2^(e/2); e odd: sqrt(2m) 2^((e-1)/2)
    const bool odd = (a.e & 1) != 0;
    const std::int64_t half = (a.e - (odd ? 1 : 0)) / 2;
    return FloatExp(std::sqrt(odd ? 2.0 * a.m : a.m), half);
}

/// A complex number (re + i im) * 2^e with max(|re|, |im|) in [1, 2), or 0.
struct ComplexExp {
    double re = 0.0;
    double im = 0.0;
    std::int64_t e = zero_exponent;

    ComplexExp() noexcept = default;
    ComplexExp(double r, double i, std::int64_t exponent) noexcept : re(r), im(i), e(exponent) {
        normalize();
    }
    ComplexExp(double r, double i) noexcept : re(r), im(i), e(0) { normalize(); }
    ComplexExp(const FloatExp& r, const FloatExp& i) noexcept {
        if (r.m == 0.0 && i.m == 0.0) return;
        e = r.m == 0.0 ? i.e : (i.m == 0.0 ? r.e : std::max(r.e, i.e));
        re = r.m == 0.0 ? 0.0 : scale_by(r.m, r.e - e);
        im = i.m == 0.0 ? 0.0 : scale_by(i.m, i.e - e);
        normalize();
    }

    JULIASET_FORCE_INLINE void normalize() noexcept {
        const double a = std::max(std::fabs(re), std::fabs(im));
        if (a == 0.0) {
            re = im = 0.0;
            e = zero_exponent;
            return;
        }
        if (!std::isfinite(a)) return;
        if (a >= 2.2250738585072014e-308) {  // normal: shift by the exponent bits
            const std::int64_t k = exponent_of(a);
            if (k < 1023) {
                const double s = power_of_two(-k);
                re *= s;
                im *= s;
            } else {
                re = re * 0.5 * power_of_two(-1022);
                im = im * 0.5 * power_of_two(-1022);
            }
            e += k;
        } else {
            int k = 0;
            (void)std::frexp(a, &k);
            re = std::ldexp(re, 1 - k);
            im = std::ldexp(im, 1 - k);
            e += k - 1;
        }
    }
    [[nodiscard]] bool is_zero() const noexcept { return re == 0.0 && im == 0.0; }
    [[nodiscard]] double re_double() const noexcept { return is_zero() ? 0.0 : scale_by(re, e); }
    [[nodiscard]] double im_double() const noexcept { return is_zero() ? 0.0 : scale_by(im, e); }
    /// |z|^2
    [[nodiscard]] JULIASET_FORCE_INLINE FloatExp norm() const noexcept {
        if (is_zero()) return {};
        return FloatExp(re * re + im * im, 2 * e);
    }
    /// |z|
    [[nodiscard]] FloatExp abs() const noexcept { return sqrt(norm()); }
};

[[nodiscard]] JULIASET_FORCE_INLINE ComplexExp operator*(const ComplexExp& a, const ComplexExp& b) noexcept {
    if (a.is_zero() || b.is_zero()) return {};
    ComplexExp r;
    r.re = a.re * b.re - a.im * b.im;
    r.im = a.re * b.im + a.im * b.re;
    r.e = a.e + b.e;
    if (!bounded_exponent(r.e)) return {};
    r.normalize();
    return r;
}

[[nodiscard]] JULIASET_FORCE_INLINE ComplexExp operator*(const ComplexExp& a, const FloatExp& b) noexcept {
    if (a.is_zero() || b.m == 0.0) return {};
    ComplexExp r;
    r.re = a.re * b.m;
    r.im = a.im * b.m;
    r.e = a.e + b.e;
    if (!bounded_exponent(r.e)) return {};
    r.normalize();
    return r;
}

[[nodiscard]] JULIASET_FORCE_INLINE ComplexExp operator+(const ComplexExp& a, const ComplexExp& b) noexcept {
    if (a.is_zero()) return b;
    if (b.is_zero()) return a;
    const std::int64_t d = a.e - b.e;
    if (d > 64) return a;
    if (d < -64) return b;
    ComplexExp r;
    if (d >= 0) {
        const double s = power_of_two(-d);
        r.re = a.re + b.re * s;
        r.im = a.im + b.im * s;
        r.e = a.e;
    } else {
        const double s = power_of_two(d);
        r.re = a.re * s + b.re;
        r.im = a.im * s + b.im;
        r.e = b.e;
    }
    r.normalize();
    return r;
}

[[nodiscard]] JULIASET_FORCE_INLINE ComplexExp operator-(const ComplexExp& a) noexcept {
    ComplexExp r = a;
    r.re = -r.re;
    r.im = -r.im;
    return r;
}

}  // namespace juliaset::deep
