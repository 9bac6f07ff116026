// The bilinear approximation table (docs/design.md, "Deep zoom"): single steps linearised
// around the reference, merged pairwise into levels of 2, 4, 8, ... steps.
#include <cmath>

#include "deep/engine.hpp"
#include "juliaset/render.hpp"

namespace juliaset::deep {

namespace {

struct Linear {
    ComplexExp a;
    ComplexExp b;
    FloatExp r;
};

// Stored form: exponent 0 whenever the value is a comfortable double.
void store_complex(const ComplexExp& v, double& re, double& im, std::int32_t& e, bool& too_far) {
    if (v.is_zero()) {
        re = im = 0.0;
        e = 0;
        return;
    }
    if (v.e >= -1000 && v.e <= 1000) {
        re = scale_by(v.re, v.e);
        im = scale_by(v.im, v.e);
        e = 0;
        return;
    }
    if (v.e > (std::int64_t{1} << 30) || v.e < -(std::int64_t{1} << 30)) {
        too_far = true;
        re = im = 0.0;
        e = 0;
        return;
    }
    re = v.re;
    im = v.im;
    e = static_cast<std::int32_t>(v.e);
}

BlaPlain to_plain(const Linear& s) {
    BlaPlain p{};
    const bool a_fits = s.a.is_zero() || (s.a.e >= -1000 && s.a.e <= 1000);
    const bool r_fits = !s.r.is_zero() && s.r.e >= -500 && s.r.e <= 500;
    if (a_fits && r_fits) {
        p.a_re = s.a.re_double();
        p.a_im = s.a.im_double();
        const double r = s.r.to_double();
        p.r2 = r * r;
    }
    if (!s.b.is_zero()) {
        p.b_re = s.b.re;
        p.b_im = s.b.im;
        p.b_e = s.b.e;
    }
    return p;
}

BlaEntry to_entry(const Linear& s) {
    BlaEntry entry{};
    bool too_far = false;
    store_complex(s.a, entry.a_re, entry.a_im, entry.a_e, too_far);
    store_complex(s.b, entry.b_re, entry.b_im, entry.b_e, too_far);
    double unused = 0.0;
    store_complex(ComplexExp(s.r, FloatExp()), entry.r, unused, entry.r_e, too_far);
    if (too_far) {  // unusable: an exponent beyond 2^30 (a radius far below any delta)
        entry = BlaEntry{};
    }
    // A and B stored normalised (mantissas with the larger in [1, 2)), so that the kernel
    // reads them without normalising: the same values as normalising the stored form.
    const ComplexExp a = ComplexExp(entry.a_re, entry.a_im, entry.a_e);
    const ComplexExp b = ComplexExp(entry.b_re, entry.b_im, entry.b_e);
    entry.a_re = a.re;
    entry.a_im = a.im;
    entry.a_e = a.is_zero() ? 0 : static_cast<std::int32_t>(a.e);
    entry.b_re = b.re;
    entry.b_im = b.im;
    entry.b_e = b.is_zero() ? 0 : static_cast<std::int32_t>(b.e);
    const FloatExp r2 = entry.radius() * entry.radius();
    entry.r2_m = r2.m;
    entry.r2_e = r2.e;
    return entry;
}

// y after x.
Linear merge(const Linear& x, const Linear& y, const FloatExp& dc_max) {
    Linear out;
    out.a = y.a * x.a;
    out.b = y.a * x.b + y.b;
    const FloatExp slack = y.r - x.b.abs() * dc_max;
    if (slack.m <= 0.0 || x.a.is_zero() || x.r.is_zero()) {
        out.r = FloatExp();
    } else {
        out.r = min_nonnegative(x.r, slack / x.a.abs());
    }
    return out;
}

}  // namespace

void build_bla(Orbit& orbit, std::uint32_t power, double threshold, bool mandelbrot,
               const FloatExp& dc_max, const DeepProgress& progress,
               const std::atomic<bool>* cancel) {
    orbit.first.clear();
    orbit.plain.clear();
    orbit.entries.clear();
    // Z_m as ComplexExp for the extended-exponent kernel (one normalisation here instead of
    // two per step there).
    orbit.z_exp.clear();
    orbit.z_exp.reserve(orbit.end + 1);
    for (std::size_t k = 0; k <= orbit.end && k < orbit.z.size(); ++k) {
        orbit.z_exp.push_back(orbit.at(k));
    }
    const std::size_t steps = orbit.end > orbit.base ? orbit.end - orbit.base : 0;
    if (steps < 2) return;
    // Single step at k: dz' = A dz + B dc + (terms of order dz^2), A = power Z^(power-1).
    // The neglected terms stay below 2^-53 |A dz| while |dz| < 2^-52 |Z| / (power - 1): as
    // exact as a double step. Looser bounds are faster and wrong near minibrots of high period:
    // the error of a skip of 2^l steps adds up to 2^l times the bound (measured against the
    // MPFR oracle around Newton nuclei of periods 998 to 7984: 2^-32 missed 5 to 17 pixels a
    // view by up to 525 iterations, 2^-45 two pixels of 64, 2^-48 and 2^-53 none; see
    // docs/design.md, "Deep zoom").
    const FloatExp epsilon_factor(2.0 / static_cast<double>(power - 1), -53);
    // A step may not be skipped over (nor land) where the reference comes close to the
    // escape radius: the skipped iterates are not tested.
    const double near_escape = threshold * threshold * (1.0 - std::ldexp(1.0, -30));
    const ComplexExp one(1.0, 0.0);
    auto single = [&](std::size_t k) {
        const ComplexExp z = orbit.at(k);
        ComplexExp a(static_cast<double>(power), 0.0);
        for (std::uint32_t p = 1; p < power; ++p) a = a * z;
        Linear s{a, mandelbrot ? one : ComplexExp(), z.abs() * epsilon_factor};
        if (!(std::norm(orbit.z[k + 1]) < near_escape) || z.is_zero()) s.r = FloatExp();
        return s;
    };
    auto check_cancel = [&]() {
        if (cancel != nullptr && cancel->load(std::memory_order_relaxed)) throw Cancelled();
    };

    // Levels in extended exponents, merged pairwise.
    std::vector<std::vector<Linear>> levels;
    {
        std::vector<Linear> level(steps / 2);
        for (std::size_t j = 0; j < level.size(); ++j) {
            const std::size_t k = orbit.base + 2 * j;
            level[j] = merge(single(k), single(k + 1), dc_max);
            if (j % 4096 == 0) check_cancel();
        }
        levels.push_back(std::move(level));
    }
    std::size_t done = levels.back().size();
    while (levels.back().size() >= 2) {
        const std::vector<Linear>& below = levels.back();
        std::vector<Linear> next(below.size() / 2);
        for (std::size_t j = 0; j < next.size(); ++j) {
            next[j] = merge(below[2 * j], below[2 * j + 1], dc_max);
            if (j % 4096 == 0) check_cancel();
        }
        done += next.size();
        levels.push_back(std::move(next));
        if (progress.report) {
            progress.report(DeepProgress::Stage::approximation_table, std::min(done, steps),
                            steps);
        }
    }
    // Per start offset, contiguous.
    orbit.first.assign(steps + 1, 0);
    std::uint32_t count = 0;
    for (std::size_t o = 0; o < steps; ++o) {
        orbit.first[o] = count;
        for (std::size_t l = 1; l <= levels.size(); ++l) {
            if ((o & ((std::size_t{1} << l) - 1)) != 0 || (o >> l) >= levels[l - 1].size()) break;
            ++count;
        }
    }
    orbit.first[steps] = count;
    orbit.plain.reserve(count);
    orbit.entries.reserve(count);
    for (std::size_t o = 0; o < steps; ++o) {
        for (std::uint32_t k = orbit.first[o]; k < orbit.first[o + 1]; ++k) {
            const std::size_t l = k - orbit.first[o] + 1;
            const Linear& s = levels[l - 1][o >> l];
            orbit.plain.push_back(to_plain(s));
            orbit.entries.push_back(to_entry(s));
        }
    }
}

}  // namespace juliaset::deep
