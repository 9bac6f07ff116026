// The Python extension `juliaset._core`: converts arguments, allocates the numpy array, releases
// the GIL and calls the core. Everything else (the seed's classes, validation messages in the
// seed's vocabulary) lives in pure Python in python/juliaset/.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <future>
#include <limits>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "juliaset/juliaset.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace {

template <class T>
using Array2D = nb::ndarray<nb::numpy, T, nb::ndim<2>, nb::c_contig>;

// How often the waiting thread wakes to let Python run its signal handlers (Ctrl-C).
constexpr auto signal_poll_interval = std::chrono::milliseconds(50);

// Python ints arrive as int64 so that a negative or oversized value gets a ValueError naming
// the argument instead of nanobind's generic "incompatible function arguments".
std::uint32_t to_uint32(std::int64_t value, const char* name) {
    if (value < 0 || value > std::numeric_limits<std::uint32_t>::max()) {
        throw std::invalid_argument(std::string(name) + " must be between 0 and " +
                                    std::to_string(std::numeric_limits<std::uint32_t>::max()) +
                                    ", got " + std::to_string(value));
    }
    return static_cast<std::uint32_t>(value);
}

juliaset::PixelGrid make_grid(double xleft, double xright, double ybot, double ytop,
                              std::int64_t resolution) {
    if (resolution < 1) {
        throw std::invalid_argument("resolution must be at least 1, got " +
                                    std::to_string(resolution));
    }
    return juliaset::PixelGrid({xleft, xright, ybot, ytop}, static_cast<std::size_t>(resolution));
}

juliaset::JuliaParams make_params(double c_re, double c_im, double threshold,
                                  std::int64_t itermin, std::int64_t itermax) {
    // The core says "real part of c"; name the Python arguments instead.
    if (!std::isfinite(c_re)) {
        throw std::invalid_argument("c_re must be a finite number, got " + std::to_string(c_re));
    }
    if (!std::isfinite(c_im)) {
        throw std::invalid_argument("c_im must be a finite number, got " + std::to_string(c_im));
    }
    juliaset::JuliaParams params{c_re, c_im, threshold, to_uint32(itermin, "itermin"),
                                 to_uint32(itermax, "itermax")};
    params.validate();
    return params;
}

juliaset::RenderOptions make_options(std::int64_t threads, const std::string& kernel,
                                     const std::string& precision) {
    juliaset::RenderOptions options;
    if (threads < 0 || threads > std::numeric_limits<unsigned>::max()) {
        throw std::invalid_argument("threads must be 0 (all cores) or a positive count, got " +
                                    std::to_string(threads));
    }
    options.threads = static_cast<unsigned>(threads);
    if (kernel == "auto") {
        options.kernel = juliaset::Kernel::automatic;
    } else if (kernel == "scalar") {
        options.kernel = juliaset::Kernel::scalar;
    } else {
        throw std::invalid_argument("kernel must be \"auto\" or \"scalar\", got \"" + kernel +
                                    "\"");
    }
    if (precision == "exact") {
        options.precision = juliaset::Precision::exact;
    } else if (precision == "single") {
        options.precision = juliaset::Precision::single;
    } else {
        throw std::invalid_argument("precision must be \"exact\" or \"single\", got \"" +
                                    precision + "\"");
    }
    return options;
}

// Allocates a C-contiguous (height, width) numpy array owned by Python. The size is checked
// first, so that an absurd request is a MemoryError naming the size rather than a crash.
template <class T>
Array2D<T> allocate(const juliaset::PixelGrid& grid, const char* function, const char* dtype) {
    const std::size_t height = grid.height();
    const std::size_t width = grid.width();
    const std::size_t max_elements =
        static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(T);
    T* data = nullptr;
    if (width <= max_elements / height) {
        data = new (std::nothrow) T[height * width];
    }
    if (data == nullptr) {
        const double bytes = static_cast<double>(height) * static_cast<double>(width) *
                             static_cast<double>(sizeof(T));
        PyErr_Format(PyExc_MemoryError,
                     "%s: cannot allocate a %zu x %zu array of %s (%.4g bytes); "
                     "lower the resolution or split the region into tiles",
                     function, height, width, dtype, bytes);
        throw nb::python_error();
    }
    nb::capsule owner(data, [](void* p) noexcept { delete[] static_cast<T*>(p); });
    return Array2D<T>(data, {height, width}, owner);
}

// Runs `render(cancel_flag)` on a worker thread while this thread, with the GIL released,
// wakes every signal_poll_interval to run Python's signal handlers. A handler that raises
// (KeyboardInterrupt on Ctrl-C) raises the cancel flag; the core then stops between tasks and
// joins its threads, and the Python exception propagates. Must be called with the GIL held and
// after every Python object has been converted: the worker never touches Python.
template <class Render>
void run_interruptibly(Render&& render) {
    std::atomic<bool> cancel{false};
    std::promise<void> finished;
    std::future<void> outcome = finished.get_future();
    bool interrupted = false;
    {
        nb::gil_scoped_release release;
        std::thread worker([&] {
            try {
                render(&cancel);
                finished.set_value();
            } catch (...) {
                finished.set_exception(std::current_exception());
            }
        });
        while (outcome.wait_for(signal_poll_interval) != std::future_status::ready) {
            nb::gil_scoped_acquire acquire;
            if (PyErr_CheckSignals() != 0) {
                interrupted = true;
                cancel.store(true, std::memory_order_relaxed);
                break;
            }
        }
        worker.join();
    }
    if (interrupted) {
        // The handler's exception (still this thread's pending Python error) wins over the
        // render's own outcome, normally juliaset::Cancelled.
        try {
            outcome.get();
        } catch (...) {
        }
        throw nb::python_error();
    }
    outcome.get();  // rethrows the core's exception, if any
}

template <class T, class RenderFn>
Array2D<T> render_array(double xleft, double xright, double ybot, double ytop,
                        std::int64_t resolution, double c_re, double c_im, double threshold,
                        std::int64_t itermin, std::int64_t itermax, std::int64_t threads,
                        const std::string& kernel, const std::string& precision,
                        const char* function, const char* dtype,
                        RenderFn render_fn) {
    const juliaset::PixelGrid grid = make_grid(xleft, xright, ybot, ytop, resolution);
    const juliaset::JuliaParams params = make_params(c_re, c_im, threshold, itermin, itermax);
    juliaset::RenderOptions options = make_options(threads, kernel, precision);
    Array2D<T> out = allocate<T>(grid, function, dtype);
    const std::span<T> buffer(out.data(), grid.pixel_count());
    run_interruptibly([&](const std::atomic<bool>* cancel) {
        options.cancel = cancel;
        render_fn(grid, params, grid.full_window(), buffer, options);
    });
    return out;
}

Array2D<std::complex<double>> grid_points(double xleft, double xright, double ybot, double ytop,
                                          std::int64_t resolution) {
    const juliaset::PixelGrid grid = make_grid(xleft, xright, ybot, ytop, resolution);
    Array2D<std::complex<double>> out =
        allocate<std::complex<double>>(grid, "grid_points", "complex128");
    std::complex<double>* data = out.data();
    {
        // Pure C++ from here on: let other Python threads run.
        nb::gil_scoped_release release;
        for (std::size_t row = 0; row < grid.height(); ++row) {
            const double y = grid.y(row);
            for (std::size_t column = 0; column < grid.width(); ++column) {
                data[row * grid.width() + column] = {grid.x(column), y};
            }
        }
    }
    return out;
}

constexpr const char* render_args_doc = R"(
The grid has ``width = resolution`` columns and ``height = round(width * |ytop - ybot| /
|xright - xleft|)`` rows; column ``i`` samples ``x = i / width * (xright - xleft) + xleft``
and row ``j`` samples ``y = j / height * (ybot - ytop) + ytop`` (top row first; the right and
bottom edges are not sampled). A point's escape count is the 0-based index of the first
iterate of ``z <- z*z + c`` with ``|z|^2 > threshold^2``, or ``itermax`` if there is none.

``threads=0`` uses every core; ``kernel`` is ``"auto"`` (SIMD, chosen at run time) or
``"scalar"`` (the reference loop). Results do not depend on either. ``precision="single"``
computes in float, about twice as fast but not bit-exact (pixels near the boundary differ;
itermax at most 2**24). The GIL is released while rendering and Ctrl-C interrupts the render.

Raises ValueError naming the argument for invalid parameters and MemoryError when the array
cannot be allocated.)";

std::string render_doc(const char* summary) { return std::string(summary) + "\n" + render_args_doc; }

}  // namespace

NB_MODULE(_core, m) {
    m.doc() = "Native core of juliaset: escape-time rendering of filled Julia sets of z^2 + c.";
    m.attr("version") = juliaset::version;

    // One argument list for the three renderers; defaults follow the core's RenderOptions.
    const auto render_args = std::make_tuple(
        "xleft"_a, "xright"_a, "ybot"_a, "ytop"_a, "resolution"_a, "c_re"_a, "c_im"_a,
        "threshold"_a, "itermin"_a, "itermax"_a, nb::kw_only(), "threads"_a = 0,
        "kernel"_a = "auto", "precision"_a = "exact");

    const auto bind_renderer = [&](const char* name, const char* summary, const char* dtype,
                                   auto tag, auto render_fn) {
        using T = typename decltype(tag)::type;
        std::apply(
            [&](auto... args) {
                m.def(
                    name,
                    [name, dtype, render_fn](double xleft, double xright, double ybot,
                                             double ytop, std::int64_t resolution, double c_re,
                                             double c_im, double threshold,
                                             std::int64_t itermin, std::int64_t itermax,
                                             std::int64_t threads, const std::string& kernel,
                                             const std::string& precision) {
                        return render_array<T>(xleft, xright, ybot, ytop, resolution, c_re, c_im,
                                               threshold, itermin, itermax, threads, kernel,
                                               precision, name, dtype, render_fn);
                    },
                    args..., render_doc(summary).c_str());
            },
            render_args);
    };

    bind_renderer("escape_counts", "Escape count of every pixel, as a uint32 array (height, width).",
                  "uint32", std::type_identity<std::uint32_t>{},
                  [](const auto&... a) { juliaset::render_counts(a...); });
    bind_renderer("normalized_values",
                  "The seed's (max(k, itermin) - itermin) / (itermax - itermin) of every pixel, "
                  "as a float64 array (height, width).",
                  "float64", std::type_identity<double>{},
                  [](const auto&... a) { juliaset::render_values(a...); });
    bind_renderer("gray_image",
                  "The seed's 8-bit gray level (normalized value * 255, truncated) of every "
                  "pixel, as a uint8 array (height, width).",
                  "uint8", std::type_identity<std::uint8_t>{},
                  [](const auto&... a) { juliaset::render_gray(a...); });

    m.def(
        "grid_shape",
        [](double xleft, double xright, double ybot, double ytop, std::int64_t resolution) {
            const juliaset::PixelGrid grid = make_grid(xleft, xright, ybot, ytop, resolution);
            return std::make_pair(grid.width(), grid.height());
        },
        "xleft"_a, "xright"_a, "ybot"_a, "ytop"_a, "resolution"_a,
        "The (width, height) in pixels of the grid the renderers sample.");
    m.def("grid_points", &grid_points, "xleft"_a, "xright"_a, "ybot"_a, "ytop"_a,
          "resolution"_a,
          "The complex points the renderers sample, as a complex128 array (height, width):\n"
          "exactly the x and y values of the native grid, top row first.");
    m.def("simd_target", &juliaset::simd_target_name,
          "Name of the SIMD target kernel=\"auto\" uses on this CPU.");
    m.def("available_simd_targets", &juliaset::available_simd_targets,
          "Names of the compiled SIMD targets this CPU can run, best first.");
    m.def("force_simd_target", &juliaset::force_simd_target, "name"_a,
          "Restrict kernel=\"auto\" to one of available_simd_targets(), or lift the restriction\n"
          "with \"\". Process-wide: meant for tests and benchmarks.");
}
