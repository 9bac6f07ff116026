#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "juliaset/fields.hpp"
#include "juliaset/render.hpp"

namespace {

using namespace juliaset;

TEST(Render, EveryThreadCountAndTaskSizeGivesTheOracleCounts) {
    const PixelGrid grid(Region{-0.1, 0.1, -0.1, 0.1}, 301);
    const JuliaParams params{-0.835, -0.2321, 2.0, 20, 100};
    std::vector<std::uint32_t> expected(grid.pixel_count());
    escape_counts(grid, params, grid.full_window(), expected, Kernel::scalar);
    for (const unsigned threads : {1u, 2u, 3u, 8u}) {
        for (const std::size_t rows : {0u, 1u, 5u, 300u, 1000u}) {
            std::vector<std::uint32_t> counts(grid.pixel_count());
            render_counts(grid, params, grid.full_window(), counts,
                          RenderOptions{threads, Kernel::automatic, rows, nullptr});
            ASSERT_EQ(counts, expected) << threads << " threads, " << rows << " rows per task";
        }
    }
}

TEST(Render, GrayAndValuesAgreeWithTheCounts) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 150);
    const JuliaParams params{-0.835, -0.2321, 2.0, 5, 80};
    const PixelWindow window{10, 7, 120, 60};
    std::vector<std::uint32_t> counts(window.size());
    std::vector<double> values(window.size());
    std::vector<std::uint8_t> gray(window.size());
    render_counts(grid, params, window, counts);
    render_values(grid, params, window, values);
    render_gray(grid, params, window, gray);
    for (std::size_t p = 0; p < window.size(); ++p) {
        ASSERT_EQ(values[p], normalized_value(counts[p], 5, 80));
        ASSERT_EQ(gray[p], gray_level(counts[p], 5, 80));
    }
}

TEST(Render, CountsToGrayTableEqualsDirectMapping) {
    std::vector<std::uint32_t> counts;
    for (std::uint32_t k = 0; k <= 1000; ++k) counts.insert(counts.end(), 5, k);
    for (const std::uint32_t itermax : {1000u, 5000u}) {
        std::vector<std::uint8_t> gray(counts.size());
        counts_to_gray(counts, 3, itermax, gray);
        for (std::size_t p = 0; p < counts.size(); ++p) {
            ASSERT_EQ(gray[p], gray_level(counts[p], 3, itermax)) << p;
        }
    }
}

// itermax <= 255 takes the byte-permute path on AVX3_DL CPUs: every target must give the
// gray_level of each count, over whole 64-pixel steps and ragged tails.
TEST(Render, CountsToGrayMatchesGrayLevelOnEveryTarget) {
    std::mt19937 rng(7);
    for (const std::string& target : juliaset::available_simd_targets()) {
        juliaset::force_simd_target(target);
        for (const std::uint32_t itermax : {1u, 2u, 100u, 127u, 128u, 200u, 255u}) {
            const std::uint32_t itermin = itermax / 3;
            std::uniform_int_distribution<std::uint32_t> count(0, itermax);
            for (const std::size_t n : {std::size_t{4} * itermax + 64, std::size_t{16384 + 37}}) {
                std::vector<std::uint32_t> counts(n);
                for (auto& c : counts) c = count(rng);
                std::vector<std::uint8_t> gray(n);
                counts_to_gray(counts, itermin, itermax, gray);
                for (std::size_t p = 0; p < n; ++p) {
                    ASSERT_EQ(gray[p], gray_level(counts[p], itermin, itermax))
                        << target << " itermax " << itermax << " pixel " << p;
                }
            }
        }
    }
    juliaset::force_simd_target("");
}

TEST(Render, RaisedCancelFlagStopsTheRender) {
    const PixelGrid grid(Region{-0.1, 0.1, -0.1, 0.1}, 200);
    std::vector<std::uint32_t> counts(grid.pixel_count());
    std::atomic<bool> cancel{true};
    EXPECT_THROW(render_counts(grid, {}, grid.full_window(), counts,
                               RenderOptions{2, Kernel::automatic, 0, &cancel}),
                 Cancelled);
}

TEST(ParallelFor, RunsEveryTaskOnceAndRethrowsTheFirstError) {
    std::vector<std::atomic<int>> runs(1000);
    parallel_for(runs.size(), 3, [&](std::size_t i) { runs[i].fetch_add(1); });
    for (const auto& r : runs) ASSERT_EQ(r.load(), 1);

    EXPECT_THROW(parallel_for(100, 2,
                              [](std::size_t i) {
                                  if (i == 37) throw std::runtime_error("task 37 failed");
                              }),
                 std::runtime_error);
    parallel_for(0, 4, [](std::size_t) { FAIL() << "no task expected"; });
}

TEST(Render, ValidatesBeforeWorking) {
    const PixelGrid grid(Region{-1, 1, -1, 1}, 10);
    std::vector<std::uint8_t> gray(99);
    EXPECT_THROW(render_gray(grid, {}, grid.full_window(), gray), std::invalid_argument);
    JuliaParams bad;
    bad.itermin = bad.itermax;
    std::vector<std::uint8_t> ok(100);
    EXPECT_THROW(render_gray(grid, bad, grid.full_window(), ok), std::invalid_argument);
}

}  // namespace

namespace {

using namespace juliaset;

// A render whose single task would take minutes stops within a fraction of a second of the
// flag, because the kernels poll it between tiles (and the scalar loops between pixels).
TEST(Render, CancelIsPromptEvenInsideOneLongTask) {
    const PixelGrid grid(Region{-0.5, 0.5, -0.5, 0.5}, 64);  // inside the c = 0 disk
    const JuliaParams params{0, 0, 2.0, 0, 4'000'000'000u};
    for (const Kernel kernel : {Kernel::automatic, Kernel::scalar}) {
        std::vector<std::uint32_t> counts(grid.pixel_count());
        std::atomic<bool> cancel{false};
        std::thread stopper([&cancel] {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
            cancel = true;
        });
        const auto start = std::chrono::steady_clock::now();
        EXPECT_THROW(render_counts(grid, params, grid.full_window(), counts,
                                   RenderOptions{1, kernel, 64, &cancel}),
                     Cancelled);
        stopper.join();
        EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
    }
    std::vector<double> smooth(grid.pixel_count());
    std::atomic<bool> cancel{false};
    std::thread stopper([&cancel] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        cancel = true;
    });
    EXPECT_THROW(render_fields(grid, params, grid.full_window(), {.smooth = smooth},
                               RenderOptions{1, Kernel::automatic, 0, &cancel}),
                 Cancelled);
    stopper.join();
}

}  // namespace
