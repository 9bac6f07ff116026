// Private: the SIMD kernel behind render_fields(), called after validation.
#pragma once

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace juliaset::detail {

/// The continuous count k + 1 - log(log(norm) / log(t^2)) / log(power) of points that escaped
/// at counts[i] with final |z|^2 norms[i], given log(t^2) and log(power), into out[i], for
/// i < n: every path (the double fields, their scalar oracle and the deep engine) computes it
/// here, with a logarithm of this project's (fields_simd.cpp) that gives the same bits on
/// every SIMD target.
void smooth_counts(const std::uint32_t* counts, const double* norms, std::size_t n,
                   double log_threshold_squared, double log_power, double* out) noexcept;

/// smooth_counts() of one point.
[[nodiscard]] inline double smooth_count(std::uint32_t k, double norm,
                                         double log_threshold_squared, double log_power) noexcept {
    double smooth = 0.0;
    smooth_counts(&k, &norm, 1, log_threshold_squared, log_power, &smooth);
    return smooth;
}

/// One window of the fields kernel: sample coordinates per column (`width`) and per row
/// (`height`), the iteration constants, and where the per-pixel results go (row-major). Or,
/// with `point_ys`, `width` arbitrary points (xs[i], point_ys[i]) and `height` 1.
struct FieldsTask {
    const double* xs;
    const double* ys;  ///< unused for points
    std::size_t width;
    std::size_t height;
    double c_re;  ///< unused for the Mandelbrot family
    double c_im;
    double threshold_squared;
    std::uint32_t itermax;
    std::uint32_t power;  ///< any power in [min_power, max_power]
    bool mandelbrot;
    /// Polled between rows of tiles and every cancel_poll_interval steps; once raised the
    /// kernel returns with the outputs incomplete.
    const std::atomic<bool>* cancel;
    std::uint32_t* counts;  ///< the oracle's escape counts
    double* final_norm;     ///< |z|^2 of the last iterate the oracle computed for the pixel
    /// The derivative dz at that iterate (for escaped pixels; unspecified for others), or
    /// nullptr for none. Where both parts are NaN the scalar loop's complex product took
    /// __muldc3's path, which the kernel does not follow: the caller recomputes those pixels.
    double* dz_re = nullptr;
    double* dz_im = nullptr;
    /// The imaginary parts of `width` points, or nullptr for a grid window.
    const double* point_ys = nullptr;

    [[nodiscard]] bool cancelled() const noexcept {
        return cancel != nullptr && cancel->load(std::memory_order_relaxed);
    }
};

/// Counts and final |z|^2 of every pixel of `task`, bit for bit those of the scalar per-pixel
/// loop in fields.cpp, on the SIMD target escape_counts_simd() uses.
void fields_simd(const FieldsTask& task) noexcept;

}  // namespace juliaset::detail
