// The reference (oracle) arithmetic, validation, and the dispatch between kernels.
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "escape_kernels.hpp"
#include "juliaset/escape.hpp"

namespace juliaset {

std::uint32_t escape_count(double z_re, double z_im, double c_re, double c_im,
                           double threshold_squared, std::uint32_t itermax) noexcept {
    // Mirrors the seed loop exactly: step, then stop if k == itermax or |z|^2 > t^2.
    std::uint32_t k = 0;
    for (;;) {
        const double re = z_re * z_re - z_im * z_im;
        const double im = z_re * z_im + z_im * z_re;
        z_re = re + c_re;
        z_im = im + c_im;
        if (k == itermax || z_re * z_re + z_im * z_im > threshold_squared) {
            return k;
        }
        ++k;
    }
}

void JuliaParams::validate() const {
    if (!std::isfinite(c_re)) {
        throw std::invalid_argument("real part of c must be a finite number, got " +
                                    std::to_string(c_re));
    }
    if (!std::isfinite(c_im)) {
        throw std::invalid_argument("imaginary part of c must be a finite number, got " +
                                    std::to_string(c_im));
    }
    if (!std::isfinite(threshold) || !(threshold > 0.0)) {
        throw std::invalid_argument("threshold must be a finite number above 0, got " +
                                    std::to_string(threshold));
    }
    if (!std::isfinite(threshold * threshold)) {
        throw std::invalid_argument("threshold is too large: its square overflows a double");
    }
    if (itermin >= itermax) {
        throw std::invalid_argument("itermin (" + std::to_string(itermin) +
                                    ") must be smaller than itermax (" +
                                    std::to_string(itermax) + ")");
    }
}

void escape_counts(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                   std::span<std::uint32_t> out, Kernel kernel) {
    params.validate();
    grid.check_window(window);
    if (out.size() != window.size()) {
        throw std::invalid_argument("output buffer holds " + std::to_string(out.size()) +
                                    " counts, the window needs " +
                                    std::to_string(window.size()));
    }
    if (window.size() == 0) return;

    // Sample coordinates are computed once per column and row, with the grid's exact formula,
    // so every kernel sees the very same doubles.
    std::vector<double> xs(window.width);
    std::vector<double> ys(window.height);
    for (std::size_t i = 0; i < window.width; ++i) xs[i] = grid.x(window.x0 + i);
    for (std::size_t j = 0; j < window.height; ++j) ys[j] = grid.y(window.y0 + j);

    const detail::KernelTask task{xs.data(),    ys.data(),   window.width,
                                  window.height, params.c_re, params.c_im,
                                  params.threshold * params.threshold,
                                  params.itermax, out.data()};
    switch (kernel) {
        case Kernel::scalar: detail::escape_counts_scalar(task); break;
        case Kernel::automatic: detail::escape_counts_simd(task); break;
    }
}

namespace detail {

void escape_counts_scalar(const KernelTask& task) noexcept {
    for (std::size_t j = 0; j < task.height; ++j) {
        std::uint32_t* row = task.out + j * task.width;
        for (std::size_t i = 0; i < task.width; ++i) {
            row[i] = escape_count(task.xs[i], task.ys[j], task.c_re, task.c_im,
                                  task.threshold_squared, task.itermax);
        }
    }
}

}  // namespace detail
}  // namespace juliaset
