// The deep engine's SIMD kernel (src/deep/perturb_simd.cpp) against its scalar kernel, bit for
// bit: counts, smooth counts and final |z|^2 of every pixel, on every SIMD target this CPU
// has, at views where neighbouring pixels part often (minibrots, Misiurewicz points, Julia
// sets), with image widths that leave partial lane groups, and with itermax small enough that
// groups reach the limit together.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "deep_locations.hpp"
#include "juliaset/deep.hpp"
#include "juliaset/escape.hpp"

namespace {

using namespace juliaset;

struct ForcedTarget {
    explicit ForcedTarget(const std::string& name) { force_simd_target(name); }
    ~ForcedTarget() { force_simd_target(""); }
    ForcedTarget(const ForcedTarget&) = delete;
    ForcedTarget& operator=(const ForcedTarget&) = delete;
};

struct Fields {
    std::vector<std::uint32_t> counts;
    std::vector<double> smooth;
    std::vector<double> final_norm;
};

Fields render(const DeepRender& r, Kernel kernel) {
    const std::size_t n = r.full_window().size();
    Fields f{std::vector<std::uint32_t>(n), std::vector<double>(n), std::vector<double>(n)};
    FieldBuffers out;
    out.counts = f.counts;
    out.smooth = f.smooth;
    out.final_norm = f.final_norm;
    RenderOptions options;
    options.kernel = kernel;
    r.render(r.full_window(), out, options);
    return f;
}

bool same_bits(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

struct View {
    std::string name;
    DeepView view;
    DeepParams params;
};

// Compares every pixel; returns the number of pixels compared (for the caller's sanity check).
std::size_t expect_identical(const View& v) {
    const DeepRender r(v.view, v.params);
    const Fields scalar = render(r, Kernel::scalar);
    std::size_t compared = 0;
    for (const std::string& target : available_simd_targets()) {
        const ForcedTarget forced(target);
        const Fields simd = render(r, Kernel::automatic);
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < scalar.counts.size(); ++i) {
            const bool same = scalar.counts[i] == simd.counts[i] &&
                              same_bits(scalar.smooth[i], simd.smooth[i]) &&
                              same_bits(scalar.final_norm[i], simd.final_norm[i]);
            if (!same && ++mismatches <= 3) {
                ADD_FAILURE() << v.name << " on " << target << ": pixel " << i << " count "
                              << simd.counts[i] << " vs scalar " << scalar.counts[i]
                              << ", smooth " << simd.smooth[i] << " vs " << scalar.smooth[i]
                              << ", |z|^2 " << simd.final_norm[i] << " vs "
                              << scalar.final_norm[i];
            }
        }
        EXPECT_EQ(mismatches, 0u) << v.name << " on " << target;
        compared += scalar.counts.size();
    }
    return compared;
}

View mandelbrot(std::string name, std::string re, std::string im, std::string width,
                std::uint32_t itermax, double threshold = 2.0, std::size_t w = 67,
                std::size_t h = 41) {
    View v{std::move(name), DeepView{std::move(re), std::move(im), std::move(width), w, h}, {}};
    v.params.family = Family::mandelbrot;
    v.params.itermax = itermax;
    v.params.threshold = threshold;
    return v;
}

TEST(DeepSimd, MandelbrotViewsAreBitIdenticalToTheScalarKernel) {
    std::vector<View> views;
    const std::string fs_re = deep_test::read_text("fractalshades-min-re.txt").substr(0, 140);
    const std::string fs_im = deep_test::read_text("fractalshades-min-im.txt").substr(0, 160);
    ASSERT_GT(fs_re.size(), 100u);
    // The peer's minibrot at the benchmark's depths (escape radius 100 as there), and with
    // limits that stop groups mid-orbit.
    for (const char* width : {"1e-15", "1e-30", "1e-60", "1e-100"}) {
        views.push_back(mandelbrot(std::string("peer minibrot ") + width, fs_re, fs_im, width,
                                   40000, 100.0));
    }
    views.push_back(mandelbrot("peer minibrot, limit 300", fs_re, fs_im, "1e-30", 300));
    views.push_back(mandelbrot("peer minibrot, limit 5000", fs_re, fs_im, "1e-100", 5000, 2.0));
    // Misiurewicz point c = i: no skips, frequent rebases.
    for (const char* width : {"1e-14", "3e-20", "1e-60"}) {
        views.push_back(mandelbrot(std::string("Misiurewicz i ") + width, "0", "1", width, 3000));
    }
    // The animation benchmark's zoom frames into c = i (pixels escape after about 30 quiet
    // steps, two groups at a time), with limits just before, inside and after those escapes.
    for (const std::uint32_t limit : {20u, 29u, 31u, 34u, 1300u}) {
        views.push_back(mandelbrot("zoom frame into i, limit " + std::to_string(limit),
                                   "-3.08859145519348867314096249409190648E-12",
                                   "0.999999999993822817089613022653718075", "1.95e-11", limit));
    }
    // A Newton-found nucleus and its surroundings (interior pixels: cycle detection).
    const std::uint32_t period =
        deep_test::atom_period("-0.7436438870371587", "0.1318259042053119", 2, 8000, 300);
    const deep_test::Nucleus n =
        deep_test::newton_nucleus("-0.7436438870371587", "0.1318259042053119", 2, period, 300, 90);
    const int decade = static_cast<int>(std::floor(n.log10_scale));
    for (const int shift : {0, 2}) {
        char width[32];
        std::snprintf(width, sizeof width, "3e%d", decade + shift);
        views.push_back(mandelbrot("nucleus period " + std::to_string(period) + " width " + width,
                                   n.re.substr(0, 80), n.im.substr(0, 80), width,
                                   5 * period + 2000));
    }
    // Random views around seahorse valley, 1e-14 to 1e-40 wide.
    std::mt19937_64 rng(20261130);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    for (int k = 0; k < 6; ++k) {
        const int depth = 14 + 5 * k;
        char re[64];
        char im[64];
        char width[32];
        std::snprintf(re, sizeof re, "%.17f", -0.7436438870371587 + 1e-9 * unit(rng));
        std::snprintf(im, sizeof im, "%.17f", 0.1318259042053119 + 1e-9 * unit(rng));
        std::snprintf(width, sizeof width, "%.3fe-%d", 1.5 + unit(rng), depth);
        views.push_back(mandelbrot(std::string("seahorse ") + width, re, im, width, 4000));
    }
    std::size_t compared = 0;
    for (const View& v : views) compared += expect_identical(v);
    EXPECT_GT(compared, views.size() * 67 * 41 - 1);
}

TEST(DeepSimd, JuliaViewsAreBitIdenticalToTheScalarKernel) {
    std::vector<View> views;
    struct C {
        const char* re;
        const char* im;
    };
    for (const C c : {C{"-0.835", "-0.2321"}, C{"0", "1"}, C{"-0.12", "0.75"}}) {
        const auto point = deep_test::julia_point(c.re, c.im, 2, 400, 777, 450, 120);
        for (const char* width : {"1e-15", "1e-40", "1e-100"}) {
            View v{std::string("julia c=") + c.re + "+" + c.im + "i " + width,
                   DeepView{point.first.substr(0, 120), point.second.substr(0, 120), width, 53,
                            29},
                   {}};
            v.params.family = Family::julia;
            v.params.c_re = c.re;
            v.params.c_im = c.im;
            v.params.itermax = 3000;
            views.push_back(v);
        }
    }
    // A view whose centre is below the double-mode range: every pixel on the critical orbit.
    View tiny{"julia centred at 1e-200", DeepView{"1e-200", "-3e-201", "1e-205", 31, 17}, {}};
    tiny.params.family = Family::julia;
    tiny.params.c_re = "-0.12";
    tiny.params.c_im = "0.75";
    tiny.params.itermax = 2000;
    views.push_back(tiny);
    for (const View& v : views) expect_identical(v);
}

}  // namespace
