// Storing a pixel's mean colour: shared by render_image (color.cpp) and color_samples
// (color_fields.cpp), whose images must be byte-identical for the same fields.
#pragma once

#include <algorithm>
#include <cstdint>

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

}  // namespace juliaset::detail
