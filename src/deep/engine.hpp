// Private: the deep engine's data, shared by the reference orbits (reference.cpp), the
// bilinear approximation table (bla.cpp), the per-pixel kernels (perturb.cpp) and the entry
// points (deep.cpp). Notation follows docs/design.md, "Deep zoom".
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "deep/decimal.hpp"
#include "deep/floatexp.hpp"
#include "juliaset/deep.hpp"

namespace juliaset::deep {

/// Deltas of magnitude at least 2^double_mode_log2(power) are iterated in plain doubles: every
/// product of the perturbed step (down to |dz|^power) then stays a normal double. Below it
/// they are iterated in ComplexExp.
[[nodiscard]] constexpr int double_mode_log2(std::uint32_t power) noexcept {
    return -static_cast<int>(960 / power);
}

/// One BLA entry: l steps from reference index m map dz to A dz + B dc while |dz| < R.
/// A and B are normalised ComplexExp parts (0, 0 for zero); R is mantissa * 2^exponent with
/// exponent 0 whenever it fits a double with room to spare (|x| in [2^-1000, 2^1000] or 0).
/// For the extended-exponent kernel.
struct BlaEntry {
    double a_re, a_im;
    double b_re, b_im;
    double r;
    std::int32_t a_e, b_e, r_e;
    /// R^2 as a normalised FloatExp (mantissa 0 when R is 0), formed once at build time: the
    /// kernel's scan compares |dz|^2 with it.
    double r2_m;
    std::int64_t r2_e;

    [[nodiscard]] ComplexExp a() const noexcept { return raw(a_re, a_im, a_e); }
    [[nodiscard]] ComplexExp b() const noexcept { return raw(b_re, b_im, b_e); }
    [[nodiscard]] static ComplexExp raw(double re, double im, std::int32_t e) noexcept {
        ComplexExp v;
        if (re != 0.0 || im != 0.0) {
            v.re = re;
            v.im = im;
            v.e = e;
        }
        return v;
    }
    [[nodiscard]] FloatExp radius() const noexcept { return {r, r_e}; }
};

/// The same entry for the double-mode kernel: A as doubles, R^2 as a double (0 when A or R
/// leave the double range: never valid there, where |dz| >= 2^-480), and B as a normalised
/// mantissa with its exponent (B dc is formed as (mantissa * dc's mantissa) * 2^(sum)).
struct BlaPlain {
    double a_re, a_im;
    double r2;
    double b_re, b_im;
    std::int64_t b_e;
};

/// A reference orbit Z_0 .. Z_end in doubles, with the values below 2^-900 (where a double
/// loses bits) also kept exactly enough in `tiny`, and its BLA table. A pixel reaching index
/// `end` is always rebased.
struct Orbit {
    std::vector<std::complex<double>> z;  // end + 1 values
    std::vector<std::pair<std::size_t, ComplexExp>> tiny;  // by increasing index
    ComplexExp last;
    std::size_t end = 0;
    /// The BLA table covers [base, end): base is 1 when Z_0 = 0 (whose step the table cannot
    /// linearise), else 0.
    std::size_t base = 0;
    /// The entries starting at offset o = m - base (levels 1, 2, ... of 2, 4, ... steps, as far
    /// as o is a multiple of 2^l and the steps stay before `end`) are
    /// entries[first[o] .. first[o + 1]), by increasing level; first has end - base + 1
    /// values (none when the table is empty). Contiguous per start for the kernel's scan.
    std::vector<std::uint32_t> first;
    std::vector<BlaPlain> plain;
    std::vector<BlaEntry> entries;
    /// Why the orbit stopped (for tests and the docs).
    enum class Stop { escaped, iteration_limit, near_zero, converged, length_cap };
    Stop stop = Stop::escaped;

    /// at(m) for every m (filled by build_bla; empty before).
    std::vector<ComplexExp> z_exp;
    /// D_m = |Z_m|^2 - threshold^2 from the MPFR value, by increasing m, for the m where
    /// |D_m| < 2^-20 threshold^2. Near the escape circle a double Z_m cannot carry the digits
    /// that decide the escape test: Z_1 = c = -2 + 1e-35 is stored as -2, and a pixel whose
    /// z = Z_1 + dz lies 1e-35 outside the circle would read as exactly on it.
    std::vector<std::pair<std::size_t, FloatExp>> threshold_gap;

    /// Whether z = Z_m + dz escapes (|z|^2 > threshold^2), decided from D_m where the double
    /// test (`double_answer`) was too close to call; `double_answer` where D_m is not kept.
    [[nodiscard]] bool escapes_near_threshold(std::size_t m, const ComplexExp& dz,
                                              bool double_answer) const noexcept {
        const auto found = std::lower_bound(
            threshold_gap.begin(), threshold_gap.end(), m,
            [](const std::pair<std::size_t, FloatExp>& entry, std::size_t index) {
                return entry.first < index;
            });
        if (found == threshold_gap.end() || found->first != m) return double_answer;
        // |Z + dz|^2 - t^2 = D_m + 2 Re(conj(Z) dz) + |dz|^2
        const ComplexExp z = at(m);
        const FloatExp cross = FloatExp(z.re, z.e) * FloatExp(dz.re, dz.e) +
                               FloatExp(z.im, z.e) * FloatExp(dz.im, dz.e);
        const FloatExp excess = found->second + cross * FloatExp(2.0) + dz.norm();
        return excess.m > 0.0;
    }
    /// The double test's margin: |norm - threshold^2| below threshold^2 2^-40 asks D_m.
    static constexpr double threshold_margin = 0x1p-40;

    /// Z_m as ComplexExp, exact to the stored double's precision even when tiny.
    [[nodiscard]] JULIASET_FORCE_INLINE ComplexExp at(std::size_t m) const noexcept {
        if (m < z_exp.size()) return z_exp[m];
        const std::complex<double> v = z[m];
        if (m == end) return last;
        if (std::max(std::fabs(v.real()), std::fabs(v.imag())) >= tiny_limit || tiny.empty()) {
            return {v.real(), v.imag()};
        }
        std::size_t lo = 0;
        std::size_t hi = tiny.size();
        while (lo < hi) {
            const std::size_t mid = (lo + hi) / 2;
            if (tiny[mid].first < m) lo = mid + 1; else hi = mid;
        }
        if (lo < tiny.size() && tiny[lo].first == m) return tiny[lo].second;
        return {v.real(), v.imag()};
    }
    static constexpr double tiny_limit = 0x1p-900;
};

/// The largest stored reference length (entries): rebasing makes any length correct, so this
/// only bounds memory (about 16 bytes per entry for Z, 24 for Z as ComplexExp and 64 for the
/// BLA table, ~110 MB here).
inline constexpr std::size_t max_reference_length = std::size_t{1} << 20;

/// An MPFR value as FloatExp (0 stays 0), rounded to nearest.
[[nodiscard]] inline FloatExp to_float_exp(mpfr_srcptr x) {
    if (mpfr_zero_p(x)) return {};
    long e = 0;
    const double m = mpfr_get_d_2exp(&e, x, MPFR_RNDN);
    return {m, e};
}

[[nodiscard]] inline ComplexExp to_complex_exp(mpfr_srcptr re, mpfr_srcptr im) {
    return {to_float_exp(re), to_float_exp(im)};
}

/// (re, im) <- (re, im)^power by repeated products (power 2 as (re + im)(re - im), 2 re im);
/// t1..t3, base_re and base_im are scratch. The reference orbits' and the oracle's step.
void complex_power(mpfr_ptr re, mpfr_ptr im, std::uint32_t power, mpfr_ptr t1, mpfr_ptr t2,
                   mpfr_ptr t3, mpfr_ptr base_re, mpfr_ptr base_im);

/// What the reference computation needs.
struct OrbitRequest {
    mpfr_prec_t bits = 0;
    mpfr_srcptr z0_re = nullptr, z0_im = nullptr;  // starting point
    mpfr_srcptr c_re = nullptr, c_im = nullptr;
    std::uint32_t power = 2;
    double threshold = 2.0;
    std::size_t max_length = 0;  // at most this many steps (Z_max_length is the last)
    /// Derivative tracking for the near-zero stop: 0 none, 1 d/dc (Mandelbrot), 2 d/dz0.
    int derivative = 0;
    /// Stop once |Z_n| < |dZ_n| spacing / 4: a pixel rebased there loses 2^-53 |Z_n| of its z,
    /// no more than its own rounding (docs/design.md, "Reference length, not itermax").
    FloatExp spacing;
};

Orbit compute_orbit(const OrbitRequest& request, const DeepProgress& progress,
                    const std::atomic<bool>* cancel);

/// Builds `orbit.levels` for deltas of the image, |dc| <= dc_max (0 for Julia: B = 0).
void build_bla(Orbit& orbit, std::uint32_t power, double threshold, bool mandelbrot,
               const FloatExp& dc_max, const DeepProgress& progress,
               const std::atomic<bool>* cancel);

/// Everything a pixel kernel reads.
struct Engine {
    Family family = Family::mandelbrot;
    std::uint32_t power = 2;
    double threshold_squared = 4.0;
    /// log(threshold_squared) and log(power), the smooth count's constants.
    double log_threshold_squared = std::log(4.0);
    double log_power = std::log(2.0);
    std::uint32_t itermax = 0;
    Orbit primary;   // Mandelbrot: of the centre from 0; Julia: of the centre as z0
    Orbit critical;  // Julia only: of 0 (the critical point), for rebasing
    bool use_primary = true;  // Julia: false when |centre| is below the double-mode range
    ComplexExp offset;  // (exact centre) - (the reference's centre)
    FloatExp half_spacing;  // width / (2 pixels_x)
    ComplexExp centre;  // the reference's centre (Julia without primary orbit: z0 = centre + delta)
};

/// The deltas from the reference's centre of pixels x0 .. x0 + count - 1 of row j of a w x h
/// image whose centre is `offset_re + i offset_im` from the reference's and whose pixels are
/// 2 `half` apart: offset + ((2 i - w) + i (h - 2 j)) half, as extended-exponent sums and
/// products. Where every operand and result is a normal double (exponents within +-900 and no
/// underflow, which holds down to views of about 1e-270), the same operations in plain doubles
/// round identically and are used instead (`plain_doubles`; false forces the extended ones, the
/// tests' reference): the extended ones had cost a fifth of a shallow deep view's render.
void pixel_deltas(const FloatExp& offset_re, const FloatExp& offset_im, const FloatExp& half,
                  std::size_t w, std::size_t h, std::size_t j, std::size_t x0, std::size_t count,
                  ComplexExp* out, bool plain_doubles = true) noexcept;

// The state at a rebase, for cycle detection (Brent): at a rebase m = 0 on the orbit that
// starts at 0, so the delta (and its representation) is the whole state.
struct Snapshot {
    double re = 0.0, im = 0.0;
    std::int64_t e = 0;
    bool fe = false;
    friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

struct CycleDetector {
    bool active = true;
    bool have = false;
    Snapshot tortoise;
    std::uint64_t tortoise_n = 0;
    std::uint64_t power = 1;
    std::uint64_t lambda = 0;

    // Called at each rebase with the iteration index n; returns the number of iterations
    // that may be skipped (whole cycles that fit before `limit`), 0 if none.
    std::uint64_t observe(const Snapshot& s, std::uint64_t n, std::uint64_t limit) noexcept {
        if (!active) return 0;
        if (have && s == tortoise) {
            active = false;
            const std::uint64_t period = n - tortoise_n;
            if (period == 0) return 0;
            return (limit - n) / period * period;
        }
        if (!have || lambda == power) {
            tortoise = s;
            tortoise_n = n;
            have = true;
            power *= 2;
            lambda = 0;
        }
        ++lambda;
        return 0;
    }
};

/// One pixel's results.
struct PixelResult {
    std::uint32_t count = 0;
    double final_norm = 0.0;
    /// Whether the pixel escaped (its smooth count is then detail::smooth_counts's of count
    /// and final_norm, else itermax: the caller computes it when asked, two logarithms).
    bool escaped = false;
    FloatExp distance;  // in plane units (below a double's range at depth)
};

/// Iterates the pixel whose delta from the reference's centre is `delta` (dc for the
/// Mandelbrot family, dz0 for Julia). `want_derivative` carries d z / d c (d z / d z0).
PixelResult iterate_pixel(const Engine& engine, const ComplexExp& delta, bool want_derivative,
                          const std::atomic<bool>* cancel) noexcept;

/// A pixel's state at the top of a double-mode step: where the SIMD kernel takes a pixel over
/// from the scalar one, and hands it back.
struct PixelState {
    bool on_restart = false;  // iterating Engine's restart orbit (Julia: the critical one)
    std::size_t m = 0;
    std::uint64_t n = 0;
    double dr = 0.0, di = 0.0;
    CycleDetector cycles;
};

/// Runs the scalar kernel on a pixel (no derivative) up to the top of its first double-mode
/// step: true with `state` filled there, false with `result` final when the pixel ended first
/// (escaped, at the limit, cancelled, or never in double mode).
bool start_pixel(const Engine& engine, const ComplexExp& delta, PixelState& state,
                 PixelResult& result, const std::atomic<bool>* cancel) noexcept;

/// The scalar kernel (no derivative) from `state`, to the pixel's end: the same result as
/// iterate_pixel when `state` is one that iterate_pixel passes through.
PixelResult resume_pixel(const Engine& engine, const ComplexExp& delta, const PixelState& state,
                         const std::atomic<bool>* cancel) noexcept;

/// A pixel's results (no distance) from its last iteration index n and |z|^2 there. Inline:
/// the SIMD kernel calls it for escaping lanes, and a call there made the compiler keep the
/// group's vectors in memory across it.
[[nodiscard]] inline PixelResult finish_pixel(const Engine& engine, std::uint64_t n,
                                              double norm, bool escaped) noexcept {
    // An iterate beyond a double's range (a reference that overflows, e.g. a centre of
    // 1e20000) makes inf - inf = NaN in the perturbed sums; the count rule already reads it as
    // outside, and its |z|^2 is then +inf as the double path reports an overflowed orbit.
    if (escaped && std::isnan(norm)) norm = std::numeric_limits<double>::infinity();
    PixelResult result;
    result.final_norm = norm;
    result.escaped = escaped;
    result.count = escaped ? static_cast<std::uint32_t>(n - 1) : engine.itermax;
    return result;
}

/// iterate_pixel (no derivative) for `count` pixels of one image row, bit for bit: groups of
/// neighbouring pixels, which take the same reference steps for most of their orbits, are
/// iterated side by side in SIMD lanes while they do (perturb_simd.cpp); each pixel is started
/// and finished by the scalar kernel.
void iterate_row_simd(const Engine& engine, const ComplexExp* deltas, std::size_t count,
                      PixelResult* results, const std::atomic<bool>* cancel) noexcept;

/// Bits of precision for a view (see docs/design.md).
/// `keep_given_digits` adds the bits that the centre's given digits need (a view's own
/// reference keeps them; a shared reference only has to resolve the pixels).
std::size_t view_precision(const Decimal& width, std::size_t pixels_x, const Decimal& centre_re,
                           const Decimal& centre_im, const Decimal* c_re, const Decimal* c_im,
                           bool keep_given_digits = true);

}  // namespace juliaset::deep
