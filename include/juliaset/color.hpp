// Colouring: from escape counts (or smooth counts) to 8/16-bit gray or 8-bit RGB pixels, with
// colormaps, histogram equalisation and supersampling. Pure computation: no file formats.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "juliaset/escape.hpp"
#include "juliaset/fields.hpp"
#include "juliaset/grid.hpp"
#include "juliaset/render.hpp"

namespace juliaset {

/// An RGB colour with channels in [0, 1].
struct Rgb {
    double r = 0.0;
    double g = 0.0;
    double b = 0.0;
    friend bool operator==(const Rgb&, const Rgb&) = default;
};

/// A colormap: 256 colours looked up as matplotlib does (index = min(floor(t * 256), 255)),
/// or the identity gray ramp, which maps t to gray level t itself (the seed's images).
class Colormap {
public:
    static constexpr std::size_t size = 256;

    /// The gray ramp.
    Colormap();
    /// A colormap from 256 colours (e.g. any matplotlib colormap sampled by the caller).
    /// Throws std::invalid_argument for channels outside [0, 1] or not finite.
    Colormap(std::string name, std::span<const Rgb> colours);

    /// "gray", "viridis", "magma", "inferno", "plasma" or "twilight", each reversed by a
    /// trailing "_r". Throws std::invalid_argument listing the names for anything else.
    static Colormap named(std::string_view name);
    /// Every name named() accepts.
    static std::vector<std::string> names();

    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    [[nodiscard]] bool is_gray_ramp() const noexcept { return colours_.empty(); }
    /// The colour for t (clamped to [0, 1]; NaN counts as 0).
    [[nodiscard]] Rgb at(double t) const noexcept;
    /// The index into colours() that at(t) reads (for colormaps that are not the gray ramp).
    [[nodiscard]] static std::size_t index_of(double t) noexcept {
        const double clamped = t > 0.0 ? std::min(t, 1.0) : 0.0;  // NaN -> 0
        return std::min<std::size_t>(static_cast<std::size_t>(clamped * size), size - 1);
    }
    /// The 256 colours; empty for the gray ramp.
    [[nodiscard]] std::span<const Rgb> colours() const noexcept { return colours_; }

private:
    std::string name_;
    std::vector<Rgb> colours_;  // empty for the gray ramp
};

/// How a pixel's value in [0, 1] is obtained.
enum class Coloring {
    count,      ///< the seed's (max(k, itermin) - itermin) / (itermax - itermin)
    smooth,     ///< the same with the continuous count (fields.hpp); needs threshold > 1
    histogram,  ///< the fraction of escaped samples with a count <= k; interior is 1
};

/// The stored pixel layout. 16-bit samples are stored big-endian, as image files keep them.
enum class PixelFormat { gray8, gray16, rgb8 };

[[nodiscard]] constexpr std::size_t bytes_per_pixel(PixelFormat format) noexcept {
    switch (format) {
        case PixelFormat::gray8: return 1;
        case PixelFormat::gray16: return 2;
        case PixelFormat::rgb8: return 3;
    }
    return 0;
}

/// Everything about turning counts into pixels.
struct ImageSpec {
    Coloring coloring = Coloring::count;
    PixelFormat format = PixelFormat::gray8;
    Colormap colormap{};
    /// N x N samples per pixel, averaged after colouring. 1 gives the seed's sampling.
    std::uint32_t supersample = 1;

    /// Throws std::invalid_argument: supersample outside [1, 16], a colormap with a gray
    /// format, or a smooth colouring with threshold <= 1.
    void validate(const JuliaParams& params) const;
};

/// The grid of samples behind `grid`'s pixels: `supersample` times the columns and rows.
[[nodiscard]] PixelGrid sample_grid(const PixelGrid& grid, std::uint32_t supersample);

/// Histogram equalisation: level(k) is the fraction of the escaped samples (count < itermax)
/// whose count is <= k, and 1 for k >= itermax (the interior is white / the colormap's end).
/// Stored by the counts that occur, not by itermax: the table of an image with a billion-step
/// limit is as small as that of one with 80. Small limits (itermax < 65536) also keep a dense
/// table for lookups.
class HistogramLevels {
public:
    HistogramLevels() = default;
    /// Levels of an image without escaped samples: 0 below itermax, 1 at it.
    explicit HistogramLevels(std::uint32_t itermax);
    /// From the distinct escaped counts (strictly ascending, each < itermax) and how many
    /// samples have each. Throws std::invalid_argument if the counts are not so.
    HistogramLevels(std::uint32_t itermax, std::span<const std::uint32_t> distinct_counts,
                    std::span<const std::uint64_t> samples_per_count);

    [[nodiscard]] std::uint32_t itermax() const noexcept { return itermax_; }
    /// The level of count k (any k; the same value the dense table levels[k] had).
    [[nodiscard]] double operator[](std::uint32_t k) const noexcept {
        if (!dense_.empty()) return dense_[std::min<std::size_t>(k, dense_.size() - 1)];
        return sparse_level(k);
    }
    /// The distinct escaped counts, ascending, and the level at each.
    [[nodiscard]] std::span<const std::uint32_t> counts() const noexcept { return counts_; }
    [[nodiscard]] std::span<const double> levels() const noexcept { return levels_; }
    /// level(k) for k = 0..itermax: itermax + 1 doubles (use only for small itermax).
    [[nodiscard]] std::vector<double> table() const;

private:
    [[nodiscard]] double sparse_level(std::uint32_t k) const noexcept;

    std::uint32_t itermax_ = 0;
    std::vector<std::uint32_t> counts_;
    std::vector<double> levels_;
    std::vector<double> dense_;  // level(k) for k = 0..itermax when itermax is small
};

/// Collects the escape counts of an image, in any order and any number of pieces (tiles, bands,
/// threads each with its own), in memory proportional to the number of distinct counts.
class CountHistogram {
public:
    explicit CountHistogram(std::uint32_t itermax);
    /// Adds counts (each <= itermax).
    void add(std::span<const std::uint32_t> counts);
    /// Adds another histogram of the same itermax.
    void merge(const CountHistogram& other);
    [[nodiscard]] HistogramLevels levels() const;

private:
    using Tally = std::pair<std::uint32_t, std::uint64_t>;  // an escaped count, its samples
    void compact();

    std::uint32_t itermax_;
    // Tallies sorted by count, distinct counts; pending_ holds unsorted ones until it is as
    // large as sorted_ (so memory stays within a few times the distinct counts).
    std::vector<Tally> sorted_;
    std::vector<Tally> pending_;
    std::vector<std::uint64_t> dense_;  // per-count tallies when itermax is small
};

/// The levels of the counts of every sample of an image: the function for consumers that
/// compute counts themselves (tiles, the deep path).
[[nodiscard]] HistogramLevels histogram_levels(std::span<const std::uint32_t> counts,
                                               std::uint32_t itermax);

/// For Coloring::histogram: the levels of the whole image, computed from the escape counts of
/// every sample of the (supersampled) grid. Images made of tiles must share one table, which is
/// why it is computed separately. Memory: a band of counts per thread and 16 bytes per
/// distinct count, whatever itermax is.
[[nodiscard]] HistogramLevels histogram_levels(const PixelGrid& grid, const JuliaParams& params,
                                               const ImageSpec& spec,
                                               const RenderOptions& options = {});

/// The pixels of `window` as `spec` says, row-major, bytes_per_pixel(spec.format) bytes each.
/// Each channel is quantised as the seed does: value * max truncated (so gray8 with the count
/// colouring and supersample 1 is exactly the seed's image). `levels` is histogram_levels()'s
/// result for Coloring::histogram and ignored otherwise. Works through the window in pieces of
/// about 64K samples, so its temporary memory does not grow with the window's width.
void render_image(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                  const ImageSpec& spec, const HistogramLevels& levels,
                  std::span<std::uint8_t> out, const RenderOptions& options = {});

}  // namespace juliaset

namespace juliaset {

// --- colouring fields computed elsewhere (the deep engine, deep.hpp) -----------------------
// The functions above render their own counts from a PixelGrid; these colour per-sample fields
// that a caller already has, with the same values, colours and quantisation.

/// Colours `pixels_x` x `pixels_y` pixels from the fields of the (pixels_x * n) x (pixels_y * n)
/// samples behind them (n = spec.supersample), row-major: `samples.counts` for the count and
/// histogram colourings, `samples.smooth` for the smooth one. Writes row-major pixels of
/// bytes_per_pixel(spec.format) bytes, exactly as render_image() colours the same fields.
/// `levels` are the histogram levels of every sample's count (CountHistogram::levels();
/// Coloring::histogram only). Bands of rows are coloured on `threads` threads (0: every
/// hardware thread). Throws
/// std::invalid_argument for a missing field, a buffer of the wrong size, itermin >= itermax,
/// or a count above itermax.
void color_samples(const ImageSpec& spec, std::uint32_t itermin, std::uint32_t itermax,
                   std::size_t pixels_x, std::size_t pixels_y, const FieldBuffers& samples,
                   const HistogramLevels* levels, std::span<std::uint8_t> out,
                   unsigned threads = 1);

}  // namespace juliaset
