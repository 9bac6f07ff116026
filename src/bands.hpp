// Private: how the renderers cut a window into row bands for the threads, and their buffer check.
#pragma once

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "juliaset/grid.hpp"
#include "juliaset/render.hpp"

namespace juliaset::detail {

/// Throws std::invalid_argument unless a `what` buffer of `have` entries holds the `need` a
/// window requires.
inline void check_buffer_size(std::size_t have, std::size_t need, const char* what) {
    if (have != need) {
        throw std::invalid_argument(std::string(what) + " buffer holds " + std::to_string(have) +
                                    " values, " + std::to_string(need) + " are needed");
    }
}

/// Rows per task: options.rows_per_task if set, else about 64K pixels of `window` (between 4 and
/// 256 rows), small enough that threads end within a few tasks of each other and large enough
/// that a task amortises its hand-out.
inline std::size_t rows_per_task(const PixelWindow& window, const RenderOptions& options) {
    if (options.rows_per_task != 0) return options.rows_per_task;
    const std::size_t target_pixels = 65536;
    return std::clamp<std::size_t>(target_pixels / std::max<std::size_t>(window.width, 1), 4, 256);
}

/// Runs `per_band(sub_window, first_row)` over row bands of `window` on the chosen threads, with
/// `first_row` the band's first row counted from the window's top.
template <class PerBand>
void for_each_band(const PixelWindow& window, const RenderOptions& options, PerBand per_band) {
    const std::size_t band_rows = rows_per_task(window, options);
    const std::size_t bands = (window.height + band_rows - 1) / band_rows;
    parallel_for(
        bands, options.threads,
        [&](std::size_t band) {
            const std::size_t first = band * band_rows;
            const PixelWindow sub{window.x0, window.y0 + first, window.width,
                                  std::min(band_rows, window.height - first)};
            per_band(sub, first);
        },
        options.cancel);
}

}  // namespace juliaset::detail
