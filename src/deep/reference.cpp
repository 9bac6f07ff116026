// Reference orbits in MPFR, stored rounded to double. They stop at escape, at the iteration
// limit, at a near-zero value (a period of a nucleus: every pixel rebases there anyway) or at
// max_reference_length; rebasing (perturb.cpp) makes every stopping point correct.
#include <cmath>

#include "deep/engine.hpp"
#include "juliaset/render.hpp"

namespace juliaset::deep {

void complex_power(mpfr_ptr re, mpfr_ptr im, std::uint32_t power, mpfr_ptr t1, mpfr_ptr t2,
                   mpfr_ptr t3, mpfr_ptr base_re, mpfr_ptr base_im) {
    if (power == 2) {
        // (re + im)(re - im), 2 re im
        mpfr_add(t1, re, im, MPFR_RNDN);
        mpfr_sub(t2, re, im, MPFR_RNDN);
        mpfr_mul(im, re, im, MPFR_RNDN);
        mpfr_mul_2ui(im, im, 1, MPFR_RNDN);
        mpfr_mul(re, t1, t2, MPFR_RNDN);
        return;
    }
    mpfr_set(base_re, re, MPFR_RNDN);
    mpfr_set(base_im, im, MPFR_RNDN);
    for (std::uint32_t p = 1; p < power; ++p) {
        // (re + i im)(br + i bi) = re br - im bi + i (re bi + im br)
        mpfr_mul(t1, re, base_re, MPFR_RNDN);
        mpfr_mul(t2, im, base_im, MPFR_RNDN);
        mpfr_mul(t3, re, base_im, MPFR_RNDN);
        mpfr_mul(im, im, base_re, MPFR_RNDN);
        mpfr_add(im, im, t3, MPFR_RNDN);
        mpfr_sub(re, t1, t2, MPFR_RNDN);
    }
}

Orbit compute_orbit(const OrbitRequest& request, const DeepProgress& progress,
                    const std::atomic<bool>* cancel) {
    const mpfr_prec_t bits = request.bits;
    Mpfr re(bits), im(bits), t1(bits), t2(bits), t3(bits), br(bits), bi(bits);
    mpfr_set(re, request.z0_re, MPFR_RNDN);
    mpfr_set(im, request.z0_im, MPFR_RNDN);

    Orbit orbit;
    const std::size_t reserve = std::min<std::size_t>(request.max_length + 1, 1 << 16);
    orbit.z.reserve(reserve);
    const double t2_threshold = request.threshold * request.threshold;
    // threshold^2 exactly (a double's square fits 106 bits; the precision is at least 128)
    Mpfr threshold_squared(std::max<mpfr_prec_t>(bits, 128));
    mpfr_set_d(threshold_squared, request.threshold, MPFR_RNDN);
    mpfr_sqr(threshold_squared, threshold_squared, MPFR_RNDN);
    const double power = static_cast<double>(request.power);
    // dZ/dc or dZ/dz0, for the near-zero stop.
    ComplexExp derivative = request.derivative == 2 ? ComplexExp(1.0, 0.0) : ComplexExp();
    const ComplexExp one(1.0, 0.0);

    // Orbits without a derivative (Julia's critical orbit) stop when they repeat to the working
    // precision (Brent's cycle detection in MPFR): they have converged to an attracting cycle,
    // and a pixel rebased there follows the same cycle.
    Mpfr tortoise_re(bits), tortoise_im(bits);
    mpfr_set_nan(tortoise_re);
    mpfr_set_nan(tortoise_im);
    std::size_t brent_power = 1;
    std::size_t brent_lambda = 0;
    const mpfr_exp_t repeat_exponent = -static_cast<mpfr_exp_t>(bits) + 16;
    auto repeats = [&]() {
        if (mpfr_nan_p(tortoise_re)) return false;
        mpfr_sub(t1, re, tortoise_re, MPFR_RNDN);
        mpfr_sub(t2, im, tortoise_im, MPFR_RNDN);
        return (mpfr_zero_p(t1) || mpfr_get_exp(t1) < repeat_exponent) &&
               (mpfr_zero_p(t2) || mpfr_get_exp(t2) < repeat_exponent);
    };
    const FloatExp near_zero_factor(1.0, -2);

    std::size_t n = 0;
    for (;;) {
        const std::complex<double> z{mpfr_get_d(re, MPFR_RNDN), mpfr_get_d(im, MPFR_RNDN)};
        orbit.z.push_back(z);
        if (n >= 1 && std::max(std::fabs(z.real()), std::fabs(z.imag())) < Orbit::tiny_limit) {
            orbit.tiny.emplace_back(n, to_complex_exp(re, im));
        }
        if (std::fabs(std::norm(z) - t2_threshold) <= t2_threshold * 0x1p-20) {
            mpfr_sqr(t1, re, MPFR_RNDN);
            mpfr_sqr(t2, im, MPFR_RNDN);
            mpfr_add(t1, t1, t2, MPFR_RNDN);
            mpfr_sub(t1, t1, threshold_squared, MPFR_RNDN);
            orbit.threshold_gap.emplace_back(n, to_float_exp(t1));
        }
        if (n >= 1) {
            const double norm = std::norm(z);
            Orbit::Stop stop = Orbit::Stop::escaped;
            bool stopping = true;
            if (!(norm <= t2_threshold)) {
                stop = Orbit::Stop::escaped;
            } else if (n >= request.max_length) {
                stop = n >= max_reference_length ? Orbit::Stop::length_cap
                                                 : Orbit::Stop::iteration_limit;
            } else if (request.derivative != 0 &&
                       less_nonnegative(to_complex_exp(re, im).abs(),
                                        derivative.abs() * request.spacing * near_zero_factor)) {
                stop = Orbit::Stop::near_zero;
            } else if (request.derivative == 0 && repeats()) {
                stop = Orbit::Stop::converged;
            } else {
                stopping = false;
                if (request.derivative == 0) {
                    if (brent_lambda == brent_power) {
                        mpfr_set(tortoise_re, re, MPFR_RNDN);
                        mpfr_set(tortoise_im, im, MPFR_RNDN);
                        brent_power *= 2;
                        brent_lambda = 0;
                    }
                    ++brent_lambda;
                }
            }
            if (stopping) {
                orbit.stop = stop;
                orbit.end = n;
                orbit.last = to_complex_exp(re, im);
                break;
            }
        }
        if (request.derivative != 0) {
            const ComplexExp zc = to_complex_exp(re, im);
            ComplexExp d(power, 0.0);
            for (std::uint32_t p = 1; p < request.power; ++p) d = d * zc;
            derivative = d * derivative;
            if (request.derivative == 1) derivative = derivative + one;
        }
        complex_power(re, im, request.power, t1, t2, t3, br, bi);
        mpfr_add(re, re, request.c_re, MPFR_RNDN);
        mpfr_add(im, im, request.c_im, MPFR_RNDN);
        ++n;
        if (n % 64 == 0) {
            if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) throw Cancelled();
            if (n % 4096 == 0 && progress.report) {
                progress.report(DeepProgress::Stage::reference_orbit, n, request.max_length);
            }
        }
    }
    orbit.z.shrink_to_fit();
    orbit.base = (orbit.z[0] == std::complex<double>(0.0, 0.0)) ? 1 : 0;
    return orbit;
}

}  // namespace juliaset::deep
