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

/// Runs `per_piece(piece, first_row, first_column)` over pieces of `window` of at most
/// `piece_rows` x `piece_columns` pixels (row bands cut into column pieces), on the chosen
/// threads, with `first_row` and `first_column` counted from the window's top left. Temporary
/// buffers sized by a piece stay bounded however wide the window is.
template <class PerPiece>
void for_each_piece(const PixelWindow& window, std::size_t piece_rows, std::size_t piece_columns,
                    const RenderOptions& options, PerPiece per_piece) {
    piece_rows = std::max<std::size_t>(piece_rows, 1);
    piece_columns = std::clamp<std::size_t>(piece_columns, 1, std::max<std::size_t>(window.width, 1));
    const std::size_t bands = (window.height + piece_rows - 1) / piece_rows;
    const std::size_t across = (window.width + piece_columns - 1) / piece_columns;
    parallel_for(
        bands * across, options.threads,
        [&](std::size_t task) {
            const std::size_t first_row = (task / across) * piece_rows;
            const std::size_t first_column = (task % across) * piece_columns;
            const PixelWindow piece{window.x0 + first_column, window.y0 + first_row,
                                    std::min(piece_columns, window.width - first_column),
                                    std::min(piece_rows, window.height - first_row)};
            per_piece(piece, first_row, first_column);
        },
        options.cancel);
}

/// Pieces of about this many samples keep a worker's buffers in cache and bounded.
inline constexpr std::size_t samples_per_piece = 65536;

}  // namespace juliaset::detail
