// SIMD escape-count kernels, compiled once per Highway target and chosen at run time.
//
// Exactness: every lane performs the oracle's operations in the oracle's order. The one fused
// operation, MulAdd(x*y, 2, cy), equals the oracle's (x*y + y*x) + cy bit for bit because
// doubling a double is exact (x*y == y*x, and round(p) + round(p) == 2 * round(p)). No other
// fusion is allowed: the build compiles this file with -ffp-contract=off.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "escape_simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "escape_kernels.hpp"

HWY_BEFORE_NAMESPACE();
namespace juliaset::detail {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Upper bound on lanes of `Real` for every target (HWY_MAX_BYTES is the widest vector).
template <class Real>
constexpr std::size_t kMaxLanes = HWY_MAX_BYTES / sizeof(Real);

// active & !(norm > limit): the lanes still inside after this step. NaN norms (overflowed
// orbits) are "not greater", as in the oracle. AVX-512 does this in one masked compare.
template <class D, class V = hn::Vec<D>>
HWY_INLINE hn::Mask<D> StillInside(D d, hn::Mask<D> active, V norm, V limit) {
#if HWY_TARGET <= HWY_AVX3 && HWY_ARCH_X86
    if constexpr (hn::MaxLanes(d) * sizeof(hn::TFromD<D>) == 64) {
        if constexpr (sizeof(hn::TFromD<D>) == 8) {
            return hn::Mask<D>{_mm512_mask_cmp_pd_mask(active.raw, norm.raw, limit.raw, _CMP_NGT_UQ)};
        } else {
            return hn::Mask<D>{_mm512_mask_cmp_ps_mask(active.raw, norm.raw, limit.raw, _CMP_NGT_UQ)};
        }
    }
#endif
    (void)d;
    return hn::AndNot(hn::Gt(norm, limit), active);
}

// Rows of a tile iterated together: four independent dependency chains keep both FP pipes
// busy. Measured on the headline image, a lanes x 4 tile in lock-step beats strips of one row
// refilled one by one: strips waste fewer lane-steps (91 % useful against 86 %), but a branch
// miss and a refill every few steps cost more than that saves (docs/design.md).
constexpr std::size_t kTileRows = 4;

// Counts are kept as floating-point lanes (exact up to 2^24 in float, 2^53 in double; the
// entry point limits itermax accordingly) so that no conversion sits in the loop.
// kMandelbrot: z0 = 0 and c = the pixel's point (per lane) instead of z0 = the point, c fixed.
// kPollCancel: poll the cancel flag between blocks of steps (only worth it for huge itermax).
template <bool kMandelbrot, bool kPollCancel, class D, class Real = hn::TFromD<D>>
HWY_INLINE void EscapeTile(D d, const Real* HWY_RESTRICT xs, const Real* row_ys,
                           const KernelTask<Real>& task, Real* HWY_RESTRICT counts) {
    using V = hn::Vec<D>;
    const V limit = hn::Set(d, task.threshold_squared);
    const V one = hn::Set(d, Real{1});
    const V two = hn::Set(d, Real{2});
    // Lanes still inside after step i take count i + 1: one masked move per row and step.
    V survived = hn::Zero(d);
    const V x0 = hn::LoadU(d, xs);

    V re[kTileRows], im[kTileRows], re2[kTileRows], im2[kTileRows], k[kTileRows];
    V c_re[kTileRows], c_im[kTileRows];
    hn::Mask<D> active[kTileRows];
    for (std::size_t r = 0; r < kTileRows; ++r) {
        if constexpr (kMandelbrot) {
            c_re[r] = x0;
            c_im[r] = hn::Set(d, row_ys[r]);
            re[r] = im[r] = hn::Zero(d);
        } else {
            c_re[r] = hn::Set(d, task.c_re);
            c_im[r] = hn::Set(d, task.c_im);
            re[r] = x0;
            im[r] = hn::Set(d, row_ys[r]);
        }
        re2[r] = hn::Mul(re[r], re[r]);
        im2[r] = hn::Mul(im[r], im[r]);
        k[r] = hn::Zero(d);
        active[r] = hn::FirstN(d, hn::Lanes(d));
    }
    // One step of every row.
    const auto step = [&] {
        survived = hn::Add(survived, one);
        for (std::size_t r = 0; r < kTileRows; ++r) {
            const V cross = hn::Mul(re[r], im[r]);
            re[r] = hn::Add(hn::Sub(re2[r], im2[r]), c_re[r]);
            im[r] = hn::MulAdd(cross, two, c_im[r]);
            re2[r] = hn::Mul(re[r], re[r]);
            im2[r] = hn::Mul(im[r], im[r]);
            active[r] = StillInside(d, active[r], hn::Add(re2[r], im2[r]), limit);
            k[r] = hn::IfThenElse(active[r], survived, k[r]);
        }
    };
    // Steps [first, stop) of every row; true once every lane of the tile has escaped. The exit
    // test runs after every second step: a finished lane's count is frozen by its mask, so an
    // extra step changes nothing, and the test costs about as much as a row's arithmetic
    // (measured 3-5 % faster on one thread than testing after every step).
    const auto run_steps = [&](std::uint32_t first, std::uint32_t stop) {
        std::uint32_t i = first;
        for (; stop - i >= 2; i += 2) {  // not i + 2 <= stop, which wraps at 2^32 - 1
            step();
            step();
            if (hn::AllFalse(d, hn::Or(hn::Or(active[0], active[1]), hn::Or(active[2], active[3])))) {
                return true;
            }
        }
        if (i < stop) step();
        return false;
    };
    if constexpr (kPollCancel) {
        // Blocks of steps between polls of the cancel flag, for itermax in the billions.
        for (std::uint64_t block = 0; block < task.itermax; block += cancel_poll_interval) {
            if (block != 0 && task.cancelled()) return;  // counts incomplete; caller stops too
            const auto stop = static_cast<std::uint32_t>(
                std::min<std::uint64_t>(task.itermax, block + cancel_poll_interval));
            if (run_steps(static_cast<std::uint32_t>(block), stop)) break;
        }
    } else {
        run_steps(0, task.itermax);
    }
    // After itermax steps a lane still active has count itermax: the oracle's last step
    // (k == itermax) stops without testing, so no further iteration can change it.
    const std::size_t lanes = hn::Lanes(d);
    for (std::size_t r = 0; r < kTileRows; ++r) hn::StoreU(k[r], d, counts + r * lanes);
}

template <class Real, bool kMandelbrot>
HWY_INLINE void EscapeCountsTiles(const KernelTask<Real>& task) {
    const hn::ScalableTag<Real> d;
    const std::size_t lanes = hn::Lanes(d);
    HWY_ALIGN Real x_pad[kMaxLanes<Real>];
    HWY_ALIGN Real counts[kTileRows * kMaxLanes<Real>];
    Real row_ys[kTileRows];
    const bool poll_inside_tiles = task.cancel != nullptr && task.itermax > cancel_poll_interval;

    for (std::size_t j0 = 0; j0 < task.height; j0 += kTileRows) {
        // Once per row of tiles (at most about 0.3 s of work with itermax <= 65536 and a
        // 4000-pixel row); inside tiles too when itermax is larger.
        if (task.cancelled()) return;
        const std::size_t rows = std::min(kTileRows, task.height - j0);
        // A partial tile repeats its last row; the repeats are computed and discarded.
        for (std::size_t r = 0; r < kTileRows; ++r) row_ys[r] = task.ys[j0 + std::min(r, rows - 1)];
        for (std::size_t i0 = 0; i0 < task.width; i0 += lanes) {
            const std::size_t cols = std::min(lanes, task.width - i0);
            const Real* xs = task.xs + i0;
            if (cols < lanes) {  // a partial tile repeats its last column, too
                for (std::size_t c = 0; c < lanes; ++c) x_pad[c] = task.xs[i0 + std::min(c, cols - 1)];
                xs = x_pad;
            }
            if (poll_inside_tiles) {
                EscapeTile<kMandelbrot, true>(d, xs, row_ys, task, counts);
            } else {
                EscapeTile<kMandelbrot, false>(d, xs, row_ys, task, counts);
            }
            for (std::size_t r = 0; r < rows; ++r) {
                std::uint32_t* out = task.out + (j0 + r) * task.width + i0;
                for (std::size_t c = 0; c < cols; ++c) {
                    out[c] = static_cast<std::uint32_t>(counts[r * lanes + c]);
                }
            }
        }
    }
}

template <class Real>
void EscapeCountsFamily(const KernelTask<Real>& task) {
    if (task.mandelbrot) {
        EscapeCountsTiles<Real, true>(task);
    } else {
        EscapeCountsTiles<Real, false>(task);
    }
}
void EscapeCountsDouble(const KernelTask<double>& task) { EscapeCountsFamily(task); }
void EscapeCountsSingle(const KernelTask<float>& task) { EscapeCountsFamily(task); }

}  // namespace HWY_NAMESPACE
}  // namespace juliaset::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
#include <string>
#include <vector>

#include "juliaset/escape.hpp"

namespace juliaset {
namespace detail {

HWY_EXPORT(EscapeCountsDouble);
HWY_EXPORT(EscapeCountsSingle);

void escape_counts_simd(const KernelTask<double>& task) noexcept {
    HWY_DYNAMIC_DISPATCH(EscapeCountsDouble)(task);
}
void escape_counts_simd(const KernelTask<float>& task) noexcept {
    HWY_DYNAMIC_DISPATCH(EscapeCountsSingle)(task);
}

namespace {

// The best target that dispatch picks: the lowest set bit among supported, compiled targets.
std::int64_t best_target() {
    const std::int64_t usable = hwy::SupportedTargets() & HWY_TARGETS;
    return usable & -usable;
}

}  // namespace
}  // namespace detail

std::string simd_target_name() { return hwy::TargetName(detail::best_target()); }

std::vector<std::string> available_simd_targets() {
    std::vector<std::string> names;
    for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
        names.emplace_back(hwy::TargetName(target));
    }
    return names;
}

void force_simd_target(const std::string& name) {
    if (name.empty()) {
        hwy::SetSupportedTargetsForTest(0);
        return;
    }
    hwy::SetSupportedTargetsForTest(0);  // look among all real targets, not a previous choice
    for (const std::int64_t target : hwy::SupportedAndGeneratedTargets()) {
        if (name == hwy::TargetName(target)) {
            hwy::SetSupportedTargetsForTest(target);
            return;
        }
    }
    throw std::invalid_argument("SIMD target '" + name + "' is not available on this CPU");
}

}  // namespace juliaset
#endif  // HWY_ONCE
