#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "juliaset/juliaset.hpp"

namespace {

using namespace juliaset;

std::vector<std::uint32_t> counts_of(const PixelGrid& grid, const JuliaParams& params,
                                     Kernel kernel) {
    std::vector<std::uint32_t> out(grid.pixel_count());
    escape_counts(grid, params, grid.full_window(), out, kernel);
    return out;
}

struct ForcedTarget {
    explicit ForcedTarget(const std::string& name) { force_simd_target(name); }
    ~ForcedTarget() { force_simd_target(""); }
};

JuliaParams mandelbrot(std::uint32_t itermax, std::uint32_t power = 2) {
    JuliaParams params;
    params.family = Family::mandelbrot;
    params.itermin = 0;
    params.itermax = itermax;
    params.power = power;
    return params;
}

TEST(Mandelbrot, EverySimdTargetEqualsTheOracle) {
    const PixelGrid grid(Region{-2.1, 0.9, -1.2, 1.2}, 203);
    const JuliaParams params = mandelbrot(150);
    const auto expected = counts_of(grid, params, Kernel::scalar);
    for (const std::string& target : available_simd_targets()) {
        const ForcedTarget forced(target);
        EXPECT_EQ(counts_of(grid, params, Kernel::automatic), expected) << target;
    }
    // The oracle with z0 = 0 and c = the sample point.
    const double t2 = params.threshold * params.threshold;
    for (std::size_t j = 0; j < grid.height(); j += 13) {
        for (std::size_t i = 0; i < grid.width(); i += 7) {
            ASSERT_EQ(expected[j * grid.width() + i],
                      escape_count(0, 0, grid.x(i), grid.y(j), t2, params.itermax));
        }
    }
}

TEST(Mandelbrot, KnownInteriorPointsNeverEscape) {
    // Main cardioid (|1 - sqrt(1 - 4c)| < 1): 0, -0.5, 0.2 - 0.1i, -0.25 + 0.2i; period-2 bulb
    // (|c + 1| < 1/4): -1, -1.1 + 0.1i; period-3 bulb around -0.122 + 0.745i.
    const std::complex<double> inside[] = {{0, 0}, {-0.5, 0}, {0.2, -0.1}, {-0.25, 0.2},
                                           {-1, 0}, {-1.1, 0.1}, {-0.122, 0.745}};
    const JuliaParams params = mandelbrot(2000);
    std::vector<std::uint32_t> counts(std::size(inside));
    std::vector<std::uint8_t> interior(std::size(inside));
    render_fields_at(inside, params, FieldBuffers{.counts = counts, .interior = interior});
    for (std::size_t i = 0; i < counts.size(); ++i) {
        EXPECT_EQ(counts[i], 2000u) << inside[i];
        EXPECT_EQ(interior[i], 1) << inside[i];
    }
}

TEST(Power, TwoIsTheSeedArithmetic) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 120);
    JuliaParams params{-0.835, -0.2321, 2.0, 5, 80};
    const auto exact = counts_of(grid, params, Kernel::automatic);
    params.power = 2;
    EXPECT_EQ(counts_of(grid, params, Kernel::scalar), exact);
}

// f(w z) = f(z) when w^d = 1, so the Julia set of z^d + c has d-fold rotational symmetry.
// Rotated samples are rounded, so a few boundary points may differ.
TEST(Power, JuliaSetsHaveRotationalSymmetry) {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    for (const std::uint32_t power : {3u, 4u, 5u, 8u}) {
        JuliaParams params{0.3 * unit(rng), 0.3 * unit(rng), 2.0, 0, 60};
        params.power = power;
        std::vector<std::complex<double>> points, rotated;
        const std::complex<double> w = std::polar(1.0, 2.0 * std::numbers::pi / power);
        for (int n = 0; n < 4000; ++n) {
            points.emplace_back(1.3 * unit(rng), 1.3 * unit(rng));
            rotated.push_back(points.back() * w);
        }
        std::vector<std::uint32_t> a(points.size()), b(points.size());
        render_fields_at(points, params, FieldBuffers{.counts = a});
        render_fields_at(rotated, params, FieldBuffers{.counts = b});
        std::size_t differing = 0;
        for (std::size_t i = 0; i < a.size(); ++i) differing += a[i] != b[i];
        EXPECT_LT(differing, a.size() / 100) << "power " << power;
    }
}

TEST(Power, ZeroCGivesTheUnitDiskForEveryPower) {
    for (const std::uint32_t power : {2u, 3u, 7u, 16u}) {
        const double t2 = 4.0;
        EXPECT_EQ(escape_count(0.9, 0.3, 0, 0, t2, 100, power), 100u) << power;
        EXPECT_LT(escape_count(1.05, 0.0, 0, 0, t2, 100, power), 100u) << power;
    }
    JuliaParams params;
    params.power = 17;
    EXPECT_THROW(params.validate(), std::invalid_argument);
    params.power = 1;
    EXPECT_THROW(params.validate(), std::invalid_argument);
}

TEST(Power, HigherPowersUseTheOracleLoopForEveryKernel) {
    const PixelGrid grid(Region{-1.5, 1.5, -1.5, 1.5}, 64);
    JuliaParams params = mandelbrot(60, 3);
    EXPECT_EQ(counts_of(grid, params, Kernel::automatic), counts_of(grid, params, Kernel::scalar));
}

TEST(Fields, CountsEqualTheEscapeCounts) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 150);
    const JuliaParams params{-0.835, -0.2321, 2.0, 5, 80};
    std::vector<std::uint32_t> counts(grid.pixel_count());
    std::vector<std::uint8_t> interior(grid.pixel_count());
    render_fields(grid, params, grid.full_window(), {.counts = counts, .interior = interior});
    EXPECT_EQ(counts, counts_of(grid, params, Kernel::scalar));
    for (std::size_t p = 0; p < counts.size(); ++p) {
        ASSERT_EQ(interior[p], counts[p] == 80u ? 1 : 0);
    }
}

TEST(Fields, SmoothCountLiesInItsBandAndIsContinuousAcrossBands) {
    // Along a ray leaving the c = 0 disk, the smooth count decreases continuously even though
    // the integer count jumps.
    JuliaParams params{0, 0, 2.0, 0, 100};
    std::vector<std::complex<double>> ray;
    for (int n = 0; n < 20000; ++n) ray.emplace_back(1.01 + n * 2e-5, 0.0);
    std::vector<std::uint32_t> counts(ray.size());
    std::vector<double> smooth(ray.size());
    render_fields_at(ray, params, {.counts = counts, .smooth = smooth});
    std::size_t band_changes = 0;
    for (std::size_t i = 0; i < ray.size(); ++i) {
        ASSERT_GT(smooth[i], counts[i]);
        ASSERT_LE(smooth[i], counts[i] + 1.0);
        if (i > 0) {
            band_changes += counts[i] != counts[i - 1];
            // Neighbours differ by at most log2(1 + 2e-5 / 0.00995) = 0.003 in smooth count; a
            // formula off by a band would jump by 1 where the integer count changes.
            ASSERT_LT(std::abs(smooth[i] - smooth[i - 1]), 0.01) << ray[i];
        }
    }
    EXPECT_GE(band_changes, 5u);  // the ray really crosses bands
}

TEST(Fields, DistanceEstimateIsPositiveOutsideAndZeroInside) {
    const PixelGrid grid(Region{-2, 2, -2, 2}, 80);
    for (const Family family : {Family::julia, Family::mandelbrot}) {
        JuliaParams params{-0.12, 0.75, 2.0, 0, 200};
        params.family = family;
        std::vector<std::uint32_t> counts(grid.pixel_count());
        std::vector<double> distance(grid.pixel_count()), norm(grid.pixel_count());
        render_fields(grid, params, grid.full_window(),
                      {.counts = counts, .final_norm = norm, .distance = distance});
        std::size_t inside = 0;
        for (std::size_t p = 0; p < counts.size(); ++p) {
            if (counts[p] == 200u) {
                ++inside;
                ASSERT_EQ(distance[p], 0.0);
            } else {
                ASSERT_GT(distance[p], 0.0);
                ASSERT_GT(norm[p], 4.0);
            }
        }
        EXPECT_GT(inside, 0u);
    }
    // For c = 0 the set is the unit disk: the estimate is within a factor of 4 of |z| - 1
    // (Koebe quarter theorem bounds it both ways up to that factor).
    const std::complex<double> outside[] = {{1.1, 0}, {0, 1.5}, {2.5, 0}};
    std::vector<double> distance(3);
    render_fields_at(outside, JuliaParams{0, 0, 2.0, 0, 50}, {.distance = distance});
    for (std::size_t i = 0; i < 3; ++i) {
        const double truth = std::abs(outside[i]) - 1.0;
        EXPECT_GT(distance[i], truth / 4.0) << outside[i];
        EXPECT_LT(distance[i], truth * 4.0) << outside[i];
    }
}

TEST(Fields, RejectBadRequests) {
    const PixelGrid grid(Region{-1, 1, -1, 1}, 4);
    std::vector<std::uint32_t> counts(grid.pixel_count());
    std::vector<double> smooth(grid.pixel_count());
    std::vector<double> short_buffer(3);
    EXPECT_THROW(render_fields(grid, {}, grid.full_window(), {}), std::invalid_argument);
    EXPECT_THROW(render_fields(grid, {}, grid.full_window(), {.smooth = short_buffer}),
                 std::invalid_argument);
    EXPECT_THROW(render_fields(grid, JuliaParams{0, 0, 0.5, 0, 10}, grid.full_window(),
                               {.smooth = smooth}),
                 std::invalid_argument);
    const std::complex<double> bad[] = {{0, 0}, {NAN, 0}};
    std::vector<std::uint32_t> two(2);
    EXPECT_THROW(render_fields_at(bad, {}, {.counts = two}), std::invalid_argument);
}

}  // namespace
