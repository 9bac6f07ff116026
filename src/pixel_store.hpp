// Storing a pixel's mean colour: shared by render_image (color.cpp) and color_samples
// (color_fields.cpp), whose images must be byte-identical for the same fields.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "juliaset/color.hpp"

namespace juliaset::detail {

/// Writes `sum / samples` (a sum of `samples` colours) as one pixel of `format` at `px`: each
/// channel times the format's largest level (255, or 65535 for gray16), clamped and truncated;
/// gray formats take the red channel; 16-bit samples big-endian.
inline void store_pixel(PixelFormat format, const Rgb& sum, double samples,
                        std::uint8_t* px) noexcept {
    const double max_level = format == PixelFormat::gray16 ? 65535.0 : 255.0;
    const auto quantise = [max_level](double level) {
        return static_cast<std::uint32_t>(std::clamp(level * max_level, 0.0, max_level));
    };
    if (format == PixelFormat::rgb8) {
        px[0] = static_cast<std::uint8_t>(quantise(sum.r / samples));
        px[1] = static_cast<std::uint8_t>(quantise(sum.g / samples));
        px[2] = static_cast<std::uint8_t>(quantise(sum.b / samples));
    } else if (format == PixelFormat::gray16) {
        const std::uint32_t level = quantise(sum.r / samples);
        px[0] = static_cast<std::uint8_t>(level >> 8);
        px[1] = static_cast<std::uint8_t>(level & 0xFF);
    } else {
        px[0] = static_cast<std::uint8_t>(quantise(sum.r / samples));
    }
}

/// Adds `c` to `sum`, channel by channel (a pixel's colours are summed, then averaged).
inline void add_colour(const Rgb& c, Rgb& sum) noexcept {
    sum.r += c.r;
    sum.g += c.g;
    sum.b += c.b;
}

/// Adds the colour of a sample of value v to `sum`: the colormap's colour for RGB output, v
/// itself (in the red channel) for gray output. Every colouring path sums samples with this.
inline void add_sample_colour(const ImageSpec& spec, double v, Rgb& sum) noexcept {
    if (spec.format == PixelFormat::rgb8) {
        add_colour(spec.colormap.at(v), sum);
    } else {
        sum.r += v;
    }
}

/// Throws std::invalid_argument for a count above itermax (fields from elsewhere).
inline void check_count(std::uint32_t k, std::uint32_t itermax) {
    if (k > itermax) {
        throw std::invalid_argument("count " + std::to_string(k) + " is above itermax " +
                                    std::to_string(itermax));
    }
}

/// The value in [0, 1] of count k for the count and histogram colourings (`levels` for the
/// latter). Throws std::invalid_argument for a count above itermax.
inline double count_value(Coloring coloring, std::uint32_t k, std::uint32_t itermin,
                          std::uint32_t itermax, const HistogramLevels* levels) {
    check_count(k, itermax);
    return coloring == Coloring::histogram ? (*levels)[k] : normalized_value(k, itermin, itermax);
}

/// The bytes of pixels of one sample each (supersample 1), by table lookups. Such a pixel's
/// mean colour is its sample's colour, which depends only on a table index: one of a
/// colormap's 256 colours, or, for the count and histogram colourings, the count itself. So
/// store_pixel runs once per index, here, instead of once per pixel: colouring had cost more
/// than iterating in the zoom frames of a video (escape counts near 30). The bytes are
/// store_pixel's of the same sums, hence the same as the general path's.
class OneSamplePainter {
public:
    /// `levels` for Coloring::histogram; `pixels` (how many this painter will paint) bounds
    /// the per-count table: itermax + 1 entries are built only when that is not wasteful.
    OneSamplePainter(const ImageSpec& spec, std::uint32_t itermin, std::uint32_t itermax,
                     const HistogramLevels* levels, std::size_t pixels)
        : spec_(spec), itermin_(itermin), itermax_(itermax), levels_(levels),
          pixel_bytes_(bytes_per_pixel(spec.format)) {
        const std::span<const Rgb> colours = spec.colormap.colours();
        if (spec.format == PixelFormat::rgb8 && !colours.empty()) {
            colour_bytes_.resize(colours.size() * 3);
            for (std::size_t i = 0; i < colours.size(); ++i) {
                Rgb sum;
                add_colour(colours[i], sum);
                store_pixel(spec.format, sum, 1.0, colour_bytes_.data() + 3 * i);
            }
        }
        const std::size_t entries = std::size_t{itermax} + 1;
        if (spec.coloring != Coloring::smooth && entries <= std::max<std::size_t>(pixels, 65536)) {
            count_bytes_.resize(entries * pixel_bytes_);
            for (std::size_t k = 0; k < entries; ++k) {
                paint_value(count_value(spec.coloring, static_cast<std::uint32_t>(k), itermin,
                                        itermax, levels),
                            count_bytes_.data() + k * pixel_bytes_);
            }
        }
    }

    /// One pixel of value v (a sample's value in [0, 1]).
    void paint_value(double v, std::uint8_t* px) const noexcept {
        if (!colour_bytes_.empty()) {
            std::memcpy(px, colour_bytes_.data() + 3 * Colormap::index_of(v), 3);
            return;
        }
        Rgb sum;
        add_sample_colour(spec_, v, sum);
        store_pixel(spec_.format, sum, 1.0, px);
    }

    /// Consecutive pixels from their values.
    void paint_values(std::span<const double> values, std::uint8_t* out) const noexcept {
        for (const double v : values) {
            paint_value(v, out);
            out += pixel_bytes_;
        }
    }

    /// Consecutive pixels from their counts. Throws std::invalid_argument for a count above
    /// itermax.
    void paint_counts(std::span<const std::uint32_t> counts, std::uint8_t* out) const {
        if (count_bytes_.empty()) {
            for (const std::uint32_t k : counts) {
                paint_value(count_value(spec_.coloring, k, itermin_, itermax_, levels_), out);
                out += pixel_bytes_;
            }
            return;
        }
        switch (pixel_bytes_) {
            case 1: copy_counts<1>(counts, out); break;
            case 2: copy_counts<2>(counts, out); break;
            default: copy_counts<3>(counts, out); break;
        }
    }

private:
    // The per-count table's bytes, with the pixel size a constant: a copy of a size known only
    // at run time (a memcpy call, or a byte loop) had cost as much as the rest of the loop.
    template <std::size_t kBytes>
    void copy_counts(std::span<const std::uint32_t> counts, std::uint8_t* out) const {
        for (const std::uint32_t k : counts) {
            check_count(k, itermax_);
            std::memcpy(out, count_bytes_.data() + std::size_t{k} * kBytes, kBytes);
            out += kBytes;
        }
    }

    const ImageSpec& spec_;
    std::uint32_t itermin_;
    std::uint32_t itermax_;
    const HistogramLevels* levels_;
    std::size_t pixel_bytes_;
    std::vector<std::uint8_t> colour_bytes_;  // 3 per colour (RGB output, a colour table)
    std::vector<std::uint8_t> count_bytes_;   // pixel_bytes_ per count 0..itermax, if built
};

}  // namespace juliaset::detail
