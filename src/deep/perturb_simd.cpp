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
// skip further than others, or some rebase and others not) the group splits at the top of that
// step into the two sets that agree, each going on as a group of its own (a set of one or two
// lanes finishes in the scalar kernel, which is cheaper for so few). Lanes that escape finish
// where they are.
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

#include "clear_upper-inl.h"
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
// The fewest lanes worth a group of their own where a group parts: fewer go to the scalar
// kernel. At the peer's location (1e-100) 2 and 3 measured the same, and never regrouping
// (every parting lane to the scalar kernel) 15 % slower.
constexpr std::size_t kMinGroup = 3;

// Whether two pixels' states at a double-mode step are one group's: the same step of the same
// orbit, and cycle detectors that will decide alike (their tortoises are each lane's own).
bool SameStep(const PixelState& a, const PixelState& b) noexcept {
    return a.on_restart == b.on_restart && a.m == b.m && a.n == b.n &&
           a.cycles.active == b.cycles.active && a.cycles.have == b.cycles.have &&
           a.cycles.tortoise_n == b.cycles.tortoise_n && a.cycles.power == b.cycles.power &&
           a.cycles.lambda == b.cycles.lambda;
}

// The group's state that is the same for every lane: its step, and its cycle detector but
// for the tortoise (each lane has its own). Plain fields, kept in registers by Run.
struct Shared {
    bool on_restart;
    std::size_t m;
    std::uint64_t n;
    bool cycles_active, cycles_have;
    std::uint64_t tortoise_n, power, lambda;
};

Shared SharedOf(const PixelState& s) noexcept {
    return Shared{s.on_restart,    s.m,
                  s.n,             s.cycles.active,
                  s.cycles.have,   s.cycles.tortoise_n,
                  s.cycles.power,  s.cycles.lambda};
}

// A group of neighbouring pixels (one vector of lanes) iterated together: their per-lane
// constants, and Run, which iterates a set of them that share a step to their ends.
template <bool kMandelbrot>
class LaneGroup {
public:
    LaneGroup(const Engine& engine, const ComplexExp* deltas, const PixelState* states,
              std::size_t lanes, PixelResult* results, const std::atomic<bool>* cancel)
        : engine_(engine), deltas_(deltas), lanes_(lanes), results_(results), cancel_(cancel),
          restart_(kMandelbrot ? &engine.primary : &engine.critical),
          limit_(std::uint64_t{engine.itermax} + 1) {
        const D d;
        const DI di;
        HWY_ALIGN double re[kMaxLanes];
        HWY_ALIGN double im[kMaxLanes];
        HWY_ALIGN double m_re[kMaxLanes];
        HWY_ALIGN double m_im[kMaxLanes];
        HWY_ALIGN std::int64_t e[kMaxLanes];
        // dc as the scalar kernel reads it: as doubles for a step, as mantissas and exponent
        // for a skip's B dc (0 in lanes without a pixel).
        for (std::size_t i = 0; i < hn::Lanes(d); ++i) {
            const ComplexExp dc = (i < lanes && kMandelbrot) ? deltas[i] : ComplexExp();
            re[i] = dc.re_double();
            im[i] = dc.im_double();
            m_re[i] = dc.re;
            m_im[i] = dc.im;
            e[i] = dc.e;
            tortoise_[i] =
                (states != nullptr && i < lanes) ? states[i].cycles.tortoise : Snapshot{};
        }
        dc_re_ = hn::Load(d, re);
        dc_im_ = hn::Load(d, im);
        dcm_re_ = hn::Load(d, m_re);
        dcm_im_ = hn::Load(d, m_im);
        dc_e_ = hn::Load(di, e);
        // Run's escape test is unsure within `margin` (t^2 threshold_margin) of t^2: quiet
        // steps keep 4 margins inside.
        quiet_below_ =
            hn::Set(d, engine.threshold_squared * (1.0 - 4 * Orbit::threshold_margin));
    }

    // Iterates the lanes of `active`, all at the top of step `g` with their dz in (dr, di)
    // and their double-mode tortoises in (t_re, t_im) where t_plain (others: tortoise_), to
    // their ends. Where the lanes part, each part goes on from that step as a group of its own
    // (recursion at most lanes deep: each part is smaller); lanes that leave what the group
    // follows (a found cycle, extended exponents, B dc above 2^1023) finish in the scalar
    // kernel.
    void Run(Shared g, V dr, V dim, V t_re, V t_im, M t_plain, M active) {
        const D d;
        const DI di;
        const double t2 = engine_.threshold_squared;
        const V t2v = hn::Set(d, t2);
        const V margin = hn::Set(d, t2 * Orbit::threshold_margin);
        const V plain_squared = hn::Set(d, std::ldexp(1.0, 2 * double_mode_log2(2)));
        const V two = hn::Set(d, 2.0);
        // The shared state in plain locals (a struct copied at every step went through
        // memory and stalled store forwarding); `at_top` rebuilds it for Split.
        bool on_restart = g.on_restart;
        std::size_t m = g.m;
        std::uint64_t n = g.n;
        bool cycles_active = g.cycles_active;
        bool cycles_have = g.cycles_have;
        std::uint64_t tortoise_n = g.tortoise_n;
        std::uint64_t power = g.power;
        std::uint64_t lambda = g.lambda;
        const Orbit* orbit = on_restart ? restart_ : &engine_.primary;
        std::uint32_t since_poll = 0;
        for (;;) {
            // This step's top, where a group that parts goes on from (Split). The cycle
            // detector changes only after the last Split of a step.
            const bool on_restart0 = on_restart;
            const std::size_t m0 = m;
            const std::uint64_t n0 = n;
            auto at_top = [=] {
                return Shared{on_restart0, m0,         n0,    cycles_active,
                              cycles_have, tortoise_n, power, lambda};
            };
            const V dr0 = dr;
            const V di0 = dim;
            const V t_re0 = t_re;
            const V t_im0 = t_im;
            const M t_plain0 = t_plain;
            const V dz_norm = hn::Add(hn::Mul(dr, dr), hn::Mul(dim, dim));

            // The scan, once for the group: the lanes agree on a level while all of them or
            // none may take it.
            const BlaPlain* best = nullptr;
            std::uint64_t steps = 1;
            if (m >= orbit->base && m < orbit->end && !orbit->first.empty()) {
                const std::size_t offset = m - orbit->base;
                const std::uint32_t begin = orbit->first[offset];
                const std::uint32_t stop = orbit->first[offset + 1];
                for (std::uint32_t k = begin; k < stop; ++k) {
                    const std::uint64_t level_steps = std::uint64_t{2} << (k - begin);
                    const BlaPlain& e = orbit->plain[k];
                    if (n + level_steps > limit_) break;
                    const M inside = hn::And(hn::Lt(dz_norm, hn::Set(d, e.r2)), active);
                    if (hn::AllFalse(d, hn::AndNot(inside, active))) {
                        best = &e;
                        steps = level_steps;
                        continue;
                    }
                    if (!hn::AllFalse(d, inside)) {
                        Split(at_top(), dr0, di0, t_re0, t_im0, t_plain0, active, inside, hn::Not(active));
                        return;
                    }
                    break;
                }
            }
            if (best != nullptr) {
                const V a_re = hn::Set(d, best->a_re);
                const V a_im = hn::Set(d, best->a_im);
                V nr = hn::Sub(hn::Mul(a_re, dr), hn::Mul(a_im, dim));
                V ni = hn::Add(hn::Mul(a_re, dim), hn::Mul(a_im, dr));
                if constexpr (kMandelbrot) {
                    // B dc = (B's mantissa * dc's mantissa) 2^(both exponents), added where
                    // that scale is a normal double; above it (never at sane depths) the lane
                    // goes to the scalar kernel.
                    const VI k = hn::Add(hn::Set(di, best->b_e), dc_e_);
                    const M added = hn::RebindMask(d, hn::Gt(k, hn::Set(di, -1023)));
                    const M too_big =
                        hn::And(hn::RebindMask(d, hn::Gt(k, hn::Set(di, 1023))), active);
                    if (HWY_UNLIKELY(!hn::AllFalse(d, too_big))) {
                        Split(at_top(), dr0, di0, t_re0, t_im0, t_plain0, active, active, too_big);
                        return;
                    }
                    const V scale = hn::BitCast(
                        d, hn::ShiftLeft<52>(hn::IfThenElseZero(hn::RebindMask(di, added),
                                                                hn::Add(k, hn::Set(di, 1023)))));
                    const V b_re = hn::Set(d, best->b_re);
                    const V b_im = hn::Set(d, best->b_im);
                    const V br =
                        hn::Mul(hn::Sub(hn::Mul(b_re, dcm_re_), hn::Mul(b_im, dcm_im_)), scale);
                    const V bi =
                        hn::Mul(hn::Add(hn::Mul(b_re, dcm_im_), hn::Mul(b_im, dcm_re_)), scale);
                    nr = hn::IfThenElse(added, hn::Add(nr, br), nr);
                    ni = hn::IfThenElse(added, hn::Add(ni, bi), ni);
                }
                dr = nr;
                dim = ni;
            } else {
                const V zr = hn::Set(d, orbit->z[m].real());
                const V zi = hn::Set(d, orbit->z[m].imag());
                const V qr = hn::Add(hn::Mul(two, zr), dr);
                const V qi = hn::Add(hn::Mul(two, zi), dim);
                const V nr = hn::Add(hn::Sub(hn::Mul(dr, qr), hn::Mul(dim, qi)), dc_re_);
                const V ni = hn::Add(hn::Add(hn::Mul(dr, qi), hn::Mul(dim, qr)), dc_im_);
                dr = nr;
                dim = ni;
            }
            m += steps;
            n += steps;

            // The escape test, the limit, then a rebase, in the scalar kernel's order.
            const V xr = hn::Add(hn::Set(d, orbit->z[m].real()), dr);
            const V xi = hn::Add(hn::Set(d, orbit->z[m].imag()), dim);
            const V norm = hn::Add(hn::Mul(xr, xr), hn::Mul(xi, xi));
            M outside = hn::And(hn::Not(hn::Le(norm, t2v)), active);  // NaN reads as outside
            const M unsure = hn::And(hn::Le(hn::Abs(hn::Sub(norm, t2v)), margin), active);
            if (HWY_UNLIKELY(!hn::AllFalse(d, unsure))) {
                // Within rounding of the escape circle: the reference's exact gap decides.
                HWY_ALIGN double re[kMaxLanes];
                HWY_ALIGN double im[kMaxLanes];
                HWY_ALIGN double out[kMaxLanes];
                hn::Store(dr, d, re);
                hn::Store(dim, d, im);
                hn::Store(hn::IfThenElseZero(outside, hn::Set(d, 1.0)), d, out);
                for (std::size_t i = 0; i < lanes_; ++i) {
                    if (!Has(unsure, i)) continue;
                    out[i] = orbit->escapes_near_threshold(m, ComplexExp(re[i], im[i]),
                                                           out[i] != 0.0)
                                 ? 1.0
                                 : 0.0;
                }
                outside = hn::And(hn::Gt(hn::Load(d, out), hn::Zero(d)), active);
            }
            if (!hn::AllFalse(d, outside)) {
                Finish(outside, n, norm, true);
                active = hn::AndNot(outside, active);
                if (hn::AllFalse(d, active)) return;
            }
            if (n >= limit_) {
                Finish(active, n, norm, false);
                return;
            }
            const V dz2 = hn::Add(hn::Mul(dr, dr), hn::Mul(dim, dim));
            const M rebase = m == orbit->end ? active : hn::And(hn::Lt(norm, dz2), active);
            const bool rebasing = !hn::AllFalse(d, rebase);
            if (rebasing && !hn::AllFalse(d, hn::AndNot(rebase, active))) {
                Split(at_top(), dr0, di0, t_re0, t_im0, t_plain0, active, rebase, hn::Not(active));
                return;
            }
            if (rebasing) {
                dr = xr;
                dim = xi;
                // A lane that found its cycle at this rebase skips ahead alone: the scalar
                // kernel finds it again.
                if (cycles_active) {
                    const M same = hn::And(hn::Eq(dr, t_re), hn::Eq(dim, t_im));
                    const M found = hn::And(hn::And(same, t_plain), active);
                    if (HWY_UNLIKELY(!hn::AllFalse(d, found))) {
                        Split(at_top(), dr0, di0, t_re0, t_im0, t_plain0, active, active, found);
                        return;
                    }
                }
            }
            // Below 2^-480 the scalar kernel moves to extended exponents.
            const V dz2_after = rebasing ? hn::Add(hn::Mul(dr, dr), hn::Mul(dim, dim)) : dz2;
            const M tiny = hn::And(hn::Lt(dz2_after, plain_squared), active);
            if (HWY_UNLIKELY(!hn::AllFalse(d, tiny))) {
                Split(at_top(), dr0, di0, t_re0, t_im0, t_plain0, active, active, tiny);
                return;
            }
            if (rebasing) {
                m = 0;
                orbit = restart_;
                on_restart = restart_ != &engine_.primary;
                // CycleDetector::observe for every lane at once (no lane found its cycle).
                if (cycles_active) {
                    if (!cycles_have || lambda == power) {
                        t_re = dr;
                        t_im = dim;
                        t_plain = active;
                        tortoise_n = n;
                        cycles_have = true;
                        power *= 2;
                        lambda = 0;
                    }
                    ++lambda;
                }
            }
            if (++since_poll == 4096) {
                since_poll = 0;
                if (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed)) return;
            }
        }
    }

    // The lanes of `active`, at the top of step (m, n) of the primary orbit with their dz in
    // (dr, dim) and dz_norm = |dz|^2, take a quiet step: one where Run would find no table
    // level that any of them may take, and after the single step no lane within 4 margins of
    // the escape circle (or NaN), the limit not reached, no rebase and no tiny delta. Then the
    // step is Run's (the same operations) and nothing else happens in it: (m, n, dr, dim,
    // dz_norm) move on and the result is true. Otherwise nothing changes and the result is
    // false: Run takes that step with all its cases.
    HWY_INLINE bool QuietStep(std::size_t& m, std::uint64_t& n, V& dr, V& dim, V& dz_norm,
                              M active) const {
        const D d;
        const Orbit& orbit = engine_.primary;
        if (m >= orbit.base && m < orbit.end && !orbit.first.empty()) {
            const std::size_t offset = m - orbit.base;
            const std::uint32_t begin = orbit.first[offset];
            if (begin < orbit.first[offset + 1] && n + 2 <= limit_ &&
                !hn::AllFalse(d, hn::And(hn::Lt(dz_norm, hn::Set(d, orbit.plain[begin].r2)),
                                         active))) {
                return false;
            }
        }
        if (m + 1 == orbit.end || n + 1 >= limit_) return false;
        const V two = hn::Set(d, 2.0);
        const V zr = hn::Set(d, orbit.z[m].real());
        const V zi = hn::Set(d, orbit.z[m].imag());
        const V qr = hn::Add(hn::Mul(two, zr), dr);
        const V qi = hn::Add(hn::Mul(two, zi), dim);
        const V nr = hn::Add(hn::Sub(hn::Mul(dr, qr), hn::Mul(dim, qi)), dc_re_);
        const V ni = hn::Add(hn::Add(hn::Mul(dr, qi), hn::Mul(dim, qr)), dc_im_);
        const V xr = hn::Add(hn::Set(d, orbit.z[m + 1].real()), nr);
        const V xi = hn::Add(hn::Set(d, orbit.z[m + 1].imag()), ni);
        const V norm = hn::Add(hn::Mul(xr, xr), hn::Mul(xi, xi));
        const V dz2 = hn::Add(hn::Mul(nr, nr), hn::Mul(ni, ni));
        const M loud = hn::Or(hn::Or(hn::Not(hn::Lt(norm, quiet_below_)), hn::Lt(norm, dz2)),
                              hn::Lt(dz2, hn::Set(d, std::ldexp(1.0, 2 * double_mode_log2(2)))));
        if (!hn::AllFalse(d, hn::And(loud, active))) return false;
        dr = nr;
        dim = ni;
        dz_norm = dz2;
        ++m;
        ++n;
        return true;
    }

private:
    // The lanes of `active` part at the top of step `at`: `leaving` ones to the scalar kernel,
    // the others in two groups, inside `part` and outside it; a group of fewer than kMinGroup
    // lanes costs more than the scalar kernel and goes there too.
    HWY_NOINLINE void Split(Shared at, V dr, V dim, V t_re, V t_im, M t_plain, M active, M part,
                            M leaving) {
        const D d;
        const M staying = hn::AndNot(leaving, active);
        M first = hn::And(part, staying);
        M second = hn::AndNot(part, staying);
        M alone = hn::And(leaving, active);
        if (hn::CountTrue(d, first) < kMinGroup) {
            alone = hn::Or(alone, first);
            first = hn::FirstN(d, 0);
        }
        if (hn::CountTrue(d, second) < kMinGroup) {
            alone = hn::Or(alone, second);
            second = hn::FirstN(d, 0);
        }
        Scalar(alone, at, dr, dim, t_re, t_im, t_plain);
        if (!hn::AllFalse(d, first)) Run(at, dr, dim, t_re, t_im, t_plain, first);
        if (!hn::AllFalse(d, second)) Run(at, dr, dim, t_re, t_im, t_plain, second);
    }

    static bool Has(M mask, std::size_t i) {
        const D d;
        HWY_ALIGN double flag[kMaxLanes];
        hn::Store(hn::IfThenElseZero(mask, hn::Set(d, 1.0)), d, flag);
        return flag[i] != 0.0;
    }

    void Finish(M lanes, std::uint64_t n, V norm, bool escaped) {
        const D d;
        HWY_ALIGN double value[kMaxLanes];
        HWY_ALIGN double flag[kMaxLanes];
        hn::Store(norm, d, value);
        hn::Store(hn::IfThenElseZero(lanes, hn::Set(d, 1.0)), d, flag);  // once, not per lane
        for (std::size_t i = 0; i < lanes_; ++i) {
            if (flag[i] != 0.0) results_[i] = finish_pixel(engine_, n, value[i], escaped);
        }
    }

    // The lanes of `lanes` finish in the scalar kernel from the top of step `at`.
    void Scalar(M lanes, const Shared& at, V dr, V dim, V t_re, V t_im, M t_plain) {
        const D d;
        if (hn::AllFalse(d, lanes)) return;
        HWY_ALIGN double re[kMaxLanes];
        HWY_ALIGN double im[kMaxLanes];
        HWY_ALIGN double tr[kMaxLanes];
        HWY_ALIGN double ti[kMaxLanes];
        hn::Store(dr, d, re);
        hn::Store(dim, d, im);
        hn::Store(t_re, d, tr);
        hn::Store(t_im, d, ti);
        for (std::size_t i = 0; i < lanes_; ++i) {
            if (!Has(lanes, i)) continue;
            PixelState s;
            s.on_restart = at.on_restart;
            s.m = at.m;
            s.n = at.n;
            s.dr = re[i];
            s.di = im[i];
            s.cycles.active = at.cycles_active;
            s.cycles.have = at.cycles_have;
            s.cycles.tortoise_n = at.tortoise_n;
            s.cycles.power = at.power;
            s.cycles.lambda = at.lambda;
            s.cycles.tortoise = Has(t_plain, i) ? Snapshot{tr[i], ti[i], 0, false} : tortoise_[i];
            results_[i] = resume_pixel(engine_, deltas_[i], s, cancel_);
        }
    }

    const Engine& engine_;
    const ComplexExp* deltas_;
    std::size_t lanes_;
    PixelResult* results_;
    const std::atomic<bool>* cancel_;
    const Orbit* restart_;
    std::uint64_t limit_;
    V dc_re_, dc_im_, dcm_re_, dcm_im_;
    V quiet_below_;  // |z|^2 below this is well inside the escape circle (QuietStep)
    VI dc_e_;
    Snapshot tortoise_[kMaxLanes];  // each lane's tortoise where it is not a double-mode one
};

template <bool kMandelbrot>
void RunGroup(const Engine& engine, const ComplexExp* deltas, const PixelState* states,
              const bool* in_group, std::size_t lanes, PixelResult* results,
              const std::atomic<bool>* cancel) {
    const D d;
    LaneGroup<kMandelbrot> group(engine, deltas, states, lanes, results, cancel);
    HWY_ALIGN double re[kMaxLanes];
    HWY_ALIGN double im[kMaxLanes];
    HWY_ALIGN double member[kMaxLanes];
    HWY_ALIGN double plain[kMaxLanes];
    std::size_t lead = lanes;
    for (std::size_t i = 0; i < hn::Lanes(d); ++i) {
        const bool on = i < lanes && in_group[i];
        if (on && lead == lanes) lead = i;
        re[i] = on ? states[i].dr : 0.0;
        im[i] = on ? states[i].di : 0.0;
        member[i] = on ? 1.0 : 0.0;
        const Snapshot t = on ? states[i].cycles.tortoise : Snapshot{};
        plain[i] = (on && states[i].cycles.have && !t.fe && t.e == 0) ? 1.0 : 0.0;
    }
    // The tortoises' parts as vectors (compared at every rebase); the others stay in the
    // group's tortoise_.
    HWY_ALIGN double t_re[kMaxLanes];
    HWY_ALIGN double t_im[kMaxLanes];
    for (std::size_t i = 0; i < hn::Lanes(d); ++i) {
        const bool on = i < lanes && in_group[i];
        t_re[i] = on ? states[i].cycles.tortoise.re : 0.0;
        t_im[i] = on ? states[i].cycles.tortoise.im : 0.0;
    }
    group.Run(SharedOf(states[lead]), hn::Load(d, re), hn::Load(d, im),
              hn::Load(d, t_re), hn::Load(d, t_im), hn::Gt(hn::Load(d, plain), hn::Zero(d)),
              hn::Gt(hn::Load(d, member), hn::Zero(d)));
}

// A group of Mandelbrot pixels whose dc are all in the double range: start_pixel would give
// each the same state, m = n = 0 in double mode (see its start), so they make one group
// without it (with start_pixel and the comparisons of SameStep, setting up a group had cost
// as much as iterating it, in views of about 30 iterations a pixel).
void RunFreshGroup(const Engine& engine, const ComplexExp* deltas, std::size_t lanes,
                   PixelResult* results, const std::atomic<bool>* cancel) {
    const D d;
    LaneGroup<true> group(engine, deltas, nullptr, lanes, results, cancel);
    group.Run(SharedOf(PixelState{}), hn::Zero(d), hn::Zero(d), hn::Zero(d), hn::Zero(d),
              hn::FirstN(d, 0), hn::FirstN(d, lanes));
}

// Two fresh groups (RunFreshGroup) side by side: their quiet steps (LaneGroup::QuietStep)
// interleaved, which fills the pipes that one group's chain of dependent steps leaves idle,
// until either meets a step that is not quiet; from there each goes on alone in Run. In views
// whose deltas are far above the table's radii (the animation benchmark's zoom frames, where
// no level ever applied), all but a group's last few steps are quiet.
void RunFreshPair(const Engine& engine, const ComplexExp* deltas, std::size_t width,
                  std::size_t lanes_b, PixelResult* results, const std::atomic<bool>* cancel) {
    const D d;
    LaneGroup<true> a(engine, deltas, nullptr, width, results, cancel);
    LaneGroup<true> b(engine, deltas + width, nullptr, lanes_b, results + width, cancel);
    const M active_a = hn::FirstN(d, width);
    const M active_b = hn::FirstN(d, lanes_b);
    std::size_t m_a = 0, m_b = 0;
    std::uint64_t n_a = 0, n_b = 0;
    V dr_a = hn::Zero(d), di_a = hn::Zero(d), norm_a = hn::Zero(d);
    V dr_b = hn::Zero(d), di_b = hn::Zero(d), norm_b = hn::Zero(d);
    for (std::uint32_t since_poll = 0;; ++since_poll) {
        const bool quiet_a = a.QuietStep(m_a, n_a, dr_a, di_a, norm_a, active_a);
        const bool quiet_b = b.QuietStep(m_b, n_b, dr_b, di_b, norm_b, active_b);
        if (!quiet_a || !quiet_b) break;
        if (since_poll == 4096) {
            since_poll = 0;
            if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) return;
        }
    }
    Shared at = SharedOf(PixelState{});
    at.m = m_a;
    at.n = n_a;
    a.Run(at, dr_a, di_a, hn::Zero(d), hn::Zero(d), hn::FirstN(d, 0), active_a);
    at.m = m_b;
    at.n = n_b;
    b.Run(at, dr_b, di_b, hn::Zero(d), hn::Zero(d), hn::FirstN(d, 0), active_b);
}

void IterateRow(const Engine& engine, const ComplexExp* deltas, std::size_t count,
                PixelResult* results, const std::atomic<bool>* cancel) {
    const std::size_t width = hn::Lanes(D());
    const std::int64_t plain = double_mode_log2(2);
    PixelState states[kMaxLanes];
    bool in_group[kMaxLanes];
    for (std::size_t g0 = 0; g0 < count; g0 += width) {
        if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) break;
        const std::size_t lanes = std::min(width, count - g0);
        if (engine.family == Family::mandelbrot) {
            // Two groups' worth of fresh pixels go as a pair, one group's alone.
            const std::size_t pair = std::min(2 * width, count - g0);
            std::size_t fresh = 0;
            while (fresh < pair && deltas[g0 + fresh].e >= plain) ++fresh;
            if (fresh == pair && pair > width) {
                RunFreshPair(engine, deltas + g0, width, pair - width, results + g0, cancel);
                g0 += width;  // the loop adds the other
                continue;
            }
            if (fresh >= lanes) {
                RunFreshGroup(engine, deltas + g0, lanes, results + g0, cancel);
                continue;
            }
        }
        // Each pixel starts in the scalar kernel; those that begin in double mode in the same
        // step as the first of them make the group, the others finish alone. A pixel that
        // reaches double mode only after extended-exponent steps (views below about 1e-145)
        // does so after a rebase, where its neighbours rarely are, and goes back to extended
        // exponents soon: groups there split at once (measured at 5.07e-433: 15 % slower
        // than the scalar kernel alone).
        std::size_t lead = lanes;
        for (std::size_t i = 0; i < lanes; ++i) {
            in_group[i] = false;
            if (!start_pixel(engine, deltas[g0 + i], states[i], results[g0 + i], cancel)) {
                continue;
            }
            if (states[i].n != 0) {
                results[g0 + i] = resume_pixel(engine, deltas[g0 + i], states[i], cancel);
            } else if (lead == lanes) {
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
    simd::HWY_NAMESPACE::ClearUpperHalves();
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
