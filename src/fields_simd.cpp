// SIMD kernel for render_fields() and render_fields_at(): escape counts and the final |z|^2 of
// every pixel or point (from which the smooth count and the interior flag follow), and on
// request the derivative dz (for the distance estimate), compiled once per Highway target and
// chosen at run time with the same target as the escape-count kernels (escape_simd.cpp).
//
// Exactness: every lane performs the operations of fields.cpp's scalar loop in its order.
// Power 2 uses the count kernels' one fused operation, MulAdd(x*y, 2, cy), which equals
// (x*y + y*x) + cy bit for bit because doubling is exact; other powers use plain products and
// sums. The build compiles this file with -ffp-contract=off.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "fields_simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <limits>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "escape_kernels.hpp"
#include "fields_kernels.hpp"

// The tile's lambdas must be inlined: called, they keep the orbit vectors in memory (GCC left
// the derivative kernel's step out of line, and it ran 3 times slower).
#ifndef JULIASET_INLINE_LAMBDA
#if defined(__GNUC__)
#define JULIASET_INLINE_LAMBDA __attribute__((always_inline))
#else
#define JULIASET_INLINE_LAMBDA
#endif
#endif

HWY_BEFORE_NAMESPACE();
namespace juliaset::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Rows iterated together, as in the count kernels: independent dependency chains. With the
// derivative a row keeps twelve vectors, and two rows ran faster than three or four (seahorse
// valley band, AVX3_DL, one thread: 42 ms against 44 and 47.5).
constexpr std::size_t kFieldRows = 4;
constexpr std::size_t RowsOf(bool derivative) { return derivative ? 2 : kFieldRows; }
constexpr std::size_t kMaxDoubleLanes = HWY_MAX_BYTES / sizeof(double);

// The orbits of a tile's rows. kPower2: z^2 from the squared parts (kept for the norm);
// otherwise z^power by the oracle's repeated products, left to right. kDerivative: dz, the
// derivative with respect to z0 (Julia) or c (Mandelbrot), carried along as fields.cpp's
// std::complex<double> does it: dz' = (power * z^(power-1)) * dz + (1 or 0), where the
// complex product is GCC's (ac - bd, ad + bc) unless both parts come out NaN, when it calls
// __muldc3 instead. Such a lane's dz stays NaN in both parts from then on (NaN propagates
// through the naive product, and adding 0 or 1 keeps it), so the caller finds those lanes in
// the recorded dz and recomputes them with the oracle.
template <class D, bool kMandelbrot, bool kPower2, bool kDerivative>
struct FieldOrbits {
    using V = hn::Vec<D>;
    static constexpr std::size_t kRows = RowsOf(kDerivative);
    V re[kRows], im[kRows], re2[kRows], im2[kRows];
    V c_re[kRows], c_im[kRows];
    V dz_re[kRows], dz_im[kRows];
    V two, power_v, dz_add;
    std::uint32_t power;

    // The tile's samples: a grid tile (`points` false) has one x per lane shared by its rows,
    // xs[0 .. lanes), and one y per row, ys[r]; a tile of points has its own x and y in every
    // lane of every row, xs and ys[r * lanes + lane].
    HWY_INLINE FieldOrbits(D d, const double* HWY_RESTRICT xs, const double* HWY_RESTRICT ys,
                           bool points, const FieldsTask& task)
        : two(hn::Set(d, 2.0)),
          power_v(hn::Set(d, static_cast<double>(task.power))),
          dz_add(hn::Set(d, kMandelbrot ? 1.0 : 0.0)),
          power(task.power) {
        const std::size_t lanes = hn::Lanes(d);
        for (std::size_t r = 0; r < kRows; ++r) {
            const V x0 = hn::LoadU(d, points ? xs + r * lanes : xs);
            const V y0 = points ? hn::LoadU(d, ys + r * lanes) : hn::Set(d, ys[r]);
            dz_re[r] = hn::Set(d, kMandelbrot ? 0.0 : 1.0);
            dz_im[r] = hn::Zero(d);
            if constexpr (kMandelbrot) {
                c_re[r] = x0;
                c_im[r] = y0;
                re[r] = im[r] = hn::Zero(d);
            } else {
                c_re[r] = hn::Set(d, task.c_re);
                c_im[r] = hn::Set(d, task.c_im);
                re[r] = x0;
                im[r] = y0;
            }
            re2[r] = hn::Mul(re[r], re[r]);
            im2[r] = hn::Mul(im[r], im[r]);
        }
    }

    // dz' from z^(power-1) = (below_re, below_im).
    HWY_INLINE void StepDerivative(std::size_t r, V below_re, V below_im) {
        // power * below: a real times a complex, part by part.
        const V a = hn::Mul(below_re, power_v);
        const V b = hn::Mul(below_im, power_v);
        const V product_re = hn::Sub(hn::Mul(a, dz_re[r]), hn::Mul(b, dz_im[r]));
        const V product_im = hn::Add(hn::Mul(a, dz_im[r]), hn::Mul(b, dz_re[r]));
        // + a real: the real part only (the imaginary part keeps its sign of zero).
        dz_re[r] = hn::Add(product_re, dz_add);
        dz_im[r] = product_im;
    }

    // One step of row r; returns |z|^2 after it.
    HWY_INLINE V Step(std::size_t r) {
        if constexpr (kPower2) {
            if constexpr (kDerivative) StepDerivative(r, re[r], im[r]);
            const V cross = hn::Mul(re[r], im[r]);
            re[r] = hn::Add(hn::Sub(re2[r], im2[r]), c_re[r]);
            im[r] = hn::MulAdd(cross, two, c_im[r]);
        } else {
            // next_re = re * z_re - im * z_im, next_im = re * z_im + im * z_re.
            V p_re = re[r], p_im = im[r];
            V below_re = p_re, below_im = p_im;  // z^(power-1) once the loop ends
            for (std::uint32_t p = 1; p < power; ++p) {
                below_re = p_re;
                below_im = p_im;
                const V next_re = hn::Sub(hn::Mul(p_re, re[r]), hn::Mul(p_im, im[r]));
                const V next_im = hn::Add(hn::Mul(p_re, im[r]), hn::Mul(p_im, re[r]));
                p_re = next_re;
                p_im = next_im;
            }
            if constexpr (kDerivative) StepDerivative(r, below_re, below_im);
            re[r] = hn::Add(p_re, c_re[r]);
            im[r] = hn::Add(p_im, c_im[r]);
        }
        re2[r] = hn::Mul(re[r], re[r]);
        im2[r] = hn::Mul(im[r], im[r]);
        return hn::Add(re2[r], im2[r]);
    }
};

// Counts (as doubles, exact below 2^53) and final norms of one tile of kRows x lanes.
// A lane records each step's |z|^2 while it is still running, so it keeps the norm of the
// step at which it left; lanes still inside after itermax steps take one more step, as the
// oracle computes z_(itermax+1) before it stops.
// kDerivative: also dz of that same step.
template <bool kMandelbrot, bool kPower2, bool kDerivative, bool kPollCancel, class D>
HWY_INLINE void FieldsTile(D d, const double* HWY_RESTRICT xs, const double* HWY_RESTRICT ys,
                           bool points, const FieldsTask& task, double* HWY_RESTRICT counts,
                           double* HWY_RESTRICT norms, double* HWY_RESTRICT dz_re,
                           double* HWY_RESTRICT dz_im) {
    using V = hn::Vec<D>;
    constexpr std::size_t kRows = RowsOf(kDerivative);
    const V limit = hn::Set(d, task.threshold_squared);
    const V one = hn::Set(d, 1.0);
    V survived = hn::Zero(d);
    FieldOrbits<D, kMandelbrot, kPower2, kDerivative> orbits(d, xs, ys, points, task);
    V k[kRows], last_norm[kRows];
    [[maybe_unused]] V last_dz_re[kRows], last_dz_im[kRows];
    hn::Mask<D> active[kRows];
    for (std::size_t r = 0; r < kRows; ++r) {
        k[r] = hn::Zero(d);
        last_norm[r] = hn::Zero(d);
        active[r] = hn::FirstN(d, hn::Lanes(d));
        if constexpr (kDerivative) {
            last_dz_re[r] = last_dz_im[r] = hn::Zero(d);
        }
    }
    const auto step = [&]() JULIASET_INLINE_LAMBDA {
        survived = hn::Add(survived, one);
        for (std::size_t r = 0; r < kRows; ++r) {
            const V norm = orbits.Step(r);
            last_norm[r] = hn::IfThenElse(active[r], norm, last_norm[r]);
            if constexpr (kDerivative) {
                last_dz_re[r] = hn::IfThenElse(active[r], orbits.dz_re[r], last_dz_re[r]);
                last_dz_im[r] = hn::IfThenElse(active[r], orbits.dz_im[r], last_dz_im[r]);
            }
            // Still inside: not above the limit (NaN norms are not, as in the oracle).
            active[r] = hn::AndNot(hn::Gt(norm, limit), active[r]);
            k[r] = hn::IfThenElse(active[r], survived, k[r]);
        }
    };
    const auto any_active = [&]() JULIASET_INLINE_LAMBDA {
        if constexpr (kRows == 4) {
            return !hn::AllFalse(d, hn::Or(hn::Or(active[0], active[1]), hn::Or(active[2], active[3])));
        } else {
            hn::Mask<D> any = active[0];
            for (std::size_t r = 1; r < kRows; ++r) any = hn::Or(any, active[r]);
            return !hn::AllFalse(d, any);
        }
    };
    // Steps [first, stop); false once every lane has left (tested every second step: a
    // finished lane's results are frozen by its mask).
    const auto run_steps = [&](std::uint32_t first, std::uint32_t stop) JULIASET_INLINE_LAMBDA {
        std::uint32_t i = first;
        for (; stop - i >= 2; i += 2) {  // not i + 2 <= stop, which wraps at 2^32 - 1
            step();
            step();
            if (!any_active()) return false;
        }
        if (i < stop) step();
        return true;
    };
    bool running = true;
    if constexpr (kPollCancel) {
        for (std::uint64_t block = 0; running && block < task.itermax;
             block += cancel_poll_interval) {
            if (block != 0 && task.cancelled()) return;  // results incomplete; caller stops too
            const auto stop = static_cast<std::uint32_t>(
                std::min<std::uint64_t>(task.itermax, block + cancel_poll_interval));
            running = run_steps(static_cast<std::uint32_t>(block), stop);
        }
    } else {
        running = run_steps(0, task.itermax);
    }
    if (running) {  // the oracle's last step, z_(itermax+1), for lanes still inside
        // (their derivative is not used: the distance of a point inside is 0)
        for (std::size_t r = 0; r < kRows; ++r) {
            last_norm[r] = hn::IfThenElse(active[r], orbits.Step(r), last_norm[r]);
        }
    }
    const std::size_t lanes = hn::Lanes(d);
    for (std::size_t r = 0; r < kRows; ++r) {
        hn::StoreU(k[r], d, counts + r * lanes);
        hn::StoreU(last_norm[r], d, norms + r * lanes);
        if constexpr (kDerivative) {
            hn::StoreU(last_dz_re[r], d, dz_re + r * lanes);
            hn::StoreU(last_dz_im[r], d, dz_im + r * lanes);
        }
    }
}

template <bool kMandelbrot, bool kPower2, bool kDerivative>
HWY_INLINE void FieldsTiles(const FieldsTask& task) {
    const hn::ScalableTag<double> d;
    const std::size_t lanes = hn::Lanes(d);
    constexpr std::size_t kRows = RowsOf(kDerivative);
    HWY_ALIGN double x_pad[kMaxDoubleLanes];
    HWY_ALIGN double counts[kFieldRows * kMaxDoubleLanes];
    HWY_ALIGN double norms[kFieldRows * kMaxDoubleLanes];
    HWY_ALIGN double dz_re[kFieldRows * kMaxDoubleLanes];
    HWY_ALIGN double dz_im[kFieldRows * kMaxDoubleLanes];
    double row_ys[kRows];
    const bool poll_inside_tiles = task.cancel != nullptr && task.itermax > cancel_poll_interval;
    const auto run_tile = [&](const double* xs, const double* ys, bool points) {
        if (poll_inside_tiles) {
            FieldsTile<kMandelbrot, kPower2, kDerivative, true>(d, xs, ys, points, task, counts,
                                                                norms, dz_re, dz_im);
        } else {
            FieldsTile<kMandelbrot, kPower2, kDerivative, false>(d, xs, ys, points, task, counts,
                                                                 norms, dz_re, dz_im);
        }
    };
    const auto store_result = [&](std::size_t from, std::size_t at) {
        task.counts[at] = static_cast<std::uint32_t>(counts[from]);
        task.final_norm[at] = norms[from];
        if constexpr (kDerivative) {
            task.dz_re[at] = dz_re[from];
            task.dz_im[at] = dz_im[from];
        }
    };

    if (task.point_ys != nullptr) {
        // Points: kRows x lanes consecutive ones a tile, the last repeated to fill it.
        const std::size_t per_tile = kRows * lanes;
        HWY_ALIGN double point_xs[kFieldRows * kMaxDoubleLanes];
        HWY_ALIGN double point_ys[kFieldRows * kMaxDoubleLanes];
        for (std::size_t p0 = 0; p0 < task.width; p0 += per_tile) {
            if (task.cancelled()) return;
            const std::size_t n = std::min(per_tile, task.width - p0);
            for (std::size_t i = 0; i < per_tile; ++i) {
                point_xs[i] = task.xs[p0 + std::min(i, n - 1)];
                point_ys[i] = task.point_ys[p0 + std::min(i, n - 1)];
            }
            run_tile(point_xs, point_ys, true);
            if (task.cancelled()) return;
            for (std::size_t i = 0; i < n; ++i) store_result(i, p0 + i);
        }
        return;
    }

    for (std::size_t j0 = 0; j0 < task.height; j0 += kRows) {
        if (task.cancelled()) return;
        const std::size_t rows = std::min(kRows, task.height - j0);
        // A partial tile repeats its last row and column; the repeats are discarded.
        for (std::size_t r = 0; r < kRows; ++r) row_ys[r] = task.ys[j0 + std::min(r, rows - 1)];
        for (std::size_t i0 = 0; i0 < task.width; i0 += lanes) {
            const std::size_t cols = std::min(lanes, task.width - i0);
            const double* xs = task.xs + i0;
            if (cols < lanes) {
                for (std::size_t c = 0; c < lanes; ++c) x_pad[c] = task.xs[i0 + std::min(c, cols - 1)];
                xs = x_pad;
            }
            run_tile(xs, row_ys, false);
            if (task.cancelled()) return;
            for (std::size_t r = 0; r < rows; ++r) {
                for (std::size_t c = 0; c < cols; ++c) {
                    store_result(r * lanes + c, (j0 + r) * task.width + i0 + c);
                }
            }
        }
    }
}

template <bool kMandelbrot, bool kDerivative>
void FieldsOfFamily(const FieldsTask& task) {
    if (task.power == 2) {
        FieldsTiles<kMandelbrot, true, kDerivative>(task);
    } else {
        FieldsTiles<kMandelbrot, false, kDerivative>(task);
    }
}

void FieldsKernel(const FieldsTask& task) {
    const bool derivative = task.dz_re != nullptr;
    if (task.mandelbrot) {
        derivative ? FieldsOfFamily<true, true>(task) : FieldsOfFamily<true, false>(task);
    } else {
        derivative ? FieldsOfFamily<false, true>(task) : FieldsOfFamily<false, false>(task);
    }
}

// The natural logarithm, lane by lane: fdlibm's method (Sun Microsystems, 1993: x = 2^k (1 + f)
// with 1 + f in [sqrt(2)/2, sqrt(2)), s = f / (2 + f), log(1 + f) = f - (f^2/2 - s (f^2/2 + R(s^2)))
// with its published polynomial R, error below 1 ulp), written here with plain IEEE products,
// sums and one quotient, no fused operations and no table: so every target, the scalar one
// included, gives the same bits. glibc's log had been half of a smooth-coloured frame's time.
template <class D>
HWY_INLINE hn::Vec<D> Log(D d, hn::Vec<D> x) {
    using V = hn::Vec<D>;
    const hn::RebindToUnsigned<D> du;
    const auto subnormal = hn::Lt(x, hn::Set(d, 0x1p-1022));  // and 0, negatives (see below)
    const V scaled = hn::IfThenElse(subnormal, hn::Mul(x, hn::Set(d, 0x1p54)), x);
    const auto bits = hn::BitCast(du, scaled);
    // The biased exponent as a double, exactly: its bits below 2^52's.
    const V biased = hn::Sub(
        hn::BitCast(d, hn::Or(hn::ShiftRight<52>(bits), hn::Set(du, 0x4330000000000000ull))),
        hn::Set(d, 0x1p52));
    V m = hn::BitCast(d, hn::Or(hn::And(bits, hn::Set(du, 0x000FFFFFFFFFFFFFull)),
                                hn::Set(du, 0x3FF0000000000000ull)));  // [1, 2)
    const auto upper = hn::Ge(m, hn::Set(d, 0x1.6a09cp+0));            // about sqrt(2)
    m = hn::IfThenElse(upper, hn::Mul(m, hn::Set(d, 0.5)), m);
    V k = hn::Sub(biased, hn::Set(d, 1023.0));
    k = hn::IfThenElse(upper, hn::Add(k, hn::Set(d, 1.0)), k);
    k = hn::IfThenElse(subnormal, hn::Sub(k, hn::Set(d, 54.0)), k);
    const V f = hn::Sub(m, hn::Set(d, 1.0));
    const V s = hn::Div(f, hn::Add(hn::Set(d, 2.0), f));
    const V z = hn::Mul(s, s);
    const V w = hn::Mul(z, z);
    const auto c = [d](double value) { return hn::Set(d, value); };
    const V even = hn::Mul(w, hn::Add(c(0x1.999999997fa04p-2),
                                      hn::Mul(w, hn::Add(c(0x1.c71c51d8e78afp-3),
                                                         hn::Mul(w, c(0x1.39a09d078c69fp-3))))));
    const V odd = hn::Mul(
        z, hn::Add(c(0x1.5555555555593p-1),
                   hn::Mul(w, hn::Add(c(0x1.2492494229359p-2),
                                      hn::Mul(w, hn::Add(c(0x1.7466496cb03dep-3),
                                                         hn::Mul(w, c(0x1.2f112df3e5244p-3))))))));
    const V r = hn::Add(odd, even);
    const V half_f2 = hn::Mul(hn::Mul(c(0.5), f), f);
    // k ln2 split in two (ln2_hi has trailing zeros, so k ln2_hi is exact for |k| < 2000).
    const V tail = hn::Add(hn::Mul(s, hn::Add(half_f2, r)), hn::Mul(k, c(0x1.a39ef35793c76p-33)));
    V result = hn::Sub(hn::Mul(k, c(0x1.62e42feep-1)), hn::Sub(hn::Sub(half_f2, tail), f));
    // log(+inf) = +inf, log(0) = -inf, log(negative or NaN) = NaN, as std::log.
    const V inf = c(std::numeric_limits<double>::infinity());
    result = hn::IfThenElse(hn::Eq(x, inf), inf, result);
    result = hn::IfThenElse(hn::Eq(x, hn::Zero(d)), hn::Neg(inf), result);
    return hn::IfThenElse(hn::Not(hn::Ge(x, hn::Zero(d))),
                          c(std::numeric_limits<double>::quiet_NaN()), result);
}

// smooth_counts() (fields_kernels.hpp) on this target.
void SmoothCountsKernel(const std::uint32_t* HWY_RESTRICT counts,
                        const double* HWY_RESTRICT norms, std::size_t n,
                        double log_threshold_squared, double log_power,
                        double* HWY_RESTRICT out) {
    const hn::ScalableTag<double> d;
    const hn::RebindToUnsigned<decltype(d)> du64;
    const hn::Rebind<std::uint32_t, decltype(d)> du32;
    const std::size_t lanes = hn::Lanes(d);
    const auto smooth = [&](auto k32, auto norm) {
        // The count as a double, exactly: its bits below 2^52's.
        const auto k = hn::Sub(
            hn::BitCast(d, hn::Or(hn::PromoteTo(du64, k32), hn::Set(du64, 0x4330000000000000ull))),
            hn::Set(d, 0x1p52));
        const auto inner = hn::Div(Log(d, norm), hn::Set(d, log_threshold_squared));
        return hn::Sub(hn::Add(k, hn::Set(d, 1.0)),
                       hn::Div(Log(d, inner), hn::Set(d, log_power)));
    };
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        hn::StoreU(smooth(hn::LoadU(du32, counts + i), hn::LoadU(d, norms + i)), d, out + i);
    }
    if (i == n) return;
    // The tail through full vectors of padding (norm 4: any finite value).
    HWY_ALIGN std::uint32_t k_tail[HWY_MAX_BYTES / sizeof(double)] = {};
    HWY_ALIGN double norm_tail[HWY_MAX_BYTES / sizeof(double)];
    HWY_ALIGN double out_tail[HWY_MAX_BYTES / sizeof(double)];
    for (std::size_t j = 0; j < lanes; ++j) {
        k_tail[j] = i + j < n ? counts[i + j] : 0;
        norm_tail[j] = i + j < n ? norms[i + j] : 4.0;
    }
    hn::Store(smooth(hn::Load(du32, k_tail), hn::Load(d, norm_tail)), d, out_tail);
    for (std::size_t j = 0; i + j < n; ++j) out[i + j] = out_tail[j];
}

}  // namespace HWY_NAMESPACE
}  // namespace juliaset::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace juliaset::detail {

// Laid out like escape_simd.cpp's tables (the same targets: both files are compiled with
// HWY_WANT_AVX3_DL), so simd_kernel_index() picks the same target in both.
constexpr decltype(&HWY_STATIC_DISPATCH(FieldsKernel)) kFieldsKernels[HWY_MAX_DYNAMIC_TARGETS + 2] = {
    nullptr, HWY_CHOOSE_TARGET_LIST(FieldsKernel), HWY_CHOOSE_FALLBACK(FieldsKernel)};

void fields_simd(const FieldsTask& task) noexcept { kFieldsKernels[simd_kernel_index()](task); }

constexpr decltype(&HWY_STATIC_DISPATCH(SmoothCountsKernel))
    kSmoothCountsKernels[HWY_MAX_DYNAMIC_TARGETS + 2] = {
        nullptr, HWY_CHOOSE_TARGET_LIST(SmoothCountsKernel),
        HWY_CHOOSE_FALLBACK(SmoothCountsKernel)};

void smooth_counts(const std::uint32_t* counts, const double* norms, std::size_t n,
                   double log_threshold_squared, double log_power, double* out) noexcept {
    kSmoothCountsKernels[simd_kernel_index()](counts, norms, n, log_threshold_squared, log_power,
                                              out);
}

}  // namespace juliaset::detail
#endif  // HWY_ONCE
