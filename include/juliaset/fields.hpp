// Per-pixel fields beyond the escape count: smooth count, final |z|^2, interior flag and a
// distance estimate, for grid windows or for arbitrary points.
#pragma once

#include <complex>
#include <cstdint>
#include <span>

#include "juliaset/escape.hpp"
#include "juliaset/grid.hpp"
#include "juliaset/render.hpp"

namespace juliaset {

/// Where render_fields() writes; an empty span is a field not wanted. Every non-empty span
/// holds one value per pixel (or point), row-major for a window.
struct FieldBuffers {
    /// Escape counts, identical to escape_counts().
    std::span<std::uint32_t> counts{};
    /// Continuous iteration count k + 1 - log(log|z|^2 / log t^2) / log(power) for points that
    /// escape (z is the first iterate outside, t the threshold; needs t > 1). It is continuous
    /// across count bands and lies in (k, k + 1] when c is small against t; points that start
    /// far outside can get less than k (even below 0). Points that never escape get itermax.
    std::span<double> smooth{};
    /// |z|^2 of the last iterate the count rule computed (the first one outside, or the
    /// (itermax + 1)-th one). May be inf or NaN for orbits that overflowed.
    std::span<double> final_norm{};
    /// 1 for points that never escaped within itermax iterations, else 0.
    std::span<std::uint8_t> interior{};
    /// Exterior distance estimate |z| ln|z| / |dz| with dz the derivative of the orbit with
    /// respect to z0 (Julia) or c (Mandelbrot), tracked alongside; 0 for interior points.
    std::span<double> distance{};

    [[nodiscard]] bool empty() const noexcept {
        return counts.empty() && smooth.empty() && final_norm.empty() && interior.empty() &&
               distance.empty();
    }
};

/// All requested fields of every pixel of `window`, on several threads. Counts use the
/// reference arithmetic. Throws like render_counts(), and std::invalid_argument when a
/// non-empty buffer has the wrong size, when nothing is requested, or when `smooth` is
/// requested with threshold <= 1. Precision::single is not supported here.
void render_fields(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                   const FieldBuffers& out, const RenderOptions& options = {});

/// The same fields for arbitrary points: each point is z0 (Julia) or c (Mandelbrot).
/// Non-finite points are rejected with std::invalid_argument naming their index.
void render_fields_at(std::span<const std::complex<double>> points, const JuliaParams& params,
                      const FieldBuffers& out, const RenderOptions& options = {});

}  // namespace juliaset
