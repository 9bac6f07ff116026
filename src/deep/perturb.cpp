// The per-pixel kernel: perturbation around the reference orbits with rebasing, bilinear
// approximation skips, deltas in doubles when they fit and in ComplexExp below.
//
// A pixel's iterate is z_n = Z_m + dz with Z the current reference orbit. Each step either
// skips 2^l reference steps with the largest valid BLA entry starting at m, or takes one
// perturbed step dz <- dz * q + dc with q = sum_j z^(power-1-j) Z^j (so that
// dz * q = z^power - Z^power). After each step: the escape test on z (the count rule of
// escape.hpp), then a rebase dz <- z, m <- 0 when |z| < |dz| or at the orbit's end.
#include <cmath>
#include <limits>
#include <type_traits>

#include "deep/engine.hpp"

namespace juliaset::deep {

namespace {

// How run() begins and ends: a whole pixel; from its start to the top of its first
// double-mode step, saved in `*to` (start_pixel); or from `*from` to its end (resume_pixel).
enum class Span { whole, to_double_mode, from_state };

template <int kPower, bool kMandelbrot, bool kDerivative, Span kSpan = Span::whole>
PixelResult run(const Engine& engine, const ComplexExp& delta, const std::atomic<bool>* cancel,
                const PixelState* from = nullptr, PixelState* to = nullptr,
                bool* stopped_at_state = nullptr) noexcept {
    const std::uint32_t power = kPower == 0 ? engine.power : static_cast<std::uint32_t>(kPower);
    const double t2 = engine.threshold_squared;
    const std::uint64_t limit = std::uint64_t{engine.itermax} + 1;
    const std::int64_t plain_log2 = double_mode_log2(power);
    const double plain_squared = std::ldexp(1.0, 2 * plain_log2);
    const ComplexExp one(1.0, 0.0);
    const ComplexExp power_exp(static_cast<double>(power), 0.0);

    const ComplexExp dc = kMandelbrot ? delta : ComplexExp();
    const double dc_re = dc.re_double();
    const double dc_im = dc.im_double();

    const Orbit* orbit = &engine.primary;
    const Orbit* restart = kMandelbrot ? &engine.primary : &engine.critical;
    ComplexExp dzf;
    ComplexExp derivative = kMandelbrot ? ComplexExp() : one;
    if constexpr (!kMandelbrot) {
        if (engine.use_primary) {
            dzf = delta;
        } else {
            orbit = &engine.critical;
            dzf = engine.centre + delta;
        }
    }
    std::size_t m = 0;
    std::uint64_t n = 0;
    double dr = 0.0;
    double di = 0.0;
    // Mandelbrot: dz = 0 at m = 0, and the first step makes it dc. Where dc is in the double
    // range that step is taken in double mode (exactly the value the extended-exponent step
    // gives: 0 q + dc), so that every pixel of such a view starts at the same state (for the
    // SIMD kernel's groups) without one step of ComplexExp arithmetic each.
    bool fe = kMandelbrot ? !(dc.e >= plain_log2) : !(dzf.e >= plain_log2);
    if (!fe) {
        dr = dzf.re_double();
        di = dzf.im_double();
    }
    CycleDetector cycles;
    if constexpr (kSpan == Span::from_state) {
        orbit = from->on_restart ? restart : &engine.primary;
        m = from->m;
        n = from->n;
        dr = from->dr;
        di = from->di;
        fe = false;
        cycles = from->cycles;
    }
    std::uint64_t since_poll = 0;
    double norm = 0.0;  // |z|^2 of the last iterate
    bool escaped = false;
    double escaped_modulus = 0.0;

    // The count rule's test |z|^2 > threshold^2 on z = Z_m + dz; the rare iterates whose
    // double norm lies within rounding of the circle are decided from the reference's exact
    // gap (Orbit::threshold_gap).
    auto escapes = [t2](const Orbit& on, std::size_t index, double z_norm,
                        const auto&... dz) noexcept {
        const bool outside = !(z_norm <= t2);
        if (!(std::fabs(z_norm - t2) <= t2 * Orbit::threshold_margin)) return outside;
        return on.escapes_near_threshold(index, ComplexExp(dz...), outside);
    };

    auto polled_cancel = [&](std::uint64_t steps) {
        since_poll += steps;
        if (since_poll < 65536) return false;
        since_poll = 0;
        return cancel != nullptr && cancel->load(std::memory_order_relaxed);
    };

    for (;;) {
        if (fe) {
            // --- extended-exponent mode: |dz| < 2^plain_log2 ---
            std::uint64_t skipped = 0;
            if (m >= orbit->base && m < orbit->end && !orbit->first.empty()) {
                const std::size_t offset = m - orbit->base;
                const FloatExp dz_norm = dzf.norm();
                const BlaEntry* best = nullptr;
                std::uint64_t best_steps = 0;
                const std::uint32_t begin = orbit->first[offset];
                const std::uint32_t stop = orbit->first[offset + 1];
                for (std::uint32_t k = begin; k < stop; ++k) {
                    const std::uint64_t steps = std::uint64_t{2} << (k - begin);
                    const BlaEntry& e = orbit->entries[k];
                    // less_nonnegative(dz_norm, R^2), R^2 precomputed
                    const bool inside =
                        e.r2_m != 0.0 &&
                        (dz_norm.m == 0.0 ||
                         (dz_norm.e != e.r2_e ? dz_norm.e < e.r2_e : dz_norm.m < e.r2_m));
                    if (!inside || n + steps > limit) break;
                    best = &e;
                    best_steps = steps;
                }
                if (best != nullptr) {
                    const ComplexExp a = best->a();
                    dzf = a * dzf;
                    if constexpr (kMandelbrot) dzf = dzf + best->b() * dc;
                    if constexpr (kDerivative) {
                        derivative = a * derivative;
                        if constexpr (kMandelbrot) derivative = derivative + best->b();
                    }
                    skipped = best_steps;
                }
            }
            if (skipped == 0) {
                const ComplexExp zr = orbit->at(m);
                const ComplexExp z = zr + dzf;
                ComplexExp q = one;
                ComplexExp p = zr;
                for (std::uint32_t i = 1; i < power; ++i) {
                    q = q * z + p;
                    if (i + 1 < power) p = p * zr;
                }
                if constexpr (kDerivative) {
                    ComplexExp zp = power_exp;
                    for (std::uint32_t i = 1; i < power; ++i) zp = zp * z;
                    derivative = zp * derivative;
                    if constexpr (kMandelbrot) derivative = derivative + one;
                }
                dzf = dzf * q;
                if constexpr (kMandelbrot) dzf = dzf + dc;
                skipped = 1;
            }
            m += skipped;
            n += skipped;
            const ComplexExp reference = orbit->at(m);
            // The common case at depth: dz below Z's last bit, so z = Z + dz is Z (ComplexExp's
            // sum drops it), |z| > |dz| (no rebase) and |z|^2 is a normal double, formed as
            // the general case forms it.
            const bool dz_below_z =
                m != orbit->end && reference.e > -400 && reference.e - dzf.e > 64;
            ComplexExp z;
            FloatExp z_norm;
            if (dz_below_z) {
                norm = scale_by(reference.re * reference.re + reference.im * reference.im,
                                2 * reference.e);
            } else {
                z = reference + dzf;
                z_norm = z.norm();
                norm = z_norm.to_double();
            }
            if (escapes(*orbit, m, norm, dzf)) {
                escaped = true;
                escaped_modulus = std::sqrt(norm);
                break;
            }
            if (n >= limit) break;
            if (!dz_below_z && (m == orbit->end || less_nonnegative(z_norm, dzf.norm()))) {
                dzf = z;
                m = 0;
                orbit = restart;
                n += cycles.observe({dzf.re, dzf.im, dzf.e, true}, n, limit);
                if (n >= limit) break;  // whole cycles skipped up to the limit: z is its iterate
            }
            if (dzf.e >= plain_log2) {
                fe = false;
                dr = dzf.re_double();
                di = dzf.im_double();
            }
            if (polled_cancel(1)) break;
            continue;
        }

        // --- double mode ---
        for (;;) {
            if constexpr (kSpan == Span::to_double_mode) {
                to->on_restart = orbit != &engine.primary;
                to->m = m;
                to->n = n;
                to->dr = dr;
                to->di = di;
                to->cycles = cycles;
                *stopped_at_state = true;
                return {};
            }
            std::size_t steps_taken = 0;
            if (m >= orbit->base && m < orbit->end && !orbit->first.empty()) {
                const std::size_t offset = m - orbit->base;
                const std::uint32_t begin = orbit->first[offset];
                const std::uint32_t stop = orbit->first[offset + 1];
                if (begin != stop) {
                    const double dz_norm = dr * dr + di * di;
                    const BlaPlain* best = nullptr;
                    std::uint64_t best_steps = 0;
                    for (std::uint32_t k = begin; k < stop; ++k) {
                        const std::uint64_t steps = std::uint64_t{2} << (k - begin);
                        const BlaPlain& e = orbit->plain[k];
                        if (!(dz_norm < e.r2) || n + steps > limit) break;
                        best = &e;
                        best_steps = steps;
                    }
                    if (best != nullptr) {
                        double nr = best->a_re * dr - best->a_im * di;
                        double ni = best->a_re * di + best->a_im * dr;
                        if constexpr (kMandelbrot) {
                            // B dc = (B's mantissa * dc's mantissa) 2^(both exponents); below
                            // the double range it is far below dz's rounding (|dz| >= 2^-480).
                            const std::int64_t k = best->b_e + dc.e;
                            if (k >= -1022) {
                                const double s = k <= 1023 ? power_of_two(k) : scale_by(1.0, k);
                                nr += (best->b_re * dc.re - best->b_im * dc.im) * s;
                                ni += (best->b_re * dc.im + best->b_im * dc.re) * s;
                            }
                        }
                        if constexpr (kDerivative) {
                            const std::size_t index =
                                static_cast<std::size_t>(best - orbit->plain.data());
                            const BlaEntry& e = orbit->entries[index];
                            derivative = e.a() * derivative;
                            if constexpr (kMandelbrot) derivative = derivative + e.b();
                        }
                        dr = nr;
                        di = ni;
                        steps_taken = best_steps;
                    }
                }
            }
            if (steps_taken == 0) {
                const double zr = orbit->z[m].real();
                const double zi = orbit->z[m].imag();
                const double xr = zr + dr;  // the pixel's z
                const double xi = zi + di;
                double qr;
                double qi;
                if constexpr (kPower == 2) {
                    // 2Z + dz (2Z exact): one rounding, and one add on the chain from dz.
                    qr = 2.0 * zr + dr;
                    qi = 2.0 * zi + di;
                } else {
                    qr = 1.0;
                    qi = 0.0;
                    double pr = zr;
                    double pi = zi;
                    for (std::uint32_t i = 1; i < power; ++i) {
                        const double tr = qr * xr - qi * xi + pr;
                        const double ti = qr * xi + qi * xr + pi;
                        qr = tr;
                        qi = ti;
                        const double sr = pr * zr - pi * zi;
                        const double si = pr * zi + pi * zr;
                        pr = sr;
                        pi = si;
                    }
                }
                if constexpr (kDerivative) {
                    double wr = static_cast<double>(power);
                    double wi = 0.0;
                    for (std::uint32_t i = 1; i < power; ++i) {
                        const double tr = wr * xr - wi * xi;
                        const double ti = wr * xi + wi * xr;
                        wr = tr;
                        wi = ti;
                    }
                    derivative = ComplexExp(wr, wi) * derivative;
                    if constexpr (kMandelbrot) derivative = derivative + one;
                }
                const double nr = dr * qr - di * qi + dc_re;
                const double ni = dr * qi + di * qr + dc_im;
                dr = nr;
                di = ni;
                steps_taken = 1;
            }
            m += steps_taken;
            n += steps_taken;
            const double xr = orbit->z[m].real() + dr;
            const double xi = orbit->z[m].imag() + di;
            norm = xr * xr + xi * xi;
            if (escapes(*orbit, m, norm, dr, di)) {
                escaped = true;
                escaped_modulus = std::sqrt(norm);
                break;
            }
            if (n >= limit) break;
            if (m == orbit->end || norm < dr * dr + di * di) {
                dr = xr;
                di = xi;
                m = 0;
                orbit = restart;
                n += cycles.observe({dr, di, 0, false}, n, limit);
                if (n >= limit) break;  // whole cycles skipped up to the limit: z is its iterate
            }
            if (dr * dr + di * di < plain_squared) {
                fe = true;
                dzf = ComplexExp(dr, di);
                break;
            }
            if (polled_cancel(1)) break;
        }
        if (!fe) break;  // escaped, at the limit or cancelled
    }

    // A NaN |z|^2 (see finish_pixel) has no distance either.
    if (escaped && std::isnan(norm)) escaped_modulus = std::numeric_limits<double>::infinity();
    PixelResult result = finish_pixel(engine, n, norm, escaped);
    if constexpr (kDerivative) {
        if (!escaped) return result;
        const FloatExp der = derivative.abs();
        if (!der.is_zero() && std::isfinite(escaped_modulus)) {
            result.distance = FloatExp(escaped_modulus * std::log(escaped_modulus)) / der;
        }
    }
    return result;
}

}  // namespace


namespace {

// f(power, mandelbrot) with the engine's kernel as compile-time constants (power 2
// specialised, the others as power 0: read at run time), for the entry points below.
template <class F>
PixelResult with_kernel(const Engine& engine, F&& f) {
    using Two = std::integral_constant<int, 2>;
    using Any = std::integral_constant<int, 0>;
    const bool mandelbrot = engine.family == Family::mandelbrot;
    if (engine.power == 2) {
        return mandelbrot ? f(Two{}, std::true_type{}) : f(Two{}, std::false_type{});
    }
    return mandelbrot ? f(Any{}, std::true_type{}) : f(Any{}, std::false_type{});
}

}  // namespace

bool start_pixel(const Engine& engine, const ComplexExp& delta, PixelState& state,
                 PixelResult& result, const std::atomic<bool>* cancel) noexcept {
    if (engine.family == Family::mandelbrot && delta.e >= double_mode_log2(engine.power)) {
        // What run() reaches at once (see its start): m = n = 0 and dz = 0 in double mode.
        state = PixelState{};
        return true;
    }
    bool stopped = false;
    result = with_kernel(engine, [&](auto power, auto mandelbrot) {
        return run<decltype(power)::value, decltype(mandelbrot)::value, false,
                   Span::to_double_mode>(engine, delta, cancel, nullptr, &state, &stopped);
    });
    return stopped;
}

PixelResult resume_pixel(const Engine& engine, const ComplexExp& delta, const PixelState& state,
                         const std::atomic<bool>* cancel) noexcept {
    return with_kernel(engine, [&](auto power, auto mandelbrot) {
        return run<decltype(power)::value, decltype(mandelbrot)::value, false, Span::from_state>(
            engine, delta, cancel, &state);
    });
}

PixelResult iterate_pixel(const Engine& engine, const ComplexExp& delta, bool want_derivative,
                          const std::atomic<bool>* cancel) noexcept {
    return with_kernel(engine, [&](auto power, auto mandelbrot) {
        constexpr int kPower = decltype(power)::value;
        constexpr bool kMandelbrot = decltype(mandelbrot)::value;
        return want_derivative ? run<kPower, kMandelbrot, true>(engine, delta, cancel)
                               : run<kPower, kMandelbrot, false>(engine, delta, cancel);
    });
}

}  // namespace juliaset::deep
