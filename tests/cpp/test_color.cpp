#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <utility>
#include <cstdlib>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include "juliaset/juliaset.hpp"

namespace {

using namespace juliaset;

std::vector<std::uint8_t> image_of(const PixelGrid& grid, const JuliaParams& params,
                                   const ImageSpec& spec) {
    std::vector<std::uint8_t> out(grid.pixel_count() * bytes_per_pixel(spec.format));
    HistogramLevels levels;
    if (spec.coloring == Coloring::histogram) levels = histogram_levels(grid, params, spec);
    render_image(grid, params, grid.full_window(), spec, levels, out);
    return out;
}

TEST(Colormap, EndpointsAreTheFirstAndLastSamplesAndReversalSwapsThem) {
    for (const char* name : {"viridis", "magma", "inferno", "plasma", "twilight"}) {
        const Colormap forward = Colormap::named(name);
        const Colormap reversed = Colormap::named(std::string(name) + "_r");
        EXPECT_EQ(forward.at(0.0), reversed.at(1.0)) << name;
        EXPECT_EQ(forward.at(1.0), reversed.at(0.0)) << name;
        EXPECT_EQ(forward.at(-3.0), forward.at(0.0));
        EXPECT_EQ(forward.at(7.0), forward.at(1.0));
        EXPECT_NE(forward.at(0.0), forward.at(1.0)) << name;
    }
    // Published endpoints of viridis: dark purple (0.267004, 0.004874, 0.329415) to yellow
    // (0.993248, 0.906157, 0.143936).
    const Rgb first = Colormap::named("viridis").at(0.0);
    const Rgb last = Colormap::named("viridis").at(1.0);
    EXPECT_NEAR(first.r, 0.267004, 1e-6);
    EXPECT_NEAR(first.b, 0.329415, 1e-6);
    EXPECT_NEAR(last.r, 0.993248, 1e-6);
    EXPECT_NEAR(last.g, 0.906157, 1e-6);
    EXPECT_EQ(Colormap::named("gray").at(0.25), (Rgb{0.25, 0.25, 0.25}));
    EXPECT_EQ(Colormap::named("gray_r").at(0.0), (Rgb{1, 1, 1}));
    EXPECT_EQ(Colormap::named("gray_r").at(1.0), (Rgb{0, 0, 0}));
    EXPECT_THROW(Colormap::named("jet"), std::invalid_argument);
    EXPECT_EQ(Colormap::names().size(), 12u);
}

TEST(RenderImage, Gray8CountColouringIsTheSeedImage) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 200);
    const JuliaParams params{-0.835, -0.2321, 2.0, 5, 80};
    std::vector<std::uint8_t> seed(grid.pixel_count());
    render_gray(grid, params, grid.full_window(), seed);
    EXPECT_EQ(image_of(grid, params, ImageSpec{}), seed);
}

TEST(RenderImage, Gray16KeepsTheSameValuesWithMoreLevels) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 90);
    const JuliaParams params{-0.835, -0.2321, 2.0, 5, 80};
    std::vector<std::uint32_t> counts(grid.pixel_count());
    render_counts(grid, params, grid.full_window(), counts);
    const auto image = image_of(grid, params, ImageSpec{.format = PixelFormat::gray16});
    for (std::size_t p = 0; p < counts.size(); ++p) {
        const unsigned level = image[2 * p] << 8 | image[2 * p + 1];
        ASSERT_EQ(level, static_cast<unsigned>(normalized_value(counts[p], 5, 80) * 65535.0));
    }
}

TEST(RenderImage, RgbWithAColormapLooksUpEachValue) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 64);
    const JuliaParams params{-0.835, -0.2321, 2.0, 5, 80};
    const Colormap magma = Colormap::named("magma");
    const auto image =
        image_of(grid, params, ImageSpec{.format = PixelFormat::rgb8, .colormap = magma});
    std::vector<std::uint32_t> counts(grid.pixel_count());
    render_counts(grid, params, grid.full_window(), counts);
    for (std::size_t p = 0; p < counts.size(); ++p) {
        const Rgb c = magma.at(normalized_value(counts[p], 5, 80));
        ASSERT_EQ(image[3 * p], static_cast<std::uint8_t>(c.r * 255.0));
        ASSERT_EQ(image[3 * p + 1], static_cast<std::uint8_t>(c.g * 255.0));
        ASSERT_EQ(image[3 * p + 2], static_cast<std::uint8_t>(c.b * 255.0));
    }
}

TEST(Supersample, AUniformRegionIsUnchanged) {
    const JuliaParams inside{0, 0, 2.0, 0, 50};  // c = 0: the unit disk
    const PixelGrid centre(Region{-0.2, 0.2, -0.2, 0.2}, 16);
    const PixelGrid far(Region{5, 6, 5, 6}, 16);
    for (const std::uint32_t n : {1u, 2u, 3u, 5u}) {
        for (const auto format : {PixelFormat::gray8, PixelFormat::rgb8}) {
            const ImageSpec spec{.format = format,
                                 .colormap = format == PixelFormat::rgb8
                                                 ? Colormap::named("viridis")
                                                 : Colormap(),
                                 .supersample = n};
            const auto white = image_of(centre, inside, spec);
            const auto black = image_of(far, inside, spec);
            const ImageSpec single{.format = spec.format, .colormap = spec.colormap};
            EXPECT_EQ(white, image_of(centre, inside, single)) << n;
            EXPECT_EQ(black, image_of(far, inside, single)) << n;
            EXPECT_NE(white, black);
        }
    }
}

TEST(Supersample, EachPixelAveragesItsSamples) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 40);
    const JuliaParams params{-0.835, -0.2321, 2.0, 5, 80};
    const std::uint32_t n = 3;
    const auto image = image_of(grid, params, ImageSpec{.supersample = n});
    const PixelGrid fine(grid.region(), grid.width() * n, grid.height() * n);
    std::vector<std::uint32_t> counts(fine.pixel_count());
    render_counts(fine, params, fine.full_window(), counts);
    std::size_t smoothed = 0;
    for (std::size_t j = 0; j < grid.height(); ++j) {
        for (std::size_t i = 0; i < grid.width(); ++i) {
            double sum = 0;
            for (std::size_t b = 0; b < n; ++b) {
                for (std::size_t a = 0; a < n; ++a) {
                    sum += normalized_value(counts[(j * n + b) * fine.width() + i * n + a], 5, 80);
                }
            }
            const auto expected = static_cast<std::uint8_t>(sum / (n * n) * 255.0);
            ASSERT_EQ(image[j * grid.width() + i], expected) << i << "," << j;
            smoothed += expected != gray_level(counts[(j * n) * fine.width() + i * n], 5, 80);
        }
    }
    EXPECT_GT(smoothed, 0u);  // anti-aliasing changed some pixels
}

TEST(Histogram, LevelsRiseToOneAndEqualiseTheImage) {
    const PixelGrid grid(Region{-0.1, 0.1, -0.1, 0.1}, 100);
    const JuliaParams params{-0.835, -0.2321, 2.0, 20, 100};
    const ImageSpec spec{.coloring = Coloring::histogram};
    const auto levels = histogram_levels(grid, params, spec).table();
    ASSERT_EQ(levels.size(), 101u);
    EXPECT_TRUE(std::is_sorted(levels.begin(), levels.end()));
    EXPECT_EQ(levels.back(), 1.0);
    EXPECT_EQ(levels[99], 1.0);  // every escaped sample has a count <= 99
    // Equalised: about half the escaped pixels are darker than mid-gray.
    const auto image = image_of(grid, params, spec);
    std::vector<std::uint32_t> counts(grid.pixel_count());
    render_counts(grid, params, grid.full_window(), counts);
    std::size_t escaped = 0, dark = 0;
    for (std::size_t p = 0; p < counts.size(); ++p) {
        if (counts[p] == 100) continue;
        ++escaped;
        dark += image[p] < 128;
    }
    EXPECT_NEAR(static_cast<double>(dark) / escaped, 0.5, 0.15);
}

TEST(CountHistogram, SparseLevelsEqualTheDenseTableAndColourTheSameImage) {
    // The deep path's sparse histogram, filled in two parts and merged, against the shallow
    // path's dense table of the same counts: equal at every count, and color_samples of the
    // counts gives render_image's bytes.
    const PixelGrid grid(Region{-0.1, 0.1, -0.1, 0.1}, 100);
    const JuliaParams params{-0.835, -0.2321, 2.0, 20, 100};
    const ImageSpec spec{.coloring = Coloring::histogram};
    const auto levels = histogram_levels(grid, params, spec);
    std::vector<std::uint32_t> counts(grid.pixel_count());
    render_counts(grid, params, grid.full_window(), counts);
    CountHistogram histogram(params.itermax), second(params.itermax);
    const std::span<const std::uint32_t> all(counts);
    histogram.add(all.first(counts.size() / 3));
    second.add(all.subspan(counts.size() / 3));
    histogram.merge(second);
    const HistogramLevels merged = histogram.levels();
    for (std::uint32_t k = 0; k <= params.itermax; ++k) EXPECT_EQ(merged[k], levels[k]) << k;
    std::vector<std::uint8_t> coloured(grid.pixel_count());
    color_samples(spec, params.itermin, params.itermax, grid.width(), grid.height(),
                  FieldBuffers{.counts = counts}, &merged, coloured);
    EXPECT_EQ(coloured, image_of(grid, params, spec));
    // A count above itermax is refused; so is histogram colouring without the levels.
    std::vector<std::uint32_t> too_high = counts;
    too_high[7] = 101;
    EXPECT_THROW(color_samples(spec, params.itermin, params.itermax, grid.width(), grid.height(),
                               FieldBuffers{.counts = too_high}, &merged, coloured),
                 std::invalid_argument);
    EXPECT_THROW(color_samples(spec, params.itermin, params.itermax, grid.width(), grid.height(),
                               FieldBuffers{.counts = counts}, nullptr, coloured),
                 std::invalid_argument);
}

TEST(Smooth, ColouringVariesWithinCountBands) {
    const PixelGrid grid(Region{-1.6, 1.6, -1, 1}, 80);
    const JuliaParams params{-0.835, -0.2321, 2.0, 0, 80};
    const auto banded = image_of(grid, params, ImageSpec{});
    const auto smooth = image_of(grid, params, ImageSpec{.coloring = Coloring::smooth});
    EXPECT_NE(banded, smooth);
    for (std::size_t p = 0; p < banded.size(); ++p) {
        // The smooth value stays within about one count band of k (see fields.hpp).
        ASSERT_LE(std::abs(int{smooth[p]} - int{banded[p]}), 255 / 80 + 1) << p;
    }
}

TEST(ImageSpec, RejectsBadCombinations) {
    const JuliaParams params;
    EXPECT_THROW((ImageSpec{.supersample = 0}.validate(params)), std::invalid_argument);
    EXPECT_THROW((ImageSpec{.supersample = 17}.validate(params)), std::invalid_argument);
    EXPECT_THROW((ImageSpec{.colormap = Colormap::named("viridis")}.validate(params)),
                 std::invalid_argument);
    EXPECT_THROW((ImageSpec{.coloring = Coloring::smooth}.validate(JuliaParams{0, 0, 1.0, 0, 5})),
                 std::invalid_argument);
    const PixelGrid grid(Region{-1, 1, -1, 1}, 8);
    std::vector<std::uint8_t> out(grid.pixel_count());
    EXPECT_THROW(render_image(grid, params, grid.full_window(),
                              ImageSpec{.coloring = Coloring::histogram}, {}, out),
                 std::invalid_argument);
}

// The dense computation the engine used before: one tally per count 0..itermax.
std::vector<double> dense_levels(std::span<const std::uint32_t> counts, std::uint32_t itermax) {
    std::vector<std::uint64_t> histogram(std::size_t{itermax} + 1, 0);
    for (const std::uint32_t k : counts) ++histogram[k];
    std::vector<double> levels(histogram.size(), 1.0);
    std::uint64_t escaped = 0;
    for (std::size_t k = 0; k + 1 < histogram.size(); ++k) escaped += histogram[k];
    std::uint64_t running = 0;
    for (std::size_t k = 0; k + 1 < histogram.size(); ++k) {
        running += histogram[k];
        levels[k] = escaped == 0 ? 0.0 : static_cast<double>(running) / static_cast<double>(escaped);
    }
    return levels;
}

TEST(Histogram, LevelsFromTheCountsThatOccurEqualTheDenseTableOnRandomCounts) {
    std::mt19937_64 random(20261130);
    for (int trial = 0; trial < 400; ++trial) {
        // Limits on both sides of the dense/sparse switch, counts clustered or spread.
        const std::uint32_t itermax =
            trial % 4 == 0 ? 1 + static_cast<std::uint32_t>(random() % 300)
            : trial % 4 == 1 ? 65000 + static_cast<std::uint32_t>(random() % 1000)
                             : 1 + static_cast<std::uint32_t>(random() % 2000000);
        const std::size_t n = random() % 5000;
        const std::uint32_t spread = 1 + static_cast<std::uint32_t>(random() % (itermax + 1));
        std::vector<std::uint32_t> counts(n);
        for (auto& k : counts) {
            k = random() % 8 == 0 ? itermax : static_cast<std::uint32_t>(random() % spread);
        }
        const std::vector<double> expected = dense_levels(counts, itermax);
        // In one piece and in several merged pieces, as the renderer's threads produce them.
        const HistogramLevels whole = histogram_levels(counts, itermax);
        CountHistogram merged(itermax);
        for (std::size_t first = 0; first < n;) {
            const std::size_t size = std::min<std::size_t>(n - first, 1 + random() % 700);
            CountHistogram piece(itermax);
            piece.add(std::span(counts).subspan(first, size));
            merged.merge(piece);
            first += size;
        }
        const HistogramLevels pieces = merged.levels();
        ASSERT_EQ(whole.table(), expected) << "trial " << trial;
        ASSERT_EQ(pieces.table(), expected) << "trial " << trial;
        for (std::uint32_t k = 0; k <= itermax; k += 1 + itermax / 997) {
            ASSERT_EQ(whole[k], expected[k]) << "trial " << trial << " k " << k;
            ASSERT_EQ(pieces[k], expected[k]) << "trial " << trial << " k " << k;
        }
        for (const std::uint32_t k : counts) ASSERT_EQ(whole[k], expected[k]);
        ASSERT_EQ(whole[itermax], 1.0);
    }
}

TEST(Histogram, ImageLevelsEqualTheDenseTableOfTheImagesCounts) {
    // c just outside the Mandelbrot set's seahorse valley: every point escapes, after up to
    // several hundred steps, so large limits (the sparse path) cost nothing.
    const PixelGrid grid(Region{-1.6, 1.6, -1.0, 1.0}, 96);
    for (const std::uint32_t itermax : {300u, 70000u, 5000000u}) {
        const JuliaParams params{-0.75, 0.005, 2.0, 0, itermax};
        for (const std::uint32_t n : {1u, 2u}) {
            const ImageSpec spec{.coloring = Coloring::histogram, .supersample = n};
            const PixelGrid samples = sample_grid(grid, n);
            std::vector<std::uint32_t> counts(samples.pixel_count());
            render_counts(samples, params, samples.full_window(), counts);
            const std::vector<double> expected = dense_levels(counts, itermax);
            const HistogramLevels levels = histogram_levels(grid, params, spec);
            EXPECT_EQ(levels.table(), expected) << itermax;
            EXPECT_GT(levels.counts().size(), 20u);
            EXPECT_LE(levels.counts().size(), counts.size());
            // The image equals one coloured with the dense table.
            std::vector<std::uint8_t> image(grid.pixel_count());
            render_image(grid, params, grid.full_window(), spec, levels, image);
            for (std::size_t j = 0; j < grid.height(); ++j) {
                for (std::size_t i = 0; i < grid.width(); ++i) {
                    double sum = 0.0;
                    for (std::uint32_t b = 0; b < n; ++b) {
                        for (std::uint32_t a = 0; a < n; ++a) {
                            sum += expected[counts[(j * n + b) * samples.width() + i * n + a]];
                        }
                    }
                    ASSERT_EQ(image[j * grid.width() + i],
                              static_cast<std::uint8_t>(std::clamp(sum / (n * n) * 255.0, 0.0, 255.0)));
                }
            }
        }
    }
}

TEST(Histogram, MalformedTalliesAreRejected) {
    const std::uint32_t counts[] = {3, 2};
    const std::uint64_t tallies[] = {1, 1};
    EXPECT_THROW(HistogramLevels(10, counts, tallies), std::invalid_argument);
    const std::uint32_t too_large[] = {10};
    EXPECT_THROW(HistogramLevels(10, too_large, std::span(tallies, 1)), std::invalid_argument);
    EXPECT_THROW(CountHistogram(10).merge(CountHistogram(11)), std::invalid_argument);
}

}  // namespace

namespace {

// A pixel of one sample as the colouring's definition gives it: the colour of value v
// (Colormap::at, or v itself for gray output), each channel times the largest level,
// clamped and truncated; 16-bit big-endian.
std::vector<std::uint8_t> expected_pixel(const ImageSpec& spec, double v) {
    const double top = spec.format == PixelFormat::gray16 ? 65535.0 : 255.0;
    const auto level = [top](double channel) {
        return static_cast<std::uint32_t>(std::clamp(channel * top, 0.0, top));
    };
    if (spec.format == PixelFormat::rgb8) {
        const Rgb c = spec.colormap.at(v);
        return {static_cast<std::uint8_t>(level(c.r)), static_cast<std::uint8_t>(level(c.g)),
                static_cast<std::uint8_t>(level(c.b))};
    }
    if (spec.format == PixelFormat::gray16) {
        const std::uint32_t l = level(v);
        return {static_cast<std::uint8_t>(l >> 8), static_cast<std::uint8_t>(l & 0xFF)};
    }
    return {static_cast<std::uint8_t>(level(v))};
}

}  // namespace

TEST(ColorSamples, OneSamplePixelsFollowTheDefinitionOnEveryThreadCount) {
    // color_samples colours one-sample pixels through tables (per colour, and per count for
    // limits up to the image's size): here against the definition, pixel by pixel, for both
    // table sizes, every colouring and format, and 1 or 2 threads.
    std::mt19937 random(7);
    const std::size_t width = 70;
    const std::size_t height = 50;
    for (const std::uint32_t itermax : {100u, 250000u}) {  // per-count table, and none
        const std::uint32_t itermin = itermax / 10;
        std::vector<std::uint32_t> counts(width * height);
        std::vector<double> smooth(width * height);
        std::uniform_int_distribution<std::uint32_t> count(0, itermax);
        std::uniform_real_distribution<double> continuous(-3.0, itermax + 3.0);
        for (std::size_t p = 0; p < counts.size(); ++p) {
            counts[p] =
                p < 3 ? std::array<std::uint32_t, 3>{0, itermin, itermax}[p] : count(random);
            smooth[p] = p < 2 ? static_cast<double>(p * itermax) : continuous(random);
        }
        const HistogramLevels levels = histogram_levels(counts, itermax);
        for (const Coloring coloring : {Coloring::count, Coloring::histogram, Coloring::smooth}) {
            for (const auto& [format, colormap] :
                 {std::pair{PixelFormat::gray8, "gray"}, std::pair{PixelFormat::gray16, "gray"},
                  std::pair{PixelFormat::rgb8, "gray"}, std::pair{PixelFormat::rgb8, "magma"},
                  std::pair{PixelFormat::rgb8, "twilight_r"}}) {
                const ImageSpec spec{.coloring = coloring, .format = format,
                                     .colormap = Colormap::named(colormap)};
                const std::size_t bytes = bytes_per_pixel(format);
                const FieldBuffers fields = coloring == Coloring::smooth
                                                ? FieldBuffers{.smooth = smooth}
                                                : FieldBuffers{.counts = counts};
                for (const unsigned threads : {1u, 2u}) {
                    std::vector<std::uint8_t> out(width * height * bytes);
                    color_samples(spec, itermin, itermax, width, height, fields, &levels, out,
                                  threads);
                    for (std::size_t p = 0; p < counts.size(); ++p) {
                        const double span = static_cast<double>(itermax - itermin);
                        const double v =
                            coloring == Coloring::smooth
                                ? std::clamp((smooth[p] - itermin) / span, 0.0, 1.0)
                            : coloring == Coloring::histogram
                                ? levels[counts[p]]
                                : normalized_value(counts[p], itermin, itermax);
                        const std::vector<std::uint8_t> want = expected_pixel(spec, v);
                        ASSERT_TRUE(std::equal(want.begin(), want.end(), out.begin() + p * bytes))
                            << "itermax " << itermax << " colouring " << static_cast<int>(coloring)
                            << " " << colormap << " format " << static_cast<int>(format)
                            << " pixel " << p;
                    }
                }
            }
        }
    }
}
