// The deep engine's SIMD kernel: neighbouring pixels iterated side by side while they take the
// same reference steps.
//
// Why this shape: the scalar kernel is latency-bound (each step waits for the last, about 20
// cycles a step at the peer's location), so independent pixels side by side should fill the
// pipes. Lanes that each follow their own reference index need a gather for every table read,
// and that was slower than the scalar kernel on this project's machines (docs/design.md,
// "Deep zoom: SIMD"). But neighbouring pixels take the same steps: at the peer's location,
// 1e-100, a pixel and its left neighbour share the first 222 of their 232 steps on average
// (BLA skips, single steps and rebases alike). So a group of neighbours (one vector of lanes)
// advances together: one reference index m and iteration count n for the group, the table
// read once and broadcast, each lane's dz in its lane. When the lanes would part (some may
// skip further than others, or some rebase and others not) every lane still going goes back to
// the scalar kernel at the top of that step, and finishes there. Lanes that escape finish where
// they are.
//
// Exactness: each lane performs the scalar kernel's operations (perturb.cpp, double mode) in
// its order, so results are bit for bit the scalar kernel's (tests/cpp/test_deep_simd.cpp).
// The build compiles this file with -ffp-contract=off: no fused operations.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "deep/perturb_simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "deep/engine.hpp"
#include "escape_kernels.hpp"

HWY_BEFORE_NAMESPACE();
namespace juliaset::deep {
namespace HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

using D = hn::ScalableTag<double>;
using DI = hn::RebindToSigned<D>;
using V = hn::Vec<D>;
using VI = hn::Vec<DI>;
using M = hn::Mask<D>;

constexpr std::size_t kMaxLanes = HWY_MAX_BYTES / sizeof(double);

// Whether two pixels' states at a double-mode step are one group's: the same step of the same
// orbit, and cycle detectors that will decide alike (their tortoises are each lane's own).
bool SameStep(const PixelState& a, const PixelState& b) noexcept {
    return a.on_restart == b.on_restart && a.m == b.m && a.n == b.n &&
           a.cycles.active == b.cycles.active && a.cycles.have == b.cycles.have &&
           a.cycles.tortoise_n == b.cycles.tortoise_n && a.cycles.power == b.cycles.power &&
           a.cycles.lambda == b.cycles.lambda;
}

// The group's state that is the same for every lane.
struct Shared {
    bool on_restart;
    std::size_t m;
    std::uint64_t n;
    CycleDetector cycles;  // its tortoise unused: each lane has its own
};

// Iterates the group of `lanes` pixels starting at deltas[0] (those with in_group set, all in
// `start`'s step) to their ends, results in results[0 ..).
template <bool kMandelbrot>
void RunGroup(const Engine& engine, const ComplexExp* deltas, const PixelState* states,
              const bool* in_group, std::size_t lanes, PixelResult* results,
              const std::atomic<bool>* cancel) {
    const D d;
    const DI di;
    const Orbit* restart = kMandelbrot ? &engine.primary : &engine.critical;
    const std::uint64_t limit = std::uint64_t{engine.itermax} + 1;
    const double t2 = engine.threshold_squared;
    const V t2v = hn::Set(d, t2);
    const V margin = hn::Set(d, t2 * Orbit::threshold_margin);
    const V plain_squared = hn::Set(d, std::ldexp(1.0, 2 * double_mode_log2(2)));
    const V two = hn::Set(d, 2.0);

    HWY_ALIGN double buf_a[kMaxLanes];
    HWY_ALIGN double buf_b[kMaxLanes];
    HWY_ALIGN double buf_c[kMaxLanes];
    HWY_ALIGN double buf_d[kMaxLanes];
    HWY_ALIGN double buf_e[kMaxLanes];
    HWY_ALIGN std::int64_t buf_i[kMaxLanes];
    HWY_ALIGN double lane_flag[kMaxLanes];
    Snapshot tortoise[kMaxLanes];  // each lane's tortoise where it is not a double-mode one

    // Lane inputs.
    std::size_t lead = 0;
    while (!in_group[lead]) ++lead;
    const std::size_t width = hn::Lanes(d);
    for (std::size_t i = 0; i < width; ++i) {
        const bool on = i < lanes && in_group[i];
        buf_a[i] = on ? states[i].dr : 0.0;
        buf_b[i] = on ? states[i].di : 0.0;
        lane_flag[i] = on ? 1.0 : 0.0;
        tortoise[i] = on ? states[i].cycles.tortoise : Snapshot{};
    }
    V dr = hn::Load(d, buf_a);
    V dim = hn::Load(d, buf_b);
    M active = hn::Gt(hn::Load(d, lane_flag), hn::Zero(d));
    // dc as the scalar kernel reads it: as doubles for a step, as mantissas and exponent for
    // a skip's B dc.
    for (std::size_t i = 0; i < width; ++i) {
        const bool on = i < lanes && in_group[i];
        const ComplexExp dc = (on && kMandelbrot) ? deltas[i] : ComplexExp();
        buf_a[i] = dc.re_double();
        buf_b[i] = dc.im_double();
        buf_c[i] = dc.re;
        buf_d[i] = dc.im;
        buf_i[i] = dc.e;
    }
    const V dc_re = hn::Load(d, buf_a);
    const V dc_im = hn::Load(d, buf_b);
    const V dcm_re = hn::Load(d, buf_c);
    const V dcm_im = hn::Load(d, buf_d);
    const VI dc_e = hn::Load(di, buf_i);
    // The tortoises that are double-mode snapshots, as vectors (compared at every rebase).
    for (std::size_t i = 0; i < width; ++i) {
        const bool on = i < lanes && in_group[i];
        const bool plain = on && states[i].cycles.have && !tortoise[i].fe && tortoise[i].e == 0;
        buf_a[i] = tortoise[i].re;
        buf_b[i] = tortoise[i].im;
        lane_flag[i] = plain ? 1.0 : 0.0;
    }
    V t_re = hn::Load(d, buf_a);
    V t_im = hn::Load(d, buf_b);
    M t_plain = hn::Gt(hn::Load(d, lane_flag), hn::Zero(d));

    Shared g{states[lead].on_restart, states[lead].m, states[lead].n, states[lead].cycles};
    const Orbit* orbit = g.on_restart ? restart : &engine.primary;

    auto lane_mask = [&](M mask, std::size_t i) {
        hn::Store(hn::IfThenElseZero(mask, hn::Set(d, 1.0)), d, lane_flag);
        return lane_flag[i] != 0.0;
    };
    // Every lane still going back to the scalar kernel, at the top of the step whose state is
    // given.
    auto hand_back = [&](M going, const Shared& at, V at_dr, V at_di, V at_t_re, V at_t_im,
                         M at_t_plain) {
        hn::Store(at_dr, d, buf_a);
        hn::Store(at_di, d, buf_b);
        hn::Store(at_t_re, d, buf_c);
        hn::Store(at_t_im, d, buf_d);
        hn::Store(hn::IfThenElseZero(at_t_plain, hn::Set(d, 1.0)), d, buf_e);
        for (std::size_t i = 0; i < lanes; ++i) {
            if (!lane_mask(going, i)) continue;
            PixelState s;
            s.on_restart = at.on_restart;
            s.m = at.m;
            s.n = at.n;
            s.dr = buf_a[i];
            s.di = buf_b[i];
            s.cycles = at.cycles;
            s.cycles.tortoise = buf_e[i] != 0.0 ? Snapshot{buf_c[i], buf_d[i], 0, false}
                                                : tortoise[i];
            results[i] = resume_pixel(engine, deltas[i], s, cancel);
        }
    };

    std::uint32_t since_poll = 0;
    for (;;) {
        const Shared before = g;
        const V dr0 = dr;
        const V di0 = dim;
        const V t_re0 = t_re;
        const V t_im0 = t_im;
        const M t_plain0 = t_plain;
        const V dz_norm = hn::Add(hn::Mul(dr, dr), hn::Mul(dim, dim));

        // The scan, once for the group: the lanes agree on a level while all of them or none
        // may take it.
        const BlaPlain* best = nullptr;
        std::uint64_t steps = 1;
        if (g.m >= orbit->base && g.m < orbit->end && !orbit->first.empty()) {
            const std::size_t offset = g.m - orbit->base;
            const std::uint32_t begin = orbit->first[offset];
            const std::uint32_t stop = orbit->first[offset + 1];
            bool apart = false;
            for (std::uint32_t k = begin; k < stop; ++k) {
                const std::uint64_t level_steps = std::uint64_t{2} << (k - begin);
                const BlaPlain& e = orbit->plain[k];
                if (g.n + level_steps > limit) break;
                const M inside = hn::And(hn::Lt(dz_norm, hn::Set(d, e.r2)), active);
                if (hn::AllFalse(d, hn::AndNot(inside, active))) {
                    best = &e;
                    steps = level_steps;
                    continue;
                }
                apart = !hn::AllFalse(d, inside);
                break;
            }
            if (apart) {
                hand_back(active, before, dr0, di0, t_re0, t_im0, t_plain0);
                return;
            }
        }
        if (best != nullptr) {
            const V a_re = hn::Set(d, best->a_re);
            const V a_im = hn::Set(d, best->a_im);
            V nr = hn::Sub(hn::Mul(a_re, dr), hn::Mul(a_im, dim));
            V ni = hn::Add(hn::Mul(a_re, dim), hn::Mul(a_im, dr));
            if constexpr (kMandelbrot) {
                // B dc = (B's mantissa * dc's mantissa) 2^(both exponents), added where that
                // scale is a normal double (above it the scalar kernel's rule is not followed
                // here: back to it).
                const VI k = hn::Add(hn::Set(di, best->b_e), dc_e);
                const M added = hn::RebindMask(d, hn::Gt(k, hn::Set(di, -1023)));
                const M too_big = hn::And(hn::RebindMask(d, hn::Gt(k, hn::Set(di, 1023))), active);
                if (!hn::AllFalse(d, too_big)) {
                    hand_back(active, before, dr0, di0, t_re0, t_im0, t_plain0);
                    return;
                }
                const V scale = hn::BitCast(
                    d, hn::ShiftLeft<52>(hn::IfThenElseZero(hn::RebindMask(di, added),
                                                            hn::Add(k, hn::Set(di, 1023)))));
                const V b_re = hn::Set(d, best->b_re);
                const V b_im = hn::Set(d, best->b_im);
                const V br = hn::Mul(hn::Sub(hn::Mul(b_re, dcm_re), hn::Mul(b_im, dcm_im)), scale);
                const V bi = hn::Mul(hn::Add(hn::Mul(b_re, dcm_im), hn::Mul(b_im, dcm_re)), scale);
                nr = hn::IfThenElse(added, hn::Add(nr, br), nr);
                ni = hn::IfThenElse(added, hn::Add(ni, bi), ni);
            }
            dr = nr;
            dim = ni;
        } else {
            const V zr = hn::Set(d, orbit->z[g.m].real());
            const V zi = hn::Set(d, orbit->z[g.m].imag());
            const V qr = hn::Add(hn::Mul(two, zr), dr);
            const V qi = hn::Add(hn::Mul(two, zi), dim);
            const V nr = hn::Add(hn::Sub(hn::Mul(dr, qr), hn::Mul(dim, qi)), dc_re);
            const V ni = hn::Add(hn::Add(hn::Mul(dr, qi), hn::Mul(dim, qr)), dc_im);
            dr = nr;
            dim = ni;
        }
        g.m += steps;
        g.n += steps;

        // The escape test, the limit, then a rebase, in the scalar kernel's order.
        const V xr = hn::Add(hn::Set(d, orbit->z[g.m].real()), dr);
        const V xi = hn::Add(hn::Set(d, orbit->z[g.m].imag()), dim);
        const V norm = hn::Add(hn::Mul(xr, xr), hn::Mul(xi, xi));
        M outside = hn::And(hn::Not(hn::Le(norm, t2v)), active);  // NaN reads as outside
        const M unsure = hn::And(hn::Le(hn::Abs(hn::Sub(norm, t2v)), margin), active);
        if (HWY_UNLIKELY(!hn::AllFalse(d, unsure))) {
            // Within rounding of the escape circle: the reference's exact gap decides.
            hn::Store(dr, d, buf_a);
            hn::Store(dim, d, buf_b);
            hn::Store(hn::IfThenElseZero(outside, hn::Set(d, 1.0)), d, buf_c);
            for (std::size_t i = 0; i < width; ++i) {
                if (!lane_mask(unsure, i)) continue;
                buf_c[i] = orbit->escapes_near_threshold(g.m, ComplexExp(buf_a[i], buf_b[i]),
                                                         buf_c[i] != 0.0)
                               ? 1.0
                               : 0.0;
            }
            outside = hn::And(hn::Gt(hn::Load(d, buf_c), hn::Zero(d)), active);
        }
        if (!hn::AllFalse(d, outside)) {
            hn::Store(norm, d, buf_a);
            for (std::size_t i = 0; i < lanes; ++i) {
                if (lane_mask(outside, i)) results[i] = finish_pixel(engine, g.n, buf_a[i], true);
            }
            active = hn::AndNot(outside, active);
            if (hn::AllFalse(d, active)) return;
        }
        if (g.n >= limit) {
            hn::Store(norm, d, buf_a);
            for (std::size_t i = 0; i < lanes; ++i) {
                if (lane_mask(active, i)) results[i] = finish_pixel(engine, g.n, buf_a[i], false);
            }
            return;
        }
        const V dz2 = hn::Add(hn::Mul(dr, dr), hn::Mul(dim, dim));
        const M rebase = g.m == orbit->end ? active : hn::And(hn::Lt(norm, dz2), active);
        if (!hn::AllFalse(d, rebase)) {
            if (!hn::AllFalse(d, hn::AndNot(rebase, active))) {
                hand_back(active, before, dr0, di0, t_re0, t_im0, t_plain0);
                return;
            }
            dr = xr;
            dim = xi;
            g.m = 0;
            orbit = restart;
            g.on_restart = restart != &engine.primary;
            // CycleDetector::observe for every lane at once; a lane that found its cycle skips
            // ahead alone: back to the scalar kernel, which finds it again.
            if (g.cycles.active) {
                const M same = hn::And(hn::Eq(dr, t_re), hn::Eq(dim, t_im));
                if (!hn::AllFalse(d, hn::And(hn::And(same, t_plain), active))) {
                    hand_back(active, before, dr0, di0, t_re0, t_im0, t_plain0);
                    return;
                }
                if (!g.cycles.have || g.cycles.lambda == g.cycles.power) {
                    t_re = dr;
                    t_im = dim;
                    t_plain = active;
                    g.cycles.tortoise_n = g.n;
                    g.cycles.have = true;
                    g.cycles.power *= 2;
                    g.cycles.lambda = 0;
                }
                ++g.cycles.lambda;
            }
        }
        // Below 2^-480 the scalar kernel moves to extended exponents.
        const V dz2_after = hn::Add(hn::Mul(dr, dr), hn::Mul(dim, dim));
        if (!hn::AllFalse(d, hn::And(hn::Lt(dz2_after, plain_squared), active))) {
            hand_back(active, before, dr0, di0, t_re0, t_im0, t_plain0);
            return;
        }
        if (++since_poll == 4096) {
            since_poll = 0;
            if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return;
        }
    }
}

void IterateRow(const Engine& engine, const ComplexExp* deltas, std::size_t count,
                PixelResult* results, const std::atomic<bool>* cancel) {
    const std::size_t width = hn::Lanes(D());
    PixelState states[kMaxLanes];
    bool in_group[kMaxLanes];
    for (std::size_t g0 = 0; g0 < count; g0 += width) {
        if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return;
        const std::size_t lanes = std::min(width, count - g0);
        // Each pixel starts in the scalar kernel; those that reach a double-mode step in the
        // same step as the first of them make the group, the others finish alone.
        std::size_t lead = lanes;
        for (std::size_t i = 0; i < lanes; ++i) {
            in_group[i] = false;
            if (!start_pixel(engine, deltas[g0 + i], states[i], results[g0 + i], cancel)) {
                continue;
            }
            if (lead == lanes) {
                lead = i;
                in_group[i] = true;
            } else if (SameStep(states[i], states[lead])) {
                in_group[i] = true;
            } else {
                results[g0 + i] = resume_pixel(engine, deltas[g0 + i], states[i], cancel);
            }
        }
        if (lead == lanes) continue;
        if (engine.family == Family::mandelbrot) {
            RunGroup<true>(engine, deltas + g0, states, in_group, lanes, results + g0, cancel);
        } else {
            RunGroup<false>(engine, deltas + g0, states, in_group, lanes, results + g0, cancel);
        }
    }
}

}  // namespace HWY_NAMESPACE
}  // namespace juliaset::deep
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace juliaset::deep {

// The same targets as escape_simd.cpp (this file is compiled with HWY_WANT_AVX3_DL too), so
// simd_kernel_index() picks the same one.
constexpr decltype(&HWY_STATIC_DISPATCH(IterateRow)) kRowKernels[HWY_MAX_DYNAMIC_TARGETS + 2] = {
    nullptr, HWY_CHOOSE_TARGET_LIST(IterateRow), HWY_CHOOSE_FALLBACK(IterateRow)};

void iterate_row_simd(const Engine& engine, const ComplexExp* deltas, std::size_t count,
                      PixelResult* results, const std::atomic<bool>* cancel) noexcept {
    kRowKernels[detail::simd_kernel_index()](engine, deltas, count, results, cancel);
}

}  // namespace juliaset::deep
#endif  // HWY_ONCE
