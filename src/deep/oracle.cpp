// The brute-force oracle: one MPFR orbit of the exact sample point, the count rule of
// escape.hpp. For tests and the benchmark's baseline.
#include "deep/decimal.hpp"
#include "deep/engine.hpp"
#include "juliaset/deep.hpp"

namespace juliaset {

namespace {
std::uint32_t oracle_at(const DeepView& view, const DeepParams& params, std::size_t i,
                        std::size_t j, const deep::Decimal& cre, const deep::Decimal& cim,
                        const deep::Decimal& width, const deep::Decimal& c_re,
                        const deep::Decimal& c_im, std::size_t precision_bits);
}  // namespace

std::uint32_t deep_oracle_count(const DeepView& view, const DeepParams& params, std::size_t i,
                                std::size_t j, std::size_t precision_bits) {
    using deep::Mpfr;
    const deep::Decimal cre = deep::parse_decimal(view.center_re, "center_re");
    const deep::Decimal cim = deep::parse_decimal(view.center_im, "center_im");
    const deep::Decimal width = deep::parse_decimal(view.width, "width");
    if (width.is_zero() || width.negative) throw std::invalid_argument("width must be above 0");
    if (view.pixels_x < 1 || view.pixels_y < 1 || i >= view.pixels_x || j >= view.pixels_y) {
        throw std::out_of_range("pixel outside the image");
    }
    if (params.power < min_power || params.power > max_power) {
        throw std::invalid_argument("power out of range");
    }
    const bool mandelbrot = params.family == Family::mandelbrot;
    deep::Decimal c_re, c_im;
    if (!mandelbrot) {
        c_re = deep::parse_decimal(params.c_re, "c_re");
        c_im = deep::parse_decimal(params.c_im, "c_im");
    }
    if (precision_bits != 0) {
        return oracle_at(view, params, i, j, cre, cim, width, c_re, c_im, precision_bits);
    }
    // Enough for the view, then more until two precisions agree (at most three more tries): a
    // pixel whose orbit passes within 2^-bits of the boundary is only settled by more bits.
    std::size_t bits = deep::view_precision(width, view.pixels_x, cre, cim,
                                            mandelbrot ? nullptr : &c_re,
                                            mandelbrot ? nullptr : &c_im) +
                       32;
    std::uint32_t count = oracle_at(view, params, i, j, cre, cim, width, c_re, c_im, bits);
    for (int attempt = 0; attempt < 3; ++attempt) {
        bits += std::max<std::size_t>(64, bits / 2);
        const std::uint32_t again = oracle_at(view, params, i, j, cre, cim, width, c_re, c_im, bits);
        if (again == count) break;
        count = again;
    }
    return count;
}

namespace {

std::uint32_t oracle_at(const DeepView& view, const DeepParams& params, std::size_t i,
                        std::size_t j, const deep::Decimal& cre, const deep::Decimal& cim,
                        const deep::Decimal& width, const deep::Decimal& c_re,
                        const deep::Decimal& c_im, std::size_t precision_bits) {
    using deep::Mpfr;
    const bool mandelbrot = params.family == Family::mandelbrot;
    const auto bits = static_cast<mpfr_prec_t>(precision_bits);
    Mpfr x(bits), y(bits), step(bits), zr(bits), zi(bits), kr(bits), ki(bits);
    Mpfr t1(bits), t2(bits), t3(bits), br(bits), bi(bits), norm(bits), limit(bits);
    // Sample: centre + ((2i - w), (h - 2j)) * width / (2w), each term rounded once at `bits`.
    deep::set_decimal(step, width);
    mpfr_div_ui(step, step, 2 * static_cast<unsigned long>(view.pixels_x), MPFR_RNDN);
    deep::set_decimal(x, cre);
    deep::set_decimal(y, cim);
    mpfr_mul_si(t1, step, 2 * static_cast<long>(i) - static_cast<long>(view.pixels_x),
                MPFR_RNDN);
    mpfr_add(x, x, t1, MPFR_RNDN);
    mpfr_mul_si(t1, step, static_cast<long>(view.pixels_y) - 2 * static_cast<long>(j),
                MPFR_RNDN);
    mpfr_add(y, y, t1, MPFR_RNDN);
    if (mandelbrot) {
        mpfr_set_zero(zr, 1);
        mpfr_set_zero(zi, 1);
        mpfr_set(kr, x, MPFR_RNDN);
        mpfr_set(ki, y, MPFR_RNDN);
    } else {
        mpfr_set(zr, x, MPFR_RNDN);
        mpfr_set(zi, y, MPFR_RNDN);
        deep::set_decimal(kr, c_re);
        deep::set_decimal(ki, c_im);
    }
    mpfr_set_d(limit, params.threshold, MPFR_RNDN);
    mpfr_sqr(limit, limit, MPFR_RNDN);  // exact: bits >= 128 > 2 * 53
    for (std::uint32_t k = 0;; ++k) {
        deep::complex_power(zr, zi, params.power, t1, t2, t3, br, bi);
        mpfr_add(zr, zr, kr, MPFR_RNDN);
        mpfr_add(zi, zi, ki, MPFR_RNDN);
        mpfr_sqr(t1, zr, MPFR_RNDN);
        mpfr_sqr(t2, zi, MPFR_RNDN);
        mpfr_add(norm, t1, t2, MPFR_RNDN);
        if (k == params.itermax || mpfr_greater_p(norm, limit) || mpfr_nan_p(norm)) return k;
    }
}

}  // namespace

}  // namespace juliaset
