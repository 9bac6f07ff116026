// The pixel grid of a region of the complex plane, with the seed's exact sampling rule.
#pragma once

#include <cstddef>

namespace juliaset {

/// A rectangle of the complex plane. `xleft` is the real part of the first (left) column,
/// `ytop` the imaginary part of the first (top) row. Reversed bounds are allowed and mirror
/// the image.
struct Region {
    double xleft = -1.6;
    double xright = 1.6;
    double ybot = -1.0;
    double ytop = 1.0;

    friend bool operator==(const Region&, const Region&) = default;
};

/// A rectangular window of pixels inside a grid: columns [x0, x0 + width), rows [y0, y0 + height).
struct PixelWindow {
    std::size_t x0 = 0;
    std::size_t y0 = 0;
    std::size_t width = 0;
    std::size_t height = 0;

    [[nodiscard]] std::size_t size() const noexcept { return width * height; }
    friend bool operator==(const PixelWindow&, const PixelWindow&) = default;
};

/// The largest grid side we accept; beyond it pixel counts overflow 32-bit tile arithmetic
/// in downstream tools (PNG limits width and height to 2^31 - 1).
inline constexpr std::size_t max_grid_side = std::size_t{1} << 30;

/// The pixel grid the seed samples: `width = resolution` columns and
/// `height = round(width * |ytop - ybot| / |xright - xleft|)` rows. Column `i` samples
/// `x = i / width * (xright - xleft) + xleft` and row `j` samples
/// `y = j / height * (ybot - ytop) + ytop`, in exactly that order of IEEE double operations:
/// the left and top edges are sampled, the right and bottom edges are not.
class PixelGrid {
public:
    /// Throws std::invalid_argument for non-finite bounds, an empty extent, a resolution
    /// below 1 or a height that rounds to 0; std::length_error for a side above max_grid_side.
    PixelGrid(const Region& region, std::size_t resolution);

    /// A grid of an explicit size over `region`, sampled with the same formulas (used for
    /// supersampling: `factor` times the columns and rows of a grid cover the same region).
    /// Throws like the constructor above for bad bounds or sizes.
    PixelGrid(const Region& region, std::size_t width, std::size_t height);

    [[nodiscard]] const Region& region() const noexcept { return region_; }
    [[nodiscard]] std::size_t width() const noexcept { return width_; }
    [[nodiscard]] std::size_t height() const noexcept { return height_; }
    [[nodiscard]] std::size_t pixel_count() const noexcept { return width_ * height_; }
    [[nodiscard]] PixelWindow full_window() const noexcept { return {0, 0, width_, height_}; }

    /// Real part sampled by column `column` (any index, also outside the grid).
    [[nodiscard]] double x(std::size_t column) const noexcept {
        return static_cast<double>(column) / static_cast<double>(width_) *
                   (region_.xright - region_.xleft) +
               region_.xleft;
    }
    /// Imaginary part sampled by row `row` (any index, also outside the grid).
    [[nodiscard]] double y(std::size_t row) const noexcept {
        return static_cast<double>(row) / static_cast<double>(height_) *
                   (region_.ybot - region_.ytop) +
               region_.ytop;
    }

    /// Throws std::out_of_range unless `window` lies inside the grid.
    void check_window(const PixelWindow& window) const;

private:
    Region region_;
    std::size_t width_;
    std::size_t height_;
};

}  // namespace juliaset
