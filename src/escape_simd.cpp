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

// The window is cut into strips of `lanes` pixels along a row. kSlots strips are iterated at
// once (independent dependency chains keep both FP pipes busy), and a slot whose lanes have all
// escaped takes the next strip at once, so no lane waits for a slow neighbour strip; only
// lanes within one strip wait for each other.
//
// Counts are kept as floating-point lanes (exact up to 2^24 in float, 2^53 in double; the
// entry point limits itermax accordingly) so that no conversion sits in the loop.
constexpr std::size_t kSlots = 4;

// kMandelbrot: z0 = 0 and c = the pixel's point (per lane) instead of z0 = the point, c fixed.
template <class Real, bool kMandelbrot>
HWY_INLINE void EscapeCountsStrips(const KernelTask<Real>& task) {
    const hn::ScalableTag<Real> d;
    using V = hn::Vec<decltype(d)>;
    using M = hn::Mask<decltype(d)>;
    const std::size_t lanes = hn::Lanes(d);
    const std::size_t strips_per_row = (task.width + lanes - 1) / lanes;
    const std::size_t strip_count = strips_per_row * task.height;

    if (task.itermax == 0) {  // nothing is tested: every count is 0
        for (std::size_t p = 0; p < task.width * task.height; ++p) task.out[p] = 0;
        return;
    }

    const V julia_c_re = hn::Set(d, task.c_re);
    const V julia_c_im = hn::Set(d, task.c_im);
    const V limit = hn::Set(d, task.threshold_squared);
    const V one = hn::Set(d, Real{1});
    const V two = hn::Set(d, Real{2});
    const M all_lanes = hn::FirstN(d, lanes);
    const M no_lanes = hn::FirstN(d, 0);

    V re[kSlots], im[kSlots], re2[kSlots], im2[kSlots], k[kSlots];
    V point_re[kSlots], point_im[kSlots];  // used by the Mandelbrot family only
    M active[kSlots];
    std::uint32_t steps[kSlots];
    std::size_t strip_of[kSlots];
    HWY_ALIGN Real x_pad[kMaxLanes<Real>];
    HWY_ALIGN Real counts[kMaxLanes<Real>];
    std::size_t next_strip = 0;
    std::size_t busy_slots = 0;

    // Starts slot `r` on the next strip, or parks it (no active lane) when none is left.
    const auto start = [&](std::size_t r) {
        if (next_strip == strip_count) {
            active[r] = no_lanes;
            re[r] = im[r] = re2[r] = im2[r] = k[r] = hn::Zero(d);
            point_re[r] = point_im[r] = hn::Zero(d);
            strip_of[r] = strip_count;
            return;
        }
        const std::size_t strip = next_strip++;
        const std::size_t row = strip / strips_per_row;
        const std::size_t col = (strip % strips_per_row) * lanes;
        const std::size_t cols = std::min(lanes, task.width - col);
        const Real* xs = task.xs + col;
        if (cols < lanes) {  // a partial strip repeats its last column; repeats are discarded
            for (std::size_t c = 0; c < lanes; ++c) x_pad[c] = task.xs[col + std::min(c, cols - 1)];
            xs = x_pad;
        }
        if constexpr (kMandelbrot) {
            point_re[r] = hn::LoadU(d, xs);
            point_im[r] = hn::Set(d, task.ys[row]);
            re[r] = im[r] = hn::Zero(d);
        } else {
            re[r] = hn::LoadU(d, xs);
            im[r] = hn::Set(d, task.ys[row]);
        }
        re2[r] = hn::Mul(re[r], re[r]);
        im2[r] = hn::Mul(im[r], im[r]);
        k[r] = hn::Zero(d);
        active[r] = all_lanes;
        steps[r] = 0;
        strip_of[r] = strip;
        ++busy_slots;
    };
    const auto finish = [&](std::size_t r) {
        hn::StoreU(k[r], d, counts);
        const std::size_t strip = strip_of[r];
        const std::size_t row = strip / strips_per_row;
        const std::size_t col = (strip % strips_per_row) * lanes;
        const std::size_t cols = std::min(lanes, task.width - col);
        std::uint32_t* out = task.out + row * task.width + col;
        for (std::size_t c = 0; c < cols; ++c) out[c] = static_cast<std::uint32_t>(counts[c]);
        --busy_slots;
    };

    for (std::size_t r = 0; r < kSlots; ++r) start(r);
    while (busy_slots != 0) {
        for (std::size_t r = 0; r < kSlots; ++r) {
            const V c_re = kMandelbrot ? point_re[r] : julia_c_re;
            const V c_im = kMandelbrot ? point_im[r] : julia_c_im;
            const V cross = hn::Mul(re[r], im[r]);
            re[r] = hn::Add(hn::Sub(re2[r], im2[r]), c_re);
            im[r] = hn::MulAdd(cross, two, c_im);
            re2[r] = hn::Mul(re[r], re[r]);
            im2[r] = hn::Mul(im[r], im[r]);
            active[r] = StillInside(d, active[r], hn::Add(re2[r], im2[r]), limit);
            k[r] = hn::IfThenElse(active[r], hn::Add(k[r], one), k[r]);
        }
        for (std::size_t r = 0; r < kSlots; ++r) {
            // A slot is done when its lanes have all escaped or itermax steps are tested
            // (the oracle's step itermax stops untested, so lanes inside then count itermax).
            if (strip_of[r] != strip_count &&
                (++steps[r] == task.itermax || hn::AllFalse(d, active[r]))) {
                finish(r);
                start(r);
            }
        }
    }
}

// Not noexcept: Highway's dispatch table is typed without it; the wrappers below are.
template <class Real>
void EscapeCountsFamily(const KernelTask<Real>& task) {
    if (task.mandelbrot) {
        EscapeCountsStrips<Real, true>(task);
    } else {
        EscapeCountsStrips<Real, false>(task);
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
