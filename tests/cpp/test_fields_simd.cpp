// The SIMD fields kernel (src/fields_simd.cpp) against the scalar per-pixel loop of
// src/fields.cpp (RenderOptions::kernel = Kernel::scalar), bit for bit, on every SIMD target
// this CPU runs.
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstdint>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "juliaset/escape.hpp"
#include "juliaset/fields.hpp"
#include "juliaset/grid.hpp"
#include "juliaset/render.hpp"

namespace {

using juliaset::Family;
using juliaset::FieldBuffers;
using juliaset::JuliaParams;
using juliaset::Kernel;
using juliaset::PixelGrid;
using juliaset::PixelWindow;
using juliaset::Region;
using juliaset::RenderOptions;

// Restores automatic target selection even when an assertion fails mid-test.
struct ForcedTarget {
    explicit ForcedTarget(const std::string& name) { juliaset::force_simd_target(name); }
    ~ForcedTarget() { juliaset::force_simd_target(""); }
};

struct Fields {
    std::vector<std::uint32_t> counts;
    std::vector<double> smooth;
    std::vector<double> final_norm;
    std::vector<std::uint8_t> interior;
    std::vector<double> distance;
};

// Every field, smooth only where it is defined (threshold > 1), the distance (which makes the
// kernel carry the derivative) on request.
Fields fields_of(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                 RenderOptions options, bool distance) {
    const bool smooth = params.threshold > 1.0;
    Fields f{std::vector<std::uint32_t>(window.size()),
             std::vector<double>(smooth ? window.size() : 0),
             std::vector<double>(window.size()), std::vector<std::uint8_t>(window.size()),
             std::vector<double>(distance ? window.size() : 0)};
    juliaset::render_fields(grid, params, window,
                            FieldBuffers{.counts = f.counts, .smooth = f.smooth,
                                         .final_norm = f.final_norm, .interior = f.interior,
                                         .distance = f.distance},
                            options);
    return f;
}

Fields scalar_fields(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                     bool distance = true) {
    RenderOptions options;
    options.kernel = Kernel::scalar;
    return fields_of(grid, params, window, options, distance);
}

// Bit patterns, so that NaN equals the same NaN and 0.0 differs from -0.0.
std::vector<std::uint64_t> bits_of(const std::vector<double>& values) {
    std::vector<std::uint64_t> bits(values.size());
    for (std::size_t i = 0; i < values.size(); ++i) bits[i] = std::bit_cast<std::uint64_t>(values[i]);
    return bits;
}

// The first pixel where two renders differ, described, or "" when they are equal.
std::string first_difference(const Fields& expected, const Fields& actual) {
    for (std::size_t p = 0; p < expected.counts.size(); ++p) {
        if (expected.counts[p] != actual.counts[p] ||
            std::bit_cast<std::uint64_t>(expected.final_norm[p]) !=
                std::bit_cast<std::uint64_t>(actual.final_norm[p]) ||
            expected.interior[p] != actual.interior[p] ||
            (!expected.smooth.empty() && std::bit_cast<std::uint64_t>(expected.smooth[p]) !=
                                             std::bit_cast<std::uint64_t>(actual.smooth[p]))) {
            return "pixel " + std::to_string(p) + ": count " + std::to_string(expected.counts[p]) +
                   " vs " + std::to_string(actual.counts[p]) + ", final |z|^2 " +
                   std::to_string(expected.final_norm[p]) + " vs " +
                   std::to_string(actual.final_norm[p]);
        }
    }
    return "";
}

// Without the distance (the kernel without the derivative: the smooth colouring's path) and
// with it, every field of every target equals the scalar loop's.
void expect_every_target_equals(const PixelGrid& grid, const JuliaParams& params,
                                const PixelWindow& window, const std::string& what,
                                RenderOptions options = {}) {
    const Fields expected = scalar_fields(grid, params, window);
    const std::vector<std::string> targets = juliaset::available_simd_targets();
    ASSERT_FALSE(targets.empty());
    for (const std::string& target : targets) {
        const ForcedTarget forced(target);
        for (const bool distance : {false, true}) {
            const Fields actual = fields_of(grid, params, window, options, distance);
            const std::string where =
                what + " on " + target + (distance ? " with the distance" : "") + ": ";
            ASSERT_EQ(actual.counts, expected.counts)
                << where << first_difference(expected, actual);
            ASSERT_EQ(bits_of(actual.final_norm), bits_of(expected.final_norm))
                << where << first_difference(expected, actual);
            ASSERT_EQ(bits_of(actual.smooth), bits_of(expected.smooth)) << where;
            ASSERT_EQ(actual.interior, expected.interior) << where;
            if (distance) {
                ASSERT_EQ(bits_of(actual.distance), bits_of(expected.distance)) << where;
            }
        }
    }
}

// The seed's three golden views, and the smooth count the colour images take from them.
TEST(FieldsSimd, EveryTargetEqualsTheScalarFieldsOnTheGoldenViews) {
    const JuliaParams overview{-0.835, -0.2321, 2.0, 0, 80};
    const PixelGrid overview_grid(Region{-1.6, 1.6, -1, 1}, 1000);
    expect_every_target_equals(overview_grid, overview, overview_grid.full_window(), "overview");
    const JuliaParams zoom{-0.835, -0.2321, 2.0, 20, 100};
    const PixelGrid low(Region{-0.1, 0.1, -0.1, 0.1}, 1000);
    expect_every_target_equals(low, zoom, low.full_window(), "zoomlowres");
    // A band through the middle of the 4000 x 4000 zoom, where the boundary is densest.
    const PixelGrid high(Region{-0.1, 0.1, -0.1, 0.1}, 4000);
    expect_every_target_equals(high, zoom, PixelWindow{0, 1990, 4000, 20}, "zoomhighres band");
}

TEST(FieldsSimd, EveryTargetEqualsTheScalarFieldsOnMandelbrotViews) {
    JuliaParams whole{0, 0, 2.0, 0, 200};
    whole.family = Family::mandelbrot;
    const PixelGrid whole_grid(Region{-2, 1, -1, 1}, 301);
    expect_every_target_equals(whole_grid, whole, whole_grid.full_window(), "whole set");
    // Seahorse valley (the CLI's --help example), where orbits run long near the boundary.
    JuliaParams seahorse{0, 0, 2.0, 0, 1500};
    seahorse.family = Family::mandelbrot;
    const PixelGrid seahorse_grid(Region{-0.7485, -0.7425, 0.0985, 0.1025}, 240);
    expect_every_target_equals(seahorse_grid, seahorse, seahorse_grid.full_window(), "seahorse");
}

// Random parameters over a wide range: both families, every power, thresholds from below 1
// (no smooth field) to huge ones whose orbits overflow to inf and NaN before they escape, odd
// window shapes and offsets for partial tiles, and thread and band sizes.
TEST(FieldsSimd, EveryTargetEqualsTheScalarFieldsOnRandomParameters) {
    std::mt19937_64 rng(20261130);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::uniform_int_distribution<int> size(1, 37);
    std::uniform_int_distribution<std::uint32_t> power(juliaset::min_power, juliaset::max_power);
    for (int trial = 0; trial < 80; ++trial) {
        const double centre_x = unit(rng), centre_y = unit(rng);
        const double half = std::pow(10.0, -3.0 * std::abs(unit(rng)));
        const bool reversed = trial % 3 == 0;
        const Region region{reversed ? centre_x + half : centre_x - half,
                            reversed ? centre_x - half : centre_x + half, centre_y - half,
                            centre_y + half};
        const PixelGrid grid(region, static_cast<std::size_t>(size(rng) + 20));
        JuliaParams params{unit(rng) * 1.2, unit(rng) * 1.2, 0.5 + 3.0 * std::abs(unit(rng)), 0,
                           static_cast<std::uint32_t>(1 + size(rng) * 7)};
        if (trial % 2 == 1) params.family = Family::mandelbrot;
        if (trial % 4 >= 2) params.power = power(rng);
        if (trial % 10 == 9) params.threshold = 1e150;  // overflow before escape
        const std::size_t x0 = static_cast<std::size_t>(size(rng)) % grid.width();
        const std::size_t y0 = static_cast<std::size_t>(size(rng)) % grid.height();
        const PixelWindow window{x0, y0, grid.width() - x0, grid.height() - y0};
        RenderOptions options;
        options.threads = 1 + static_cast<unsigned>(trial % 3);
        options.rows_per_task = static_cast<std::size_t>(trial % 5);  // 0: the default
        expect_every_target_equals(grid, params, window, "trial " + std::to_string(trial),
                                   options);
    }
}

// Arbitrary points (render_fields_at) take the kernel too, a tile of consecutive points at a
// time: random points of both families and every power, more than one chunk of 4096 and a
// count that leaves a partial tile, on every target, with and without the distance.
TEST(FieldsSimd, EveryTargetEqualsTheScalarFieldsAtPoints) {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::vector<std::complex<double>> points(9001);
    for (std::size_t i = 0; i < points.size(); ++i) {
        // Near the seed's Julia set and the Mandelbrot set's boundary, at several scales.
        const double scale = std::pow(10.0, -4.0 * std::abs(unit(rng)));
        points[i] = {-0.4 + 1.2 * unit(rng) * scale, 0.6 * unit(rng) * scale};
    }
    const auto fields_at = [&](const JuliaParams& params, Kernel kernel, bool distance) {
        Fields f{std::vector<std::uint32_t>(points.size()), std::vector<double>(points.size()),
                 std::vector<double>(points.size()), std::vector<std::uint8_t>(points.size()),
                 std::vector<double>(distance ? points.size() : 0)};
        RenderOptions options;
        options.kernel = kernel;
        juliaset::render_fields_at(points, params,
                                   FieldBuffers{.counts = f.counts, .smooth = f.smooth,
                                                .final_norm = f.final_norm,
                                                .interior = f.interior, .distance = f.distance},
                                   options);
        return f;
    };
    for (const std::uint32_t power : {2u, 3u, 7u}) {
        for (const Family family : {Family::julia, Family::mandelbrot}) {
            JuliaParams params{-0.835, -0.2321, 2.0, 0, 300};
            params.power = power;
            params.family = family;
            const Fields expected = fields_at(params, Kernel::scalar, true);
            for (const std::string& target : juliaset::available_simd_targets()) {
                const ForcedTarget forced(target);
                for (const bool distance : {false, true}) {
                    const Fields actual = fields_at(params, Kernel::automatic, distance);
                    const std::string where = "power " + std::to_string(power) + " " +
                                              (family == Family::julia ? "Julia" : "Mandelbrot") +
                                              " on " + target + ": ";
                    ASSERT_EQ(actual.counts, expected.counts)
                        << where << first_difference(expected, actual);
                    ASSERT_EQ(bits_of(actual.final_norm), bits_of(expected.final_norm)) << where;
                    ASSERT_EQ(bits_of(actual.smooth), bits_of(expected.smooth)) << where;
                    ASSERT_EQ(actual.interior, expected.interior) << where;
                    if (distance) {
                        ASSERT_EQ(bits_of(actual.distance), bits_of(expected.distance)) << where;
                    }
                }
            }
        }
    }
}

// A window wider than one piece of the kernel's work (16384 columns) is cut into column
// pieces, and one taller than a piece into row pieces: both reassemble to the scalar fields.
TEST(FieldsSimd, EveryTargetEqualsTheScalarFieldsInWideAndTallWindows) {
    const JuliaParams params{-0.835, -0.2321, 2.0, 0, 60};
    const PixelGrid wide(Region{-1.6, 1.6, -0.0008, 0.0008}, 40000);
    ASSERT_GE(wide.height(), 7u);
    expect_every_target_equals(wide, params, PixelWindow{3, 1, 39990, 6}, "wide window");
    const PixelGrid tall(Region{-0.0002, 0.0002, -1, 1}, 7);
    ASSERT_GT(tall.height(), 65536u / 7);
    expect_every_target_equals(tall, params, tall.full_window(), "tall window");
}

// Long orbits, with a cancel flag that is never raised (the kernel's polling path, every
// cancel_poll_interval steps), counts up to itermax and beyond 2^16 steps.
TEST(FieldsSimd, EveryTargetEqualsTheScalarFieldsOnLongOrbits) {
    const PixelGrid grid(Region{-0.05, 0.05, 0.55, 0.65}, 13);
    const JuliaParams params{-0.123, 0.745, 2.0, 0, 70'000};
    const std::atomic<bool> never_cancelled{false};
    RenderOptions options;
    options.cancel = &never_cancelled;
    const Fields expected = scalar_fields(grid, params, grid.full_window());
    std::size_t long_orbits = 0, inside = 0;
    for (const std::uint32_t count : expected.counts) {
        long_orbits += count > 255 && count < params.itermax;
        inside += count == params.itermax;
    }
    ASSERT_GT(inside, 0u);
    ASSERT_GT(long_orbits + inside, 10u);
    expect_every_target_equals(grid, params, grid.full_window(), "long orbits", options);
}

// Orbits that overflow before they pass a huge threshold: |z|^2 = inf escapes (smooth -inf),
// NaN never does (interior, final |z|^2 NaN), in the oracle and in every lane alike.
TEST(FieldsSimd, EveryTargetEqualsTheScalarFieldsOnOverflowingOrbits) {
    const PixelGrid grid(Region{-3, 3, -3, 3}, 61);
    for (const std::uint32_t power : {2u, 5u, 16u}) {
        JuliaParams params{0.3, -0.1, 1e150, 0, 60};
        params.power = power;
        const Fields expected = scalar_fields(grid, params, grid.full_window());
        std::size_t infinite = 0, nan = 0;
        for (const double norm : expected.final_norm) {
            infinite += std::isinf(norm);
            nan += std::isnan(norm);
        }
        ASSERT_GT(infinite + nan, 0u) << "power " << power;
        expect_every_target_equals(grid, params, grid.full_window(),
                                   "overflow, power " + std::to_string(power));
    }
}

// Each field alone, and any mix, comes out as in the full request (the kernel writes counts
// and norms into the caller's buffers or into its own).
TEST(FieldsSimd, EachFieldAloneEqualsTheFullRequest) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 97);
    const JuliaParams params{-0.835, -0.2321, 2.0, 0, 80};
    const Fields all = fields_of(grid, params, grid.full_window(), {}, true);
    std::vector<double> smooth(grid.pixel_count());
    juliaset::render_fields(grid, params, grid.full_window(), {.smooth = smooth});
    EXPECT_EQ(bits_of(smooth), bits_of(all.smooth));
    std::vector<std::uint8_t> interior(grid.pixel_count());
    juliaset::render_fields(grid, params, grid.full_window(), {.interior = interior});
    EXPECT_EQ(interior, all.interior);
    std::vector<double> norms(grid.pixel_count());
    juliaset::render_fields(grid, params, grid.full_window(), {.final_norm = norms});
    EXPECT_EQ(bits_of(norms), bits_of(all.final_norm));
    // The counts are those of the escape-count kernels too.
    std::vector<double> distance(grid.pixel_count());
    juliaset::render_fields(grid, params, grid.full_window(), {.distance = distance});
    EXPECT_EQ(bits_of(distance), bits_of(all.distance));
    std::vector<std::uint32_t> counts(grid.pixel_count());
    juliaset::render_counts(grid, params, grid.full_window(), counts);
    EXPECT_EQ(counts, all.counts);
}

TEST(FieldsSimd, RaisedCancelFlagStopsTheRender) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 64);
    const std::atomic<bool> cancelled{true};
    RenderOptions options;
    options.cancel = &cancelled;
    std::vector<double> smooth(grid.pixel_count());
    EXPECT_THROW(juliaset::render_fields(grid, JuliaParams{}, grid.full_window(),
                                         {.smooth = smooth}, options),
                 juliaset::Cancelled);
}

// A tile of orbits that never escape, at itermax 4e9, would take minutes: the kernel polls the
// flag between blocks of steps, with and without the derivative.
TEST(FieldsSimd, CancelStopsTheKernelInsideALongTile) {
    const PixelGrid grid(Region{-0.5, 0.5, -0.5, 0.5}, 16);  // inside the c = 0 disk
    const JuliaParams params{0, 0, 2.0, 0, 4'000'000'000u};
    for (const bool distance : {false, true}) {
        std::vector<double> field(grid.pixel_count());
        std::atomic<bool> cancel{false};
        std::thread stopper([&cancel] {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            cancel = true;
        });
        RenderOptions options;
        options.threads = 1;
        options.cancel = &cancel;
        EXPECT_THROW(juliaset::render_fields(grid, params, grid.full_window(),
                                             distance ? FieldBuffers{.distance = field}
                                                      : FieldBuffers{.smooth = field},
                                             options),
                     juliaset::Cancelled);
        stopper.join();
    }
}

}  // namespace
