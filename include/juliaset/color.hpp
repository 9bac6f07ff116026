// Colouring: from escape counts (or smooth counts) to 8/16-bit gray or 8-bit RGB pixels, with
// colormaps, histogram equalisation and supersampling. Pure computation: no file formats.
#pragma once

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

/// For Coloring::histogram: level[k] (k = 0..itermax) for the whole image, computed from the
/// escape counts of every sample of the (supersampled) grid. Images made of tiles must share
/// one table, which is why it is computed separately.
[[nodiscard]] std::vector<double> histogram_levels(const PixelGrid& grid,
                                                   const JuliaParams& params,
                                                   const ImageSpec& spec,
                                                   const RenderOptions& options = {});

/// The pixels of `window` as `spec` says, row-major, bytes_per_pixel(spec.format) bytes each.
/// Each channel is quantised as the seed does: value * max truncated (so gray8 with the count
/// colouring and supersample 1 is exactly the seed's image). `levels` is histogram_levels()'s
/// table for Coloring::histogram and ignored otherwise.
void render_image(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                  const ImageSpec& spec, std::span<const double> levels,
                  std::span<std::uint8_t> out, const RenderOptions& options = {});

}  // namespace juliaset

namespace juliaset {

// --- colouring fields computed elsewhere (the deep engine, deep.hpp) -----------------------
// The functions above render their own counts from a PixelGrid; these colour per-sample fields
// that a caller already has, with the same values, colours and quantisation.

/// The histogram colouring's levels of a set of counts, kept sparse: one entry per distinct
/// count, so its size is bounded by the number of samples whatever itermax is (a dense table
/// of itermax + 1 bins would take gigabytes at a deep zoom's itermax).
class CountHistogram {
public:
    explicit CountHistogram(std::uint32_t itermax) noexcept : itermax_(itermax) {}
    /// Adds every count; throws std::invalid_argument for a count above itermax.
    void add(std::span<const std::uint32_t> counts);
    /// Adds every count `other` holds (the same itermax).
    void merge(const CountHistogram& other);
    /// The level of a sample with count k: the fraction of escaped samples (count < itermax)
    /// with a count <= k, and 1 for k = itermax (the interior); as histogram_levels().
    /// Valid after finish().
    [[nodiscard]] double level(std::uint32_t k) const noexcept;
    /// Computes the levels; call once, after the last add() or merge().
    void finish();
    [[nodiscard]] std::uint32_t itermax() const noexcept { return itermax_; }

private:
    std::uint32_t itermax_;
    std::vector<std::pair<std::uint32_t, std::uint64_t>> bins_;  ///< sorted by count
    std::vector<double> levels_;                                 ///< per bin, after finish()
};

/// Colours `pixels_x` x `pixels_y` pixels from the fields of the (pixels_x * n) x (pixels_y * n)
/// samples behind them (n = spec.supersample), row-major: `samples.counts` for the count and
/// histogram colourings, `samples.smooth` for the smooth one. Writes row-major pixels of
/// bytes_per_pixel(spec.format) bytes, exactly as render_image() colours the same fields.
/// `histogram` holds every sample's count, finished (Coloring::histogram only). Throws
/// std::invalid_argument for a missing field, a buffer of the wrong size, itermin >= itermax,
/// or a count above itermax.
void color_samples(const ImageSpec& spec, std::uint32_t itermin, std::uint32_t itermax,
                   std::size_t pixels_x, std::size_t pixels_y, const FieldBuffers& samples,
                   const CountHistogram* histogram, std::span<std::uint8_t> out);

}  // namespace juliaset
