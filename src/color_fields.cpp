// Colouring of fields computed elsewhere (the deep engine's counts and smooth counts): the
// values, colours and quantisation of render_image(), applied to samples a caller already has.
#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "juliaset/color.hpp"
#include "bands.hpp"
#include "pixel_store.hpp"

namespace juliaset {

namespace {

void require_size(std::size_t have, std::size_t need, const char* what) {
    if (have != need) {
        throw std::invalid_argument(std::string(what) + " holds " + std::to_string(have) +
                                    " values, expected " + std::to_string(need));
    }
}

}  // namespace

void color_samples(const ImageSpec& spec, std::uint32_t itermin, std::uint32_t itermax,
                   std::size_t pixels_x, std::size_t pixels_y, const FieldBuffers& samples,
                   const HistogramLevels* levels, std::span<std::uint8_t> out,
                   unsigned threads) {
    if (itermin >= itermax) {
        throw std::invalid_argument("itermin (" + std::to_string(itermin) +
                                    ") must be smaller than itermax (" + std::to_string(itermax) +
                                    ")");
    }
    const std::size_t n = spec.supersample;
    if (n < 1 || n > 16) {
        throw std::invalid_argument("supersample must be between 1 and 16, got " +
                                    std::to_string(n));
    }
    if (spec.format != PixelFormat::rgb8 && !spec.colormap.is_gray_ramp()) {
        throw std::invalid_argument("colormap '" + spec.colormap.name() +
                                    "' needs RGB output; gray images use the gray colormap");
    }
    const std::size_t sample_width = pixels_x * n;
    const std::size_t sample_count = sample_width * pixels_y * n;
    const bool smooth = spec.coloring == Coloring::smooth;
    if (smooth) {
        if (samples.smooth.empty()) throw std::invalid_argument("smooth colouring needs smooth counts");
        require_size(samples.smooth.size(), sample_count, "smooth");
    } else {
        if (samples.counts.empty()) throw std::invalid_argument("this colouring needs counts");
        require_size(samples.counts.size(), sample_count, "counts");
    }
    if (spec.coloring == Coloring::histogram &&
        (levels == nullptr || levels->itermax() != itermax)) {
        throw std::invalid_argument("histogram colouring needs the histogram levels of the image");
    }
    const std::size_t pixel_bytes = bytes_per_pixel(spec.format);
    require_size(out.size(), pixels_x * pixels_y * pixel_bytes, "image");

    const double span = static_cast<double>(itermax - itermin);
    const double per_pixel = static_cast<double>(n * n);
    std::optional<detail::OneSamplePainter> painter;
    if (n == 1) painter.emplace(spec, itermin, itermax, levels, pixels_x * pixels_y);
    const auto value = [&](std::size_t s) {
        if (smooth) return std::clamp((samples.smooth[s] - itermin) / span, 0.0, 1.0);
        return detail::count_value(spec.coloring, samples.counts[s], itermin, itermax, levels);
    };
    // Bands of rows on `threads` threads: colouring a 1080p frame alone took a quarter of a
    // deep zoom frame's time.
    const std::size_t band_rows = std::max<std::size_t>(
        1, detail::samples_per_piece / std::max<std::size_t>(pixels_x * n * n, 1));
    const std::size_t bands = (pixels_y + band_rows - 1) / band_rows;
    parallel_for(bands, threads, [&](std::size_t band) {
        const std::size_t first = band * band_rows;
        const std::size_t last = std::min(pixels_y, first + band_rows);
        for (std::size_t row = first; row < last; ++row) {
            std::uint8_t* dest = out.data() + row * pixels_x * pixel_bytes;
            if (painter) {
                const std::size_t from = row * pixels_x;
                if (smooth) {
                    for (std::size_t column = 0; column < pixels_x; ++column) {
                        painter->paint_value(value(from + column), dest + column * pixel_bytes);
                    }
                } else {
                    painter->paint_counts(samples.counts.subspan(from, pixels_x), dest);
                }
                continue;
            }
            for (std::size_t column = 0; column < pixels_x; ++column) {
                Rgb sum;
                for (std::size_t b = 0; b < n; ++b) {
                    const std::size_t line = (row * n + b) * sample_width + column * n;
                    for (std::size_t a = 0; a < n; ++a) {
                        detail::add_sample_colour(spec, value(line + a), sum);
                    }
                }
                detail::store_pixel(spec.format, sum, per_pixel, dest + column * pixel_bytes);
            }
        }
    });
}

}  // namespace juliaset
