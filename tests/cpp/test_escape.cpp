#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "juliaset/escape.hpp"
#include "juliaset/grid.hpp"
#include "juliaset/render.hpp"

namespace {

using juliaset::escape_count;
using juliaset::escape_counts;
using juliaset::JuliaParams;
using juliaset::Kernel;
using juliaset::PixelGrid;
using juliaset::PixelWindow;
using juliaset::Region;

std::vector<std::uint32_t> counts_of(const PixelGrid& grid, const JuliaParams& params,
                                     const PixelWindow& window, Kernel kernel) {
    std::vector<std::uint32_t> out(window.size());
    escape_counts(grid, params, window, out, kernel);
    return out;
}

// Restores automatic target selection even when an assertion fails mid-test.
struct ForcedTarget {
    explicit ForcedTarget(const std::string& name) { juliaset::force_simd_target(name); }
    ~ForcedTarget() { juliaset::force_simd_target(""); }
};

TEST(EscapeCount, CountsTheFirstIterateStrictlyOutsideTheThreshold) {
    // z1 = 9 is outside at once.
    EXPECT_EQ(escape_count(3, 0, 0, 0, 4, 50), 0u);
    // c = 2, z0 = 0: z1 = 2 lies exactly on the circle (not outside), z2 = 6 is outside.
    EXPECT_EQ(escape_count(0, 0, 2, 0, 4, 50), 1u);
    // The unit circle is invariant for c = 0.
    EXPECT_EQ(escape_count(1, 0, 0, 0, 4, 50), 50u);
    EXPECT_EQ(escape_count(0, 1, 0, 0, 4, 50), 50u);
    // The count stops at itermax even for points that would escape later.
    EXPECT_EQ(escape_count(1.0001, 0, 0, 0, 4, 5), 5u);
    // |z_n| = 1.0001^(2^n) first exceeds 2 at n = 13 (2^13 > ln 2 / ln 1.0001 = 6931.8);
    // z_13 is the 13th iterate, whose 0-based index is 12.
    EXPECT_EQ(escape_count(1.0001, 0, 0, 0, 4, 50), 12u);
    // itermax = 0 tests nothing.
    EXPECT_EQ(escape_count(100, 0, 0, 0, 4, 0), 0u);
}

TEST(EscapeCount, ZeroCGivesTheUnitDisk) {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> coordinate(-1.5, 1.5);
    for (int n = 0; n < 20000; ++n) {
        const double re = coordinate(rng), im = coordinate(rng);
        const double modulus = std::hypot(re, im);
        if (std::abs(modulus - 1.0) < 0.01) continue;  // near the circle escape is slow
        const bool inside = escape_count(re, im, 0, 0, 4, 60) == 60;
        EXPECT_EQ(inside, modulus < 1.0) << re << " " << im;
    }
}

TEST(EscapeCount, NonFiniteOrbitsNeverCountAsEscapedPastTheThreshold) {
    // threshold^2 = inf: nothing is ever strictly above it, even once z overflows to inf/NaN.
    EXPECT_EQ(escape_count(1e200, 1e200, 0, 0, INFINITY, 30), 30u);
}

TEST(JuliaParams, ValidationNamesTheField) {
    const auto message = [](JuliaParams params) {
        try {
            params.validate();
        } catch (const std::invalid_argument& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    JuliaParams params;
    EXPECT_EQ(message(params), "no error");
    params.itermin = 80;
    EXPECT_NE(message(params).find("itermin (80) must be smaller than itermax (80)"),
              std::string::npos);
    params = {};
    params.threshold = 0;
    EXPECT_NE(message(params).find("threshold"), std::string::npos);
    params.threshold = -1;
    EXPECT_NE(message(params).find("threshold"), std::string::npos);
    params.threshold = NAN;
    EXPECT_NE(message(params).find("threshold"), std::string::npos);
    params.threshold = 1e200;
    EXPECT_NE(message(params).find("square overflows"), std::string::npos);
    params = {};
    params.c_re = NAN;
    EXPECT_NE(message(params).find("real part of c"), std::string::npos);
    params = {};
    params.c_im = INFINITY;
    EXPECT_NE(message(params).find("imaginary part of c"), std::string::npos);
}

TEST(EscapeCounts, RejectsWrongBufferSizeAndOutsideWindows) {
    const PixelGrid grid(Region{-1, 1, -1, 1}, 16);
    std::vector<std::uint32_t> out(15);
    EXPECT_THROW(escape_counts(grid, {}, {0, 0, 4, 4}, out), std::invalid_argument);
    EXPECT_THROW(escape_counts(grid, {}, {14, 0, 4, 4}, out), std::out_of_range);
}

// Every compiled SIMD target must reproduce the scalar oracle bit for bit. Random parameters
// over a wide range, odd window shapes and offsets exercise partial tiles.
TEST(EscapeCounts, EverySimdTargetEqualsTheScalarOracle) {
    const std::vector<std::string> targets = juliaset::available_simd_targets();
    ASSERT_FALSE(targets.empty());
    std::mt19937_64 rng(2024);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::uniform_int_distribution<int> size(1, 37);
    for (int trial = 0; trial < 60; ++trial) {
        const double cx = unit(rng) * 1.2, cy = unit(rng) * 1.2;
        const double centre_x = unit(rng), centre_y = unit(rng);
        const double half = std::pow(10.0, -3.0 * std::abs(unit(rng)));
        const bool reversed = trial % 3 == 0;
        const Region region{reversed ? centre_x + half : centre_x - half,
                            reversed ? centre_x - half : centre_x + half, centre_y - half,
                            centre_y + half};
        const PixelGrid grid(region, static_cast<std::size_t>(size(rng) + 20));
        JuliaParams params{cx, cy, 0.5 + 3.0 * std::abs(unit(rng)), 0,
                           static_cast<std::uint32_t>(1 + size(rng) * 7)};
        const std::size_t x0 = static_cast<std::size_t>(size(rng)) % grid.width();
        const std::size_t y0 = static_cast<std::size_t>(size(rng)) % grid.height();
        const PixelWindow window{x0, y0, grid.width() - x0, grid.height() - y0};
        const auto expected = counts_of(grid, params, window, Kernel::scalar);
        for (const std::string& target : targets) {
            const ForcedTarget forced(target);
            ASSERT_EQ(counts_of(grid, params, window, Kernel::automatic), expected)
                << "target " << target << " trial " << trial;
        }
    }
}

TEST(EscapeCounts, EverySimdTargetEqualsTheOracleOnTheHeadlineZoom) {
    const PixelGrid grid(Region{-0.1, 0.1, -0.1, 0.1}, 4000);
    const JuliaParams params{-0.835, -0.2321, 2.0, 20, 100};
    // A band through the middle of the headline image, where the set's boundary is densest.
    const PixelWindow window{0, 1990, 4000, 20};
    const auto expected = counts_of(grid, params, window, Kernel::scalar);
    for (const std::string& target : juliaset::available_simd_targets()) {
        const ForcedTarget forced(target);
        EXPECT_EQ(counts_of(grid, params, window, Kernel::automatic), expected) << target;
    }
}

// Long orbits: the AVX3_DL kernel folds its step masks into counts every 64 steps, and every
// kernel polls a cancel flag (when one is given) every cancel_poll_interval steps. Counts far
// above both, near the set's boundary where they vary most, must still equal the oracle's.
TEST(EscapeCounts, EverySimdTargetEqualsTheOracleOnLongOrbits) {
    // A small window on the boundary of the Douady rabbit: counts from 0 up to itermax.
    const PixelGrid grid(Region{-0.05, 0.05, 0.55, 0.65}, 13);
    const JuliaParams params{-0.123, 0.745, 2.0, 0, 70'000};
    const auto expected = counts_of(grid, params, grid.full_window(), Kernel::scalar);
    std::size_t long_orbits = 0, inside = 0;
    for (const std::uint32_t count : expected) {
        long_orbits += count > 255 && count < params.itermax;
        inside += count == params.itermax;
    }
    ASSERT_GT(inside, 0u);
    ASSERT_GT(long_orbits + inside, 10u);
    const std::atomic<bool> never_cancelled{false};
    juliaset::RenderOptions options;
    options.threads = 1;
    options.cancel = &never_cancelled;  // takes the kernels' polling path
    // Single precision has its own kernels (16 lanes, 16-bit masks) and its own scalar loop.
    std::vector<std::uint32_t> expected_single(grid.pixel_count());
    escape_counts(grid, params, grid.full_window(), expected_single, Kernel::scalar,
                  juliaset::Precision::single);
    juliaset::RenderOptions single_options = options;
    single_options.precision = juliaset::Precision::single;
    for (const std::string& target : juliaset::available_simd_targets()) {
        const ForcedTarget forced(target);
        EXPECT_EQ(counts_of(grid, params, grid.full_window(), Kernel::automatic), expected)
            << target;
        std::vector<std::uint32_t> polled(grid.pixel_count());
        juliaset::render_counts(grid, params, grid.full_window(), polled, options);
        EXPECT_EQ(polled, expected) << target << " with a cancel flag";
        std::vector<std::uint32_t> single(grid.pixel_count());
        escape_counts(grid, params, grid.full_window(), single, Kernel::automatic,
                      juliaset::Precision::single);
        EXPECT_EQ(single, expected_single) << target << " in single precision";
        juliaset::render_counts(grid, params, grid.full_window(), single, single_options);
        EXPECT_EQ(single, expected_single) << target << " in single precision with a cancel flag";
    }
}

TEST(EscapeCounts, TilesAssembleIntoTheFullImage) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 203);
    const JuliaParams params{-0.835, -0.2321, 2.0, 5, 80};
    const auto full = counts_of(grid, params, grid.full_window(), Kernel::automatic);
    for (const std::size_t tile : {1u, 3u, 8u, 17u, 64u}) {
        std::vector<std::uint32_t> assembled(grid.pixel_count(), 0xFFFFFFFFu);
        for (std::size_t y0 = 0; y0 < grid.height(); y0 += tile) {
            for (std::size_t x0 = 0; x0 < grid.width(); x0 += tile) {
                const PixelWindow window{x0, y0, std::min(tile, grid.width() - x0),
                                         std::min(tile, grid.height() - y0)};
                const auto counts = counts_of(grid, params, window, Kernel::automatic);
                for (std::size_t j = 0; j < window.height; ++j) {
                    for (std::size_t i = 0; i < window.width; ++i) {
                        assembled[(y0 + j) * grid.width() + x0 + i] = counts[j * window.width + i];
                    }
                }
            }
        }
        EXPECT_EQ(assembled, full) << "tile " << tile;
    }
}

// With power-of-two resolutions every sample is exact, so mirrored grids share their samples.
TEST(EscapeCounts, ReversedBoundsMirrorTheImage) {
    const JuliaParams params{-0.835, -0.2321, 2.0, 0, 80};
    const PixelGrid forward(Region{-1.5, 1.5, -1.5, 1.5}, 64);
    const PixelGrid mirrored(Region{1.5, -1.5, 1.5, -1.5}, 64);
    const auto a = counts_of(forward, params, forward.full_window(), Kernel::automatic);
    const auto b = counts_of(mirrored, params, mirrored.full_window(), Kernel::automatic);
    const std::size_t n = 64;
    // Mirrored column i samples x = 1.5 - 3i/64, which is forward column n - i (for i >= 1).
    for (std::size_t j = 1; j < n; ++j) {
        for (std::size_t i = 1; i < n; ++i) {
            ASSERT_EQ(b[j * n + i], a[(n - j) * n + (n - i)]) << i << "," << j;
        }
    }
}

// f(-z) = f(z), so a point and its negative have the same orbit from the first step on.
TEST(EscapeCounts, JuliaSetIsSymmetricUnderNegation) {
    std::mt19937_64 rng(99);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    for (int trial = 0; trial < 10; ++trial) {
        const JuliaParams params{unit(rng), unit(rng), 2.0, 0, 200};
        const PixelGrid grid(Region{-2, 2, -2, 2}, 128);  // samples -2 + k/32: exact
        const auto c = counts_of(grid, params, grid.full_window(), Kernel::automatic);
        const std::size_t n = 128;
        for (std::size_t j = 1; j < n; ++j) {
            for (std::size_t i = 1; i < n; ++i) {
                ASSERT_EQ(c[j * n + i], c[(n - j) * n + (n - i)]) << i << "," << j;
            }
        }
    }
}

// For real c the set is symmetric under conjugation.
TEST(EscapeCounts, RealCGivesConjugationSymmetry) {
    const JuliaParams params{-0.75, 0.0, 2.0, 0, 150};
    const PixelGrid grid(Region{-2, 2, -2, 2}, 128);
    const auto c = counts_of(grid, params, grid.full_window(), Kernel::automatic);
    const std::size_t n = 128;
    for (std::size_t j = 1; j < n; ++j) {
        for (std::size_t i = 0; i < n; ++i) {
            ASSERT_EQ(c[j * n + i], c[(n - j) * n + i]) << i << "," << j;
        }
    }
}

TEST(EscapeCounts, CountsNeverExceedItermax) {
    const PixelGrid grid(Region{-2, 2, -2, 2}, 97);
    for (const std::uint32_t itermax : {1u, 2u, 7u, 33u, 500u}) {
        const JuliaParams params{-0.12, 0.75, 2.0, 0, itermax};  // the rabbit: has interior
        const auto c = counts_of(grid, params, grid.full_window(), Kernel::automatic);
        std::uint32_t largest = 0;
        for (const auto k : c) largest = std::max(largest, k);
        EXPECT_EQ(largest, itermax);  // the grid contains points of the filled set
    }
}

TEST(GrayLevel, FollowsTheSeedNormalisation) {
    EXPECT_EQ(juliaset::gray_level(0, 20, 100), 0);
    EXPECT_EQ(juliaset::gray_level(20, 20, 100), 0);
    EXPECT_EQ(juliaset::gray_level(21, 20, 100), 3);  // 1/80 * 255 = 3.1875
    EXPECT_EQ(juliaset::gray_level(99, 20, 100), 251);  // 79/80 * 255 = 251.8125
    EXPECT_EQ(juliaset::gray_level(100, 20, 100), 255);
    EXPECT_DOUBLE_EQ(juliaset::normalized_value(60, 20, 100), 0.5);
}

}  // namespace

namespace {

TEST(SinglePrecision, EverySimdTargetEqualsTheSingleScalarLoop) {
    const PixelGrid grid(Region{-0.1, 0.1, -0.1, 0.1}, 333);
    const JuliaParams params{-0.835, -0.2321, 2.0, 20, 100};
    const PixelWindow window = grid.full_window();
    std::vector<std::uint32_t> expected(window.size());
    escape_counts(grid, params, window, expected, Kernel::scalar, juliaset::Precision::single);
    for (const std::string& target : juliaset::available_simd_targets()) {
        const ForcedTarget forced(target);
        std::vector<std::uint32_t> counts(window.size());
        escape_counts(grid, params, window, counts, Kernel::automatic,
                      juliaset::Precision::single);
        EXPECT_EQ(counts, expected) << target;
    }
}

TEST(SinglePrecision, DiffersFromExactOnlyOnAFewPixels) {
    const PixelGrid grid(Region{-0.1, 0.1, -0.1, 0.1}, 400);
    const JuliaParams params{-0.835, -0.2321, 2.0, 20, 100};
    const PixelWindow window = grid.full_window();
    const auto exact = counts_of(grid, params, window, Kernel::automatic);
    std::vector<std::uint32_t> single(window.size());
    escape_counts(grid, params, window, single, Kernel::automatic, juliaset::Precision::single);
    std::size_t differing = 0;
    for (std::size_t p = 0; p < exact.size(); ++p) differing += exact[p] != single[p];
    const double fraction = static_cast<double>(differing) / static_cast<double>(exact.size());
    EXPECT_GT(fraction, 0.0);  // float really is used
    EXPECT_LT(fraction, 0.10);
}

TEST(SinglePrecision, RejectsItermaxBeyondExactFloatCounts) {
    const PixelGrid grid(Region{-1, 1, -1, 1}, 4);
    const JuliaParams params{0, 0, 2.0, 0, juliaset::max_single_precision_itermax + 1};
    std::vector<std::uint32_t> counts(grid.pixel_count());
    EXPECT_THROW(escape_counts(grid, params, grid.full_window(), counts, Kernel::automatic,
                               juliaset::Precision::single),
                 std::invalid_argument);
}

}  // namespace
