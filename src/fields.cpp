// Fields: one scalar loop per point that follows the oracle's arithmetic for z (so counts are
// bit-exact) and carries the derivative along in std::complex<double>. Grid windows and points
// take the SIMD kernel (fields_simd.cpp) unless Kernel::scalar is asked for: it gives the same
// counts, final |z|^2 and derivative bit for bit, and both paths derive the smooth count and
// the distance from those with smooth_count() and distance_estimate().
#include "juliaset/fields.hpp"

#include "bands.hpp"
#include "fields_kernels.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace juliaset {

namespace {

struct PointFields {
    std::uint32_t count;
    double final_norm;
    double smooth;
    double distance;
};

// z^(power-1) and z^power with the reference products; z^power is what the count uses.
struct Powers {
    std::complex<double> below;  // z^(power-1)
    double re;                   // Re z^power
    double im;                   // Im z^power
};

Powers powers_of(double z_re, double z_im, std::uint32_t power) noexcept {
    double re = z_re;
    double im = z_im;
    double below_re = 1.0;
    double below_im = 0.0;
    for (std::uint32_t p = 1; p < power; ++p) {
        below_re = re;
        below_im = im;
        const double next_re = re * z_re - im * z_im;
        const double next_im = re * z_im + im * z_re;
        re = next_re;
        im = next_im;
    }
    return {{below_re, below_im}, re, im};
}

// The distance estimate |z| ln|z| / |dz| of a point that escaped with final |z|^2 `norm` and
// derivative dz; 0 where it is undefined.
double distance_estimate(double norm, std::complex<double> dz) noexcept {
    const double modulus = std::sqrt(norm);
    const double derivative = std::abs(dz);
    return derivative > 0.0 && std::isfinite(modulus) ? modulus * std::log(modulus) / derivative
                                                      : 0.0;
}

PointFields fields_of_point(double x, double y, const JuliaParams& params,
                            double threshold_squared, bool want_derivative,
                            const std::atomic<bool>* cancel) noexcept {
    const bool mandelbrot = params.family == Family::mandelbrot;
    double z_re = mandelbrot ? 0.0 : x;
    double z_im = mandelbrot ? 0.0 : y;
    const double c_re = mandelbrot ? x : params.c_re;
    const double c_im = mandelbrot ? y : params.c_im;
    // d z_n / d z0 starts at 1 (Julia); d z_n / d c starts at 0 (Mandelbrot).
    std::complex<double> dz = mandelbrot ? 0.0 : 1.0;
    const double power = static_cast<double>(params.power);

    std::uint32_t k = 0;
    double norm = 0.0;
    for (;;) {
        const Powers zp = powers_of(z_re, z_im, params.power);
        if (want_derivative) {
            dz = power * zp.below * dz + (mandelbrot ? 1.0 : 0.0);
        }
        z_re = zp.re + c_re;
        z_im = zp.im + c_im;
        norm = z_re * z_re + z_im * z_im;
        if (k == params.itermax || norm > threshold_squared) break;
        ++k;
        // Give up on a raised cancel flag now and then; the caller discards the result.
        if (k % 65536 == 0 && cancel != nullptr && cancel->load(std::memory_order_relaxed)) break;
    }
    PointFields result{k, norm, static_cast<double>(params.itermax), 0.0};
    if (k < params.itermax) {  // escaped: norm is the first |z|^2 outside
        result.smooth =
            detail::smooth_count(k, norm, std::log(threshold_squared), std::log(power));
        if (want_derivative) result.distance = distance_estimate(norm, dz);
    }
    return result;
}

// An empty buffer is a field not wanted; any other must fit.
void check_buffer(std::size_t have, std::size_t need, const char* name) {
    if (have != 0) detail::check_buffer_size(have, need, name);
}

void check_request(const FieldBuffers& out, std::size_t need, const JuliaParams& params,
                   const RenderOptions& options) {
    params.validate();
    if (out.empty()) throw std::invalid_argument("no field requested");
    check_buffer(out.counts.size(), need, "counts");
    check_buffer(out.smooth.size(), need, "smooth");
    check_buffer(out.final_norm.size(), need, "final_norm");
    check_buffer(out.interior.size(), need, "interior");
    check_buffer(out.distance.size(), need, "distance");
    if (!out.smooth.empty() && !(params.threshold > 1.0)) {
        throw std::invalid_argument("the smooth count needs threshold > 1, got " +
                                    std::to_string(params.threshold));
    }
    if (options.precision != Precision::exact) {
        throw std::invalid_argument("fields are computed in exact (double) precision only");
    }
}

bool cancelled(const RenderOptions& options) noexcept {
    return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed);
}

void store(const FieldBuffers& out, std::size_t index, const PointFields& f,
           std::uint32_t itermax) noexcept {
    if (!out.counts.empty()) out.counts[index] = f.count;
    if (!out.smooth.empty()) out.smooth[index] = f.smooth;
    if (!out.final_norm.empty()) out.final_norm[index] = f.final_norm;
    if (!out.interior.empty()) out.interior[index] = f.count == itermax ? 1 : 0;
    if (!out.distance.empty()) out.distance[index] = f.distance;
}

// The kernel's results for a run of `n` samples, and what the requested fields need of them.
class KernelRun {
public:
    KernelRun(const JuliaParams& params, const FieldBuffers& out, std::size_t n)
        : params_(params),
          out_(out),
          threshold_squared_(params.threshold * params.threshold),
          log_threshold_squared_(std::log(threshold_squared_)),
          log_power_(std::log(static_cast<double>(params.power))),
          counts_(n),
          norms_(n),
          dz_re_(out.distance.empty() ? 0 : n),
          dz_im_(out.distance.empty() ? 0 : n) {}

    // A task for the kernel over these buffers; the caller sets the samples.
    [[nodiscard]] detail::FieldsTask task(const RenderOptions& options) {
        detail::FieldsTask task{nullptr,
                                nullptr,
                                0,
                                0,
                                params_.c_re,
                                params_.c_im,
                                threshold_squared_,
                                params_.itermax,
                                params_.power,
                                params_.family == Family::mandelbrot,
                                options.cancel,
                                counts_.data(),
                                norms_.data()};
        if (!out_.distance.empty()) {
            task.dz_re = dz_re_.data();
            task.dz_im = dz_im_.data();
        }
        return task;
    }

    // Writes the requested fields of results [from, from + n) to the outputs at `to`. Escaped
    // samples whose derivative came out NaN in both parts get recompute(i) (the scalar loop's
    // PointFields of result from + i) instead: orbits whose derivative overflowed, where GCC's
    // complex product calls __muldc3, which recovers infinities.
    template <class Recompute>
    void write(std::size_t from, std::size_t n, std::size_t to, Recompute recompute) const {
        const std::uint32_t itermax = params_.itermax;
        const std::uint32_t* k = counts_.data() + from;
        const double* norm = norms_.data() + from;
        if (!out_.counts.empty()) std::copy_n(k, n, out_.counts.data() + to);
        if (!out_.final_norm.empty()) std::copy_n(norm, n, out_.final_norm.data() + to);
        if (!out_.smooth.empty()) {
            double* smooth = out_.smooth.data() + to;
            detail::smooth_counts(k, norm, n, log_threshold_squared_, log_power_, smooth);
            for (std::size_t i = 0; i < n; ++i) {
                if (k[i] >= itermax) smooth[i] = static_cast<double>(itermax);
            }
        }
        if (!out_.interior.empty()) {
            std::uint8_t* interior = out_.interior.data() + to;
            for (std::size_t i = 0; i < n; ++i) interior[i] = k[i] == itermax ? 1 : 0;
        }
        if (out_.distance.empty()) return;
        const double* dz_re = dz_re_.data() + from;
        const double* dz_im = dz_im_.data() + from;
        double* distance = out_.distance.data() + to;
        for (std::size_t i = 0; i < n; ++i) {
            distance[i] =
                k[i] < itermax ? distance_estimate(norm[i], {dz_re[i], dz_im[i]}) : 0.0;
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (k[i] < itermax && std::isnan(dz_re[i]) && std::isnan(dz_im[i])) {
                store(out_, to + i, recompute(i), itermax);
            }
        }
    }

    [[nodiscard]] double threshold_squared() const noexcept { return threshold_squared_; }

private:
    const JuliaParams& params_;
    const FieldBuffers& out_;
    double threshold_squared_;
    double log_threshold_squared_;
    double log_power_;
    std::vector<std::uint32_t> counts_;
    std::vector<double> norms_;
    std::vector<double> dz_re_;
    std::vector<double> dz_im_;
};

// Every requested field of `window` with the SIMD kernel, in pieces of at most
// samples_per_piece pixels on options.threads threads, so that the kernel's buffers stay
// bounded (about 0.8 MB a thread, 1.8 MB with the distance) however wide the window.
void render_fields_simd(const PixelGrid& grid, const JuliaParams& params,
                        const PixelWindow& window, const FieldBuffers& out,
                        const RenderOptions& options) {
    // Pieces of at least 4 rows (the kernel's tile height), at most samples_per_piece pixels.
    const std::size_t piece_columns = std::min<std::size_t>(window.width, detail::samples_per_piece / 4);
    const std::size_t piece_rows = detail::samples_per_piece / std::max<std::size_t>(piece_columns, 1);
    detail::for_each_piece(
        window, piece_rows, piece_columns, options,
        [&](const PixelWindow& piece, std::size_t first_row, std::size_t first_column) {
            std::vector<double> xs(piece.width), ys(piece.height);
            for (std::size_t i = 0; i < piece.width; ++i) xs[i] = grid.x(piece.x0 + i);
            for (std::size_t j = 0; j < piece.height; ++j) ys[j] = grid.y(piece.y0 + j);
            KernelRun run(params, out, piece.size());
            detail::FieldsTask task = run.task(options);
            task.xs = xs.data();
            task.ys = ys.data();
            task.width = piece.width;
            task.height = piece.height;
            detail::fields_simd(task);
            if (task.cancelled()) return;  // parallel_for reports Cancelled
            for (std::size_t row = 0; row < piece.height; ++row) {
                run.write(row * piece.width, piece.width,
                          (first_row + row) * window.width + first_column, [&](std::size_t c) {
                              return fields_of_point(xs[c], ys[row], params,
                                                     run.threshold_squared(),
                                                     /*want_derivative=*/true, options.cancel);
                          });
            }
        });
}

}  // namespace

void render_fields(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                   const FieldBuffers& out, const RenderOptions& options) {
    check_request(out, window.size(), params, options);
    grid.check_window(window);
    if (options.kernel == Kernel::automatic) {
        if (window.size() != 0) render_fields_simd(grid, params, window, out, options);
        return;
    }
    const double threshold_squared = params.threshold * params.threshold;
    const bool want_derivative = !out.distance.empty();
    parallel_for(
        window.height, options.threads,
        [&](std::size_t row) {
            const double y = grid.y(window.y0 + row);
            for (std::size_t column = 0; column < window.width; ++column) {
                if (cancelled(options)) return;  // prompt Ctrl-C even for huge itermax
                const std::size_t index = row * window.width + column;
                const PointFields f = fields_of_point(grid.x(window.x0 + column), y, params,
                                                      threshold_squared, want_derivative,
                                                      options.cancel);
                store(out, index, f, params.itermax);
            }
        },
        options.cancel);
}

void render_fields_at(std::span<const std::complex<double>> points, const JuliaParams& params,
                      const FieldBuffers& out, const RenderOptions& options) {
    check_request(out, points.size(), params, options);
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (!std::isfinite(points[i].real()) || !std::isfinite(points[i].imag())) {
            throw std::invalid_argument("point " + std::to_string(i) +
                                        " is not a finite complex number");
        }
    }
    const double threshold_squared = params.threshold * params.threshold;
    const bool want_derivative = !out.distance.empty();
    constexpr std::size_t chunk = 4096;
    parallel_for(
        (points.size() + chunk - 1) / chunk, options.threads,
        [&](std::size_t task) {
            const std::size_t begin = task * chunk;
            const std::size_t end = std::min(points.size(), begin + chunk);
            if (options.kernel == Kernel::automatic) {
                std::vector<double> xs(end - begin), ys(end - begin);
                for (std::size_t i = begin; i < end; ++i) {
                    xs[i - begin] = points[i].real();
                    ys[i - begin] = points[i].imag();
                }
                KernelRun run(params, out, end - begin);
                detail::FieldsTask kernel_task = run.task(options);
                kernel_task.xs = xs.data();
                kernel_task.point_ys = ys.data();
                kernel_task.width = end - begin;
                kernel_task.height = 1;
                detail::fields_simd(kernel_task);
                if (kernel_task.cancelled()) return;  // parallel_for reports Cancelled
                run.write(0, end - begin, begin, [&](std::size_t i) {
                    return fields_of_point(xs[i], ys[i], params, threshold_squared,
                                           /*want_derivative=*/true, options.cancel);
                });
                return;
            }
            for (std::size_t i = begin; i < end; ++i) {
                if (cancelled(options)) return;
                const PointFields f = fields_of_point(points[i].real(), points[i].imag(),
                                                      params, threshold_squared, want_derivative,
                                                      options.cancel);
                store(out, i, f, params.itermax);
            }
        },
        options.cancel);
}

}  // namespace juliaset
