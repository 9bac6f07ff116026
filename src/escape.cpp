// The reference (oracle) arithmetic, validation, and the dispatch between kernels.
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "bands.hpp"
#include "escape_kernels.hpp"
#include "juliaset/escape.hpp"

namespace juliaset {

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
    if (power < min_power || power > max_power) {
        throw std::invalid_argument("power must be between " + std::to_string(min_power) +
                                    " and " + std::to_string(max_power) + ", got " +
                                    std::to_string(power));
    }
    if (itermin >= itermax) {
        throw std::invalid_argument("itermin (" + std::to_string(itermin) +
                                    ") must be smaller than itermax (" +
                                    std::to_string(itermax) + ")");
    }
}

namespace {

// The oracle's loop for any floating-point type (Precision::single's reference too) and any
// power: z^power by repeated products (a*c - b*d, a*d + b*c), left to right.
// kPollCancel: every cancel_poll_interval steps, give up (returning a meaningless count)
// once `cancel` is raised; the oracle itself is the kPollCancel = false instance.
template <class Real, bool kPollCancel = false>
std::uint32_t escape_count_in(Real z_re, Real z_im, Real c_re, Real c_im, Real threshold_squared,
                              std::uint32_t itermax, std::uint32_t power = 2,
                              const std::atomic<bool>* cancel = nullptr) noexcept {
    std::uint32_t k = 0;
    for (;;) {
        Real re = z_re;
        Real im = z_im;
        for (std::uint32_t p = 1; p < power; ++p) {
            const Real next_re = re * z_re - im * z_im;
            const Real next_im = re * z_im + im * z_re;
            re = next_re;
            im = next_im;
        }
        z_re = re + c_re;
        z_im = im + c_im;
        if (k == itermax || z_re * z_re + z_im * z_im > threshold_squared) return k;
        ++k;
        if constexpr (kPollCancel) {
            if (k % detail::cancel_poll_interval == 0 && cancel->load(std::memory_order_relaxed)) {
                return k;
            }
        }
    }
}

template <class Real>
void run_kernel(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                std::uint32_t* out, Kernel kernel, const std::atomic<bool>* cancel) {
    // Sample coordinates are computed once per column and row with the grid's exact double
    // formula (then rounded to Real), so every kernel sees the very same values.
    std::vector<Real> xs(window.width);
    std::vector<Real> ys(window.height);
    for (std::size_t i = 0; i < window.width; ++i) xs[i] = static_cast<Real>(grid.x(window.x0 + i));
    for (std::size_t j = 0; j < window.height; ++j) ys[j] = static_cast<Real>(grid.y(window.y0 + j));
    const Real threshold = static_cast<Real>(params.threshold);
    const detail::KernelTask<Real> task{xs.data(),
                                        ys.data(),
                                        window.width,
                                        window.height,
                                        static_cast<Real>(params.c_re),
                                        static_cast<Real>(params.c_im),
                                        threshold * threshold,
                                        params.itermax,
                                        out};
    detail::KernelTask<Real> family_task = task;
    family_task.mandelbrot = params.family == Family::mandelbrot;
    family_task.power = params.power;
    family_task.cancel = cancel;
    // The SIMD kernels cover z^2 + c; higher powers run the reference loop.
    if (kernel == Kernel::automatic && params.power == 2) {
        detail::escape_counts_simd(family_task);
    } else {
        detail::escape_counts_scalar(family_task);
    }
}

}  // namespace

std::uint32_t escape_count(double z_re, double z_im, double c_re, double c_im,
                           double threshold_squared, std::uint32_t itermax) noexcept {
    // The seed's loop exactly: step, then stop if k == itermax or |z|^2 > t^2.
    return escape_count_in<double>(z_re, z_im, c_re, c_im, threshold_squared, itermax);
}

std::uint32_t escape_count(double z_re, double z_im, double c_re, double c_im,
                           double threshold_squared, std::uint32_t itermax,
                           std::uint32_t power) noexcept {
    return escape_count_in<double>(z_re, z_im, c_re, c_im, threshold_squared, itermax, power);
}

void escape_counts(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                   std::span<std::uint32_t> out, Kernel kernel, Precision precision) {
    detail::escape_counts_until(grid, params, window, out, kernel, precision, nullptr);
}

void detail::escape_counts_until(const PixelGrid& grid, const JuliaParams& params,
                                 const PixelWindow& window, std::span<std::uint32_t> out,
                                 Kernel kernel, Precision precision,
                                 const std::atomic<bool>* cancel) {
    params.validate();
    grid.check_window(window);
    check_buffer_size(out.size(), window.size(), "output");
    if (precision == Precision::single) {
        if (params.itermax > max_single_precision_itermax) {
            throw std::invalid_argument("single precision supports itermax up to " +
                                        std::to_string(max_single_precision_itermax) +
                                        ", got " + std::to_string(params.itermax));
        }
        if (!std::isfinite(static_cast<float>(params.threshold) *
                           static_cast<float>(params.threshold))) {
            throw std::invalid_argument("threshold is too large for single precision: its "
                                        "square overflows a float");
        }
    }
    if (window.size() == 0) return;
    if (precision == Precision::single) {
        run_kernel<float>(grid, params, window, out.data(), kernel, cancel);
    } else {
        run_kernel<double>(grid, params, window, out.data(), kernel, cancel);
    }
}

namespace detail {

template <class Real, bool kPollCancel>
static void scalar_tiles(const KernelTask<Real>& task) noexcept {
    for (std::size_t j = 0; j < task.height; ++j) {
        std::uint32_t* row = task.out + j * task.width;
        for (std::size_t i = 0; i < task.width; ++i) {
            if (task.cancelled()) return;
            row[i] = task.mandelbrot
                         ? escape_count_in<Real, kPollCancel>(0, 0, task.xs[i], task.ys[j],
                                                              task.threshold_squared,
                                                              task.itermax, task.power, task.cancel)
                         : escape_count_in<Real, kPollCancel>(task.xs[i], task.ys[j], task.c_re,
                                                              task.c_im, task.threshold_squared,
                                                              task.itermax, task.power, task.cancel);
        }
    }
}

// Polling inside a pixel only pays when one pixel can take long.
template <class Real>
static void scalar_tiles(const KernelTask<Real>& task) noexcept {
    if (task.cancel != nullptr && task.itermax > cancel_poll_interval) {
        scalar_tiles<Real, true>(task);
    } else {
        scalar_tiles<Real, false>(task);
    }
}

void escape_counts_scalar(const KernelTask<double>& task) noexcept { scalar_tiles(task); }
void escape_counts_scalar(const KernelTask<float>& task) noexcept { scalar_tiles(task); }

}  // namespace detail
}  // namespace juliaset
