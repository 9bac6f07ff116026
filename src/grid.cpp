#include "juliaset/grid.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace juliaset {

namespace {

void require_side(std::size_t side, const char* name) {
    if (side < 1) throw std::invalid_argument(std::string(name) + " must be at least 1, got 0");
    if (side > max_grid_side) {
        throw std::length_error(std::string(name) + " " + std::to_string(side) +
                                " exceeds the largest supported image side " +
                                std::to_string(max_grid_side));
    }
}

void require_finite(double value, const char* name) {
    if (!std::isfinite(value)) {
        throw std::invalid_argument(std::string(name) + " must be a finite number, got " +
                                    std::to_string(value));
    }
}

// Finite bounds and a non-empty, finite extent on both axes.
void require_extents(const Region& region) {
    require_finite(region.xleft, "xleft");
    require_finite(region.xright, "xright");
    require_finite(region.ybot, "ybot");
    require_finite(region.ytop, "ytop");
    const double x_extent = std::abs(region.xright - region.xleft);
    const double y_extent = std::abs(region.ytop - region.ybot);
    if (x_extent == 0.0) {
        throw std::invalid_argument("xleft and xright must differ, both are " +
                                    std::to_string(region.xleft));
    }
    if (y_extent == 0.0) {
        throw std::invalid_argument("ybot and ytop must differ, both are " +
                                    std::to_string(region.ybot));
    }
    if (!std::isfinite(x_extent) || !std::isfinite(y_extent)) {
        throw std::invalid_argument("the region's width and height must be finite numbers");
    }
}

}  // namespace

PixelGrid::PixelGrid(const Region& region, std::size_t resolution) : region_(region) {
    require_extents(region);
    require_side(resolution, "resolution");
    const double x_extent = std::abs(region.xright - region.xleft);
    const double y_extent = std::abs(region.ytop - region.ybot);
    // The seed's rule, operation for operation: round(nx * |dy| / |dx|), half away from zero.
    const double rows = std::round(static_cast<double>(resolution) * y_extent / x_extent);
    if (rows < 1.0) {
        throw std::invalid_argument("the region is too flat: its height rounds to 0 pixels at "
                                    "resolution " + std::to_string(resolution));
    }
    if (!(rows <= static_cast<double>(max_grid_side))) {
        throw std::length_error("the region is too tall: its height would be " +
                                std::to_string(rows) + " pixels, more than the largest "
                                "supported image side " + std::to_string(max_grid_side));
    }
    width_ = resolution;
    height_ = static_cast<std::size_t>(rows);
}

PixelGrid::PixelGrid(const Region& region, std::size_t width, std::size_t height)
    : region_(region) {
    require_extents(region);
    require_side(width, "width");
    require_side(height, "height");
    width_ = width;
    height_ = height;
}

void PixelGrid::check_window(const PixelWindow& window) const {
    if (window.x0 > width_ || window.width > width_ - window.x0 || window.y0 > height_ ||
        window.height > height_ - window.y0) {
        throw std::out_of_range("pixel window (x0=" + std::to_string(window.x0) +
                                ", y0=" + std::to_string(window.y0) +
                                ", width=" + std::to_string(window.width) +
                                ", height=" + std::to_string(window.height) +
                                ") is not inside the " + std::to_string(width_) + " x " +
                                std::to_string(height_) + " grid");
    }
}

}  // namespace juliaset
