// The Python extension `juliaset._core`: converts arguments, allocates the numpy array, releases
// the GIL and calls the core. Everything else (the seed's classes, validation messages in the
// seed's vocabulary) lives in pure Python in python/juliaset/.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <future>
#include <limits>
#include <memory>
#include <optional>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "juliaset/deep.hpp"
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

// Allocates a C-contiguous numpy array of `shape` owned by Python. The size is checked first,
// so that an absurd request is a MemoryError naming the size rather than a crash. `Array` is
// the typed array by default; the colour renderer asks for an untyped one (its dtype varies).
template <class T, class Array = nb::ndarray<nb::numpy, T, nb::c_contig>>
Array allocate(std::span<const std::size_t> shape, const char* function, const char* dtype) {
    const std::size_t max_elements =
        static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(T);
    std::size_t elements = 1;
    bool fits = true;
    for (const std::size_t side : shape) {
        if (side != 0 && elements > max_elements / side) {
            fits = false;
            break;
        }
        elements *= side;
    }
    T* data = fits ? new (std::nothrow) T[elements] : nullptr;
    if (data == nullptr) {
        double bytes = static_cast<double>(sizeof(T));
        std::string sides;
        for (const std::size_t side : shape) {
            bytes *= static_cast<double>(side);
            sides += (sides.empty() ? "" : " x ") + std::to_string(side);
        }
        PyErr_Format(PyExc_MemoryError,
                     "%s: cannot allocate a %s array of %s (%.4g bytes); "
                     "lower the resolution or split the region into tiles",
                     function, sides.c_str(), dtype, bytes);
        throw nb::python_error();
    }
    nb::capsule owner(data, [](void* p) noexcept { delete[] static_cast<T*>(p); });
    return Array(data, shape.size(), shape.data(), owner, nullptr, nb::dtype<T>());
}

template <class T>
Array2D<T> allocate(const juliaset::PixelGrid& grid, const char* function, const char* dtype) {
    const std::size_t shape[] = {grid.height(), grid.width()};
    return allocate<T, Array2D<T>>(shape, function, dtype);
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

// --- fields, points and colour images (families, powers, colormaps) ------------------------

template <class T>
using Array = nb::ndarray<nb::numpy, T, nb::c_contig>;
// An image's dtype and number of dimensions depend on its format.
using ImageArray = nb::ndarray<nb::numpy, nb::c_contig>;
using PointArray = nb::ndarray<const std::complex<double>, nb::c_contig, nb::device::cpu>;
using ColourTable = nb::ndarray<const double, nb::shape<juliaset::Colormap::size, 3>,
                                nb::c_contig, nb::device::cpu>;

juliaset::PixelGrid make_sized_grid(double xleft, double xright, double ybot, double ytop,
                                    std::int64_t width, std::int64_t height) {
    if (width < 1) {
        throw std::invalid_argument("width must be at least 1, got " + std::to_string(width));
    }
    if (height < 1) {
        throw std::invalid_argument("height must be at least 1, got " + std::to_string(height));
    }
    return juliaset::PixelGrid({xleft, xright, ybot, ytop}, static_cast<std::size_t>(width),
                               static_cast<std::size_t>(height));
}

juliaset::JuliaParams make_family_params(const std::string& family, std::int64_t power,
                                         double c_re, double c_im, double threshold,
                                         std::int64_t itermin, std::int64_t itermax) {
    juliaset::Family parsed_family = juliaset::Family::julia;
    if (family == "mandelbrot") {
        parsed_family = juliaset::Family::mandelbrot;
    } else if (family != "julia") {
        throw std::invalid_argument("family must be \"julia\" or \"mandelbrot\", got \"" +
                                    family + "\"");
    }
    if (power < juliaset::min_power || power > juliaset::max_power) {
        throw std::invalid_argument("power must be between " +
                                    std::to_string(juliaset::min_power) + " and " +
                                    std::to_string(juliaset::max_power) + ", got " +
                                    std::to_string(power));
    }
    juliaset::JuliaParams params = make_params(c_re, c_im, threshold, itermin, itermax);
    params.family = parsed_family;
    params.power = static_cast<std::uint32_t>(power);
    return params;
}

constexpr const char* field_names[] = {"counts", "smooth", "final_norm", "interior", "distance"};

// The requested fields' arrays, allocated before the GIL is released, and the core's view of them.
struct FieldArrays {
    std::optional<Array<std::uint32_t>> counts;
    std::optional<Array<double>> smooth;
    std::optional<Array<double>> final_norm;
    std::optional<Array<bool>> interior;
    std::optional<Array<double>> distance;

    FieldArrays(const std::vector<std::string>& names, std::span<const std::size_t> shape,
                const char* function) {
        if (names.empty()) throw std::invalid_argument("fields must name at least one field");
        for (const std::string& name : names) {
            if (name == "counts") {
                if (!counts) counts = allocate<std::uint32_t>(shape, function, "uint32");
            } else if (name == "smooth") {
                if (!smooth) smooth = allocate<double>(shape, function, "float64");
            } else if (name == "final_norm") {
                if (!final_norm) final_norm = allocate<double>(shape, function, "float64");
            } else if (name == "interior") {
                if (!interior) interior = allocate<bool>(shape, function, "bool");
            } else if (name == "distance") {
                if (!distance) distance = allocate<double>(shape, function, "float64");
            } else {
                std::string known;
                for (const char* known_name : field_names) {
                    known += (known.empty() ? "" : ", ") + std::string(known_name);
                }
                throw std::invalid_argument("fields: unknown field \"" + name +
                                            "\"; valid fields are " + known);
            }
        }
    }

    [[nodiscard]] bool only_counts() const noexcept {
        return counts && !smooth && !final_norm && !interior && !distance;
    }

    [[nodiscard]] juliaset::FieldBuffers buffers(std::size_t size) const {
        static_assert(sizeof(bool) == sizeof(std::uint8_t));
        juliaset::FieldBuffers out;
        if (counts) out.counts = {counts->data(), size};
        if (smooth) out.smooth = {smooth->data(), size};
        if (final_norm) out.final_norm = {final_norm->data(), size};
        // The core writes 0 / 1 bytes, which are exactly the object representations of bool.
        if (interior) out.interior = {reinterpret_cast<std::uint8_t*>(interior->data()), size};
        if (distance) out.distance = {distance->data(), size};
        return out;
    }

    [[nodiscard]] nb::dict to_dict() const {
        nb::dict result;
        if (counts) result["counts"] = nb::cast(*counts);
        if (smooth) result["smooth"] = nb::cast(*smooth);
        if (final_norm) result["final_norm"] = nb::cast(*final_norm);
        if (interior) result["interior"] = nb::cast(*interior);
        if (distance) result["distance"] = nb::cast(*distance);
        return result;
    }
};

nb::dict grid_fields(double xleft, double xright, double ybot, double ytop, std::int64_t width,
                     std::int64_t height, const std::string& family, std::int64_t power,
                     double c_re, double c_im, double threshold, std::int64_t itermax,
                     const std::vector<std::string>& fields, std::int64_t threads) {
    const juliaset::PixelGrid grid = make_sized_grid(xleft, xright, ybot, ytop, width, height);
    if (itermax < 1) {
        throw std::invalid_argument("itermax must be at least 1, got " + std::to_string(itermax));
    }
    const juliaset::JuliaParams params =
        make_family_params(family, power, c_re, c_im, threshold, 0, itermax);
    juliaset::RenderOptions options = make_options(threads, "auto", "exact");
    const std::size_t shape[] = {grid.height(), grid.width()};
    const FieldArrays arrays(fields, shape, "fields");
    const juliaset::FieldBuffers buffers = arrays.buffers(grid.pixel_count());
    run_interruptibly([&](const std::atomic<bool>* cancel) {
        options.cancel = cancel;
        if (arrays.only_counts()) {
            // Counts alone take the SIMD path; they are bit for bit those of render_fields.
            juliaset::render_counts(grid, params, grid.full_window(), buffers.counts, options);
        } else {
            juliaset::render_fields(grid, params, grid.full_window(), buffers, options);
        }
    });
    return arrays.to_dict();
}

nb::dict point_fields(const PointArray& points, const std::string& family, std::int64_t power,
                      double c_re, double c_im, double threshold, std::int64_t itermax,
                      const std::vector<std::string>& fields, std::int64_t threads) {
    if (itermax < 1) {
        throw std::invalid_argument("itermax must be at least 1, got " + std::to_string(itermax));
    }
    const juliaset::JuliaParams params =
        make_family_params(family, power, c_re, c_im, threshold, 0, itermax);
    juliaset::RenderOptions options = make_options(threads, "auto", "exact");
    std::vector<std::size_t> shape(points.ndim());
    for (std::size_t axis = 0; axis < shape.size(); ++axis) shape[axis] = points.shape(axis);
    const FieldArrays arrays(fields, shape, "fields_at");
    const std::span<const std::complex<double>> input(points.data(), points.size());
    const juliaset::FieldBuffers buffers = arrays.buffers(input.size());
    if (!input.empty()) {  // the core reads empty buffers as "field not wanted"
        run_interruptibly([&](const std::atomic<bool>* cancel) {
            options.cancel = cancel;
            juliaset::render_fields_at(input, params, buffers, options);
        });
    }
    return arrays.to_dict();
}

juliaset::Colormap make_colormap(const std::variant<std::string, ColourTable>& colormap) {
    if (const auto* name = std::get_if<std::string>(&colormap)) {
        return juliaset::Colormap::named(*name);
    }
    const ColourTable& table = std::get<ColourTable>(colormap);
    std::vector<juliaset::Rgb> colours(juliaset::Colormap::size);
    for (std::size_t i = 0; i < colours.size(); ++i) {
        colours[i] = {table(i, 0), table(i, 1), table(i, 2)};
    }
    return juliaset::Colormap("custom", colours);
}

ImageArray colour_image(double xleft, double xright, double ybot, double ytop,
                        std::int64_t width, std::int64_t height, const std::string& family,
                        std::int64_t power, double c_re, double c_im, double threshold,
                        std::int64_t itermin, std::int64_t itermax, const std::string& coloring,
                        const std::variant<std::string, ColourTable>& colormap,
                        std::int64_t bits, std::int64_t supersample, std::int64_t threads,
                        const std::string& precision) {
    const juliaset::PixelGrid grid = make_sized_grid(xleft, xright, ybot, ytop, width, height);
    const juliaset::JuliaParams params =
        make_family_params(family, power, c_re, c_im, threshold, itermin, itermax);
    juliaset::RenderOptions options = make_options(threads, "auto", precision);

    juliaset::ImageSpec spec;
    if (coloring == "count") {
        spec.coloring = juliaset::Coloring::count;
    } else if (coloring == "smooth") {
        spec.coloring = juliaset::Coloring::smooth;
    } else if (coloring == "histogram") {
        spec.coloring = juliaset::Coloring::histogram;
    } else {
        throw std::invalid_argument(
            "coloring must be \"count\", \"smooth\" or \"histogram\", got \"" + coloring + "\"");
    }
    spec.colormap = make_colormap(colormap);
    if (bits != 8 && bits != 16) {
        throw std::invalid_argument("bits must be 8 or 16, got " + std::to_string(bits));
    }
    if (!spec.colormap.is_gray_ramp()) {
        if (bits == 16) {
            throw std::invalid_argument("bits=16 needs colormap=\"gray\": colour images have 8 "
                                        "bits per channel, got colormap \"" +
                                        spec.colormap.name() + "\"");
        }
        spec.format = juliaset::PixelFormat::rgb8;
    } else {
        spec.format = bits == 16 ? juliaset::PixelFormat::gray16 : juliaset::PixelFormat::gray8;
    }
    spec.supersample = to_uint32(supersample, "supersample");
    spec.validate(params);
    (void)juliaset::sample_grid(grid, spec.supersample);  // rejects oversized sample grids now

    const bool rgb = spec.format == juliaset::PixelFormat::rgb8;
    std::vector<std::size_t> shape{grid.height(), grid.width()};
    if (rgb) shape.push_back(3);
    ImageArray out = spec.format == juliaset::PixelFormat::gray16
                         ? allocate<std::uint16_t, ImageArray>(shape, "image", "uint16")
                         : allocate<std::uint8_t, ImageArray>(shape, "image", "uint8");
    const std::span<std::uint8_t> bytes(static_cast<std::uint8_t*>(out.data()), out.nbytes());
    run_interruptibly([&](const std::atomic<bool>* cancel) {
        options.cancel = cancel;
        std::vector<double> levels;
        if (spec.coloring == juliaset::Coloring::histogram) {
            levels = juliaset::histogram_levels(grid, params, spec, options);
        }
        juliaset::render_image(grid, params, grid.full_window(), spec, levels, bytes, options);
        if constexpr (std::endian::native == std::endian::little) {
            // The core stores 16-bit samples big-endian, as image files do; numpy wants native.
            if (spec.format == juliaset::PixelFormat::gray16) {
                auto* samples = static_cast<std::uint16_t*>(out.data());
                for (std::size_t i = 0; i < grid.pixel_count(); ++i) {
                    samples[i] = static_cast<std::uint16_t>((samples[i] >> 8) | (samples[i] << 8));
                }
            }
        }
    });
    return out;
}

// --- deep zoom: views as exact decimal strings, rendered by the deep engine (deep.hpp) -------

juliaset::DeepView make_deep_view(const std::string& center_re, const std::string& center_im,
                                  const std::string& width, std::int64_t pixels_x,
                                  std::int64_t pixels_y) {
    for (const auto& [value, name] : {std::pair{pixels_x, "size[0] (width in pixels)"},
                                      std::pair{pixels_y, "size[1] (height in pixels)"}}) {
        if (value < 1 || static_cast<std::uint64_t>(value) > juliaset::max_grid_side) {
            throw std::invalid_argument(std::string(name) + " must be between 1 and " +
                                        std::to_string(juliaset::max_grid_side) + ", got " +
                                        std::to_string(value));
        }
    }
    juliaset::check_decimal(center_re, "center (real part)");
    juliaset::check_decimal(center_im, "center (imaginary part)");
    juliaset::check_decimal(width, "width");
    return {center_re, center_im, width, static_cast<std::size_t>(pixels_x),
            static_cast<std::size_t>(pixels_y)};
}

juliaset::DeepParams make_deep_params(const std::string& family, std::int64_t power,
                                      const std::string& c_re, const std::string& c_im,
                                      double threshold, std::int64_t itermax) {
    juliaset::DeepParams params;  // its default family is the Mandelbrot set: set both
    if (family == "mandelbrot") {
        params.family = juliaset::Family::mandelbrot;
    } else if (family == "julia") {
        params.family = juliaset::Family::julia;
    } else {
        throw std::invalid_argument("family must be \"julia\" or \"mandelbrot\", got \"" +
                                    family + "\"");
    }
    if (power < juliaset::min_power || power > juliaset::max_power) {
        throw std::invalid_argument("power must be between " +
                                    std::to_string(juliaset::min_power) + " and " +
                                    std::to_string(juliaset::max_power) + ", got " +
                                    std::to_string(power));
    }
    params.power = static_cast<std::uint32_t>(power);
    if (params.family == juliaset::Family::julia) {
        juliaset::check_decimal(c_re, "c (real part)");
        juliaset::check_decimal(c_im, "c (imaginary part)");
    }
    params.c_re = c_re;
    params.c_im = c_im;
    if (!(threshold > 0.0) || !std::isfinite(threshold * threshold)) {
        throw std::invalid_argument("threshold must be above 0 with a finite square, got " +
                                    std::to_string(threshold));
    }
    params.threshold = threshold;
    if (itermax < 1) {
        throw std::invalid_argument("itermax must be at least 1, got " + std::to_string(itermax));
    }
    params.itermax = to_uint32(itermax, "itermax");
    return params;
}

juliaset::DeepProgress no_progress() { return {}; }

/// The deep engine for one view, its reference orbit computed once (with the GIL released and
/// Ctrl-C honoured), then rendered as often as wanted.
class PyDeepRender {
public:
    PyDeepRender(const std::string& center_re, const std::string& center_im,
                 const std::string& width, std::int64_t pixels_x, std::int64_t pixels_y,
                 const std::string& family, std::int64_t power, const std::string& c_re,
                 const std::string& c_im, double threshold, std::int64_t itermax) {
        const juliaset::DeepView view = make_deep_view(center_re, center_im, width, pixels_x,
                                                       pixels_y);
        const juliaset::DeepParams params =
            make_deep_params(family, power, c_re, c_im, threshold, itermax);
        run_interruptibly([&](const std::atomic<bool>* cancel) {
            engine_ = std::make_unique<juliaset::DeepRender>(view, params, no_progress(), cancel);
        });
    }

    [[nodiscard]] const juliaset::DeepRender& engine() const { return *engine_; }

    nb::dict fields(const std::vector<std::string>& names, std::int64_t threads) const {
        const juliaset::DeepView& view = engine_->view();
        if (names.empty()) throw std::invalid_argument("fields must name at least one field");
        if (engine_->params().threshold <= 1.0 &&
            std::find(names.begin(), names.end(), "smooth") != names.end()) {
            throw std::invalid_argument("the smooth field needs threshold > 1");
        }
        juliaset::RenderOptions options = make_options(threads, "auto", "exact");
        const std::size_t shape[] = {view.pixels_y, view.pixels_x};
        FieldArrays arrays(names, shape, "DeepRender.fields");
        const juliaset::FieldBuffers out = arrays.buffers(view.pixels_x * view.pixels_y);
        run_interruptibly([&](const std::atomic<bool>* cancel) {
            options.cancel = cancel;
            engine_->render(engine_->full_window(), out, options);
        });
        return arrays.to_dict();
    }

private:
    std::unique_ptr<juliaset::DeepRender> engine_;
};

juliaset::ImageSpec make_spec(const std::string& coloring,
                              const std::variant<std::string, ColourTable>& colormap,
                              std::int64_t bits, std::int64_t supersample, double threshold) {
    juliaset::ImageSpec spec;
    if (coloring == "count") {
        spec.coloring = juliaset::Coloring::count;
    } else if (coloring == "smooth") {
        spec.coloring = juliaset::Coloring::smooth;
    } else if (coloring == "histogram") {
        spec.coloring = juliaset::Coloring::histogram;
    } else {
        throw std::invalid_argument(
            "coloring must be \"count\", \"smooth\" or \"histogram\", got \"" + coloring + "\"");
    }
    spec.colormap = make_colormap(colormap);
    if (bits != 8 && bits != 16) {
        throw std::invalid_argument("bits must be 8 or 16, got " + std::to_string(bits));
    }
    if (!spec.colormap.is_gray_ramp()) {
        if (bits == 16) {
            throw std::invalid_argument("bits=16 needs colormap=\"gray\": colour images have 8 "
                                        "bits per channel, got colormap \"" +
                                        spec.colormap.name() + "\"");
        }
        spec.format = juliaset::PixelFormat::rgb8;
    } else {
        spec.format = bits == 16 ? juliaset::PixelFormat::gray16 : juliaset::PixelFormat::gray8;
    }
    spec.supersample = to_uint32(supersample, "supersample");
    juliaset::JuliaParams checked;
    checked.threshold = threshold;
    spec.validate(checked);
    return spec;
}

// The deep image: one engine for the sample grid (supersample times the pixels each way),
// every sample's counts (or smooth counts) in one render, then colour_samples.
ImageArray deep_image(const std::string& center_re, const std::string& center_im,
                      const std::string& width, std::int64_t pixels_x, std::int64_t pixels_y,
                      const std::string& family, std::int64_t power, const std::string& c_re,
                      const std::string& c_im, double threshold, std::int64_t itermin,
                      std::int64_t itermax, const std::string& coloring,
                      const std::variant<std::string, ColourTable>& colormap, std::int64_t bits,
                      std::int64_t supersample, std::int64_t threads) {
    const juliaset::DeepView view = make_deep_view(center_re, center_im, width, pixels_x,
                                                   pixels_y);
    const juliaset::DeepParams params =
        make_deep_params(family, power, c_re, c_im, threshold, itermax);
    const std::uint32_t first = to_uint32(itermin, "itermin");
    if (first >= params.itermax) {
        throw std::invalid_argument("itermin must be smaller than itermax, got itermin=" +
                                    std::to_string(first) + ", itermax=" +
                                    std::to_string(params.itermax));
    }
    const juliaset::ImageSpec spec = make_spec(coloring, colormap, bits, supersample, threshold);
    juliaset::RenderOptions options = make_options(threads, "auto", "exact");
    const std::size_t n = spec.supersample;
    juliaset::DeepView samples = view;
    samples.pixels_x *= n;
    samples.pixels_y *= n;
    const std::size_t sample_count = samples.pixels_x * samples.pixels_y;
    const bool smooth = spec.coloring == juliaset::Coloring::smooth;
    std::vector<std::size_t> shape{view.pixels_y, view.pixels_x};
    if (spec.format == juliaset::PixelFormat::rgb8) shape.push_back(3);
    ImageArray out = spec.format == juliaset::PixelFormat::gray16
                         ? allocate<std::uint16_t, ImageArray>(shape, "image", "uint16")
                         : allocate<std::uint8_t, ImageArray>(shape, "image", "uint8");
    const std::span<std::uint8_t> bytes(static_cast<std::uint8_t*>(out.data()), out.nbytes());
    run_interruptibly([&](const std::atomic<bool>* cancel) {
        options.cancel = cancel;
        const juliaset::DeepRender engine(samples, params, no_progress(), cancel);
        std::vector<std::uint32_t> counts;
        std::vector<double> smooth_counts;
        juliaset::FieldBuffers fields;
        if (smooth) {
            smooth_counts.resize(sample_count);
            fields.smooth = smooth_counts;
        } else {
            counts.resize(sample_count);
            fields.counts = counts;
        }
        engine.render(engine.full_window(), fields, options);
        juliaset::CountHistogram histogram(params.itermax);  // sparse: not sized by itermax
        if (spec.coloring == juliaset::Coloring::histogram) {
            histogram.add(counts);
            histogram.finish();
        }
        juliaset::color_samples(spec, first, params.itermax, view.pixels_x, view.pixels_y,
                                fields, &histogram, bytes);
        if constexpr (std::endian::native == std::endian::little) {
            if (spec.format == juliaset::PixelFormat::gray16) {
                auto* values = static_cast<std::uint16_t*>(out.data());
                for (std::size_t i = 0; i < view.pixels_x * view.pixels_y; ++i) {
                    values[i] = static_cast<std::uint16_t>((values[i] >> 8) | (values[i] << 8));
                }
            }
        }
    });
    return out;
}

bool deep_needed(const std::string& center_re, const std::string& center_im,
                 const std::string& width, std::int64_t pixels_x, std::int64_t pixels_y,
                 const std::string& family, std::int64_t power, const std::string& c_re,
                 const std::string& c_im, double threshold, std::int64_t itermax) {
    return juliaset::needs_deep_engine(make_deep_view(center_re, center_im, width, pixels_x,
                                                      pixels_y),
                                       make_deep_params(family, power, c_re, c_im, threshold,
                                                        itermax));
}

std::uint32_t deep_oracle(const std::string& center_re, const std::string& center_im,
                          const std::string& width, std::int64_t pixels_x, std::int64_t pixels_y,
                          std::int64_t column, std::int64_t row, const std::string& family,
                          std::int64_t power, const std::string& c_re, const std::string& c_im,
                          double threshold, std::int64_t itermax, std::int64_t precision_bits) {
    const juliaset::DeepView view = make_deep_view(center_re, center_im, width, pixels_x,
                                                   pixels_y);
    const juliaset::DeepParams params =
        make_deep_params(family, power, c_re, c_im, threshold, itermax);
    if (column < 0 || row < 0 || static_cast<std::uint64_t>(column) >= view.pixels_x ||
        static_cast<std::uint64_t>(row) >= view.pixels_y) {
        throw std::out_of_range("pixel (" + std::to_string(column) + ", " + std::to_string(row) +
                                ") lies outside the image");
    }
    if (precision_bits < 0) throw std::invalid_argument("precision_bits must be >= 0");
    std::uint32_t count = 0;
    {
        nb::gil_scoped_release release;  // one arbitrary-precision orbit: pure C++
        count = juliaset::deep_oracle_count(view, params, static_cast<std::size_t>(column),
                                            static_cast<std::size_t>(row),
                                            static_cast<std::size_t>(precision_bits));
    }
    return count;
}

constexpr const char* fields_doc = R"(
``family`` is ``"julia"`` (z0 = the point, c = ``c_re + 1j * c_im``) or ``"mandelbrot"``
(z0 = 0, c = the point, ``c_re`` and ``c_im`` ignored); both iterate ``z <- z**power + c``
(power 2..16), each product computed as the reference loop does. ``fields`` names one or more
of ``counts`` (uint32 escape count), ``smooth`` (float64 continuous count, needs
``threshold > 1``), ``final_norm`` (float64 ``|z|^2`` of the last iterate), ``interior`` (bool,
never escaped) and ``distance`` (float64 exterior distance estimate, 0 inside). Counts alone
use the SIMD kernels; any other field the scalar loop, with the same counts.

``threads=0`` uses every core and never changes the result. The GIL is released while
rendering and Ctrl-C interrupts it. Raises ValueError naming the argument for invalid
parameters and MemoryError when the arrays cannot be allocated.)";

constexpr const char* image_doc = R"(The image of a grid of ``width`` x ``height`` pixels.

``coloring`` turns a pixel's count into a value in [0, 1]: ``"count"`` is the seed's
``(max(k, itermin) - itermin) / (itermax - itermin)``, ``"smooth"`` the same with the
continuous count (needs ``threshold > 1``), ``"histogram"`` the fraction of escaped samples
with a count <= k (interior 1). ``colormap`` is a built-in name (``colormap_names()``) or a
float64 (256, 3) array of RGB colours in [0, 1], looked up at ``min(floor(value * 256), 255)``.
``"gray"`` gives a gray image: uint8 (height, width) with ``bits=8`` (exactly the seed's image
for count colouring), uint16 (height, width) with ``bits=16``; every other colormap gives a
uint8 (height, width, 3) RGB image (``bits=8`` only). ``supersample=N`` averages N x N samples
per pixel (1..16). ``precision="single"`` computes the counts in float (as ``escape_counts``;
not with smooth colouring).

Family, power, threads, the GIL and errors as for ``fields``.)";

constexpr const char* render_args_doc = R"(
The grid has ``width = resolution`` columns and ``height = round(width * |ytop - ybot| /
|xright - xleft|)`` rows; column ``i`` samples ``x = i / width * (xright - xleft) + xleft``
and row ``j`` samples ``y = j / height * (ybot - ytop) + ytop`` (top row first; the right and
bottom edges are not sampled). A point's escape count is the 0-based index of the first
iterate of ``z <- z*z + c`` with ``|z|^2 > threshold^2``, or ``itermax`` if there is none.

``threads=0`` uses every core; ``kernel`` is ``"auto"`` (SIMD, chosen at run time) or
``"scalar"`` (the reference loop). Results do not depend on either. ``precision="single"``
computes in float, about 1.8 times as fast but not bit-exact (pixels near the boundary differ;
itermax at most 2**24). The GIL is released while rendering and Ctrl-C interrupts the render.

Raises ValueError naming the argument for invalid parameters and MemoryError when the array
cannot be allocated.)";

std::string render_doc(const char* summary) { return std::string(summary) + "\n" + render_args_doc; }

}  // namespace

NB_MODULE(_core, m) {
    m.doc() = "Native core of juliaset: escape-time rendering of filled Julia sets and the "
               "Mandelbrot set of z^power + c.";
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
    m.def("fields", &grid_fields,
          nb::sig("def fields(xleft: float, xright: float, ybot: float, ytop: float, width: int, "
                  "height: int, *, family: str = 'julia', power: int = 2, c_re: float, "
                  "c_im: float, threshold: float, itermax: int, "
                  "fields: collections.abc.Sequence[str] = ['counts'], threads: int = 0) "
                  "-> dict[str, numpy.typing.NDArray[typing.Any]]"),
          "xleft"_a, "xright"_a, "ybot"_a, "ytop"_a, "width"_a,
          "height"_a, nb::kw_only(), "family"_a = "julia", "power"_a = 2, "c_re"_a, "c_im"_a,
          "threshold"_a, "itermax"_a, "fields"_a = std::vector<std::string>{"counts"},
          "threads"_a = 0,
          (std::string("Per-pixel fields of a grid of ``width`` x ``height`` pixels, as a dict\n"
                       "name -> array (height, width), top row first. The grid samples the\n"
                       "region with the formulas of ``escape_counts`` (left and top edges\n"
                       "sampled).\n") +
           fields_doc)
              .c_str());
    // Signatures written out where nanobind's own would show array constraints, which are not
    // Python syntax (the stub and its test read them as Python).
    m.def("fields_at", &point_fields,
          nb::sig("def fields_at(points: numpy.typing.NDArray[numpy.complex128], *, "
                  "family: str = 'julia', power: int = 2, c_re: float, c_im: float, "
                  "threshold: float, itermax: int, "
                  "fields: collections.abc.Sequence[str] = ['counts'], threads: int = 0) "
                  "-> dict[str, numpy.typing.NDArray[typing.Any]]"),
          "points"_a, nb::kw_only(), "family"_a = "julia",
          "power"_a = 2, "c_re"_a, "c_im"_a, "threshold"_a, "itermax"_a,
          "fields"_a = std::vector<std::string>{"counts"}, "threads"_a = 0,
          (std::string("Per-point fields of a complex128 array of any shape, as a dict\n"
                       "name -> array of the points' shape. Non-finite points raise\n"
                       "ValueError naming their (flat, C-order) index.\n") +
           fields_doc)
              .c_str());
    m.def("image", &colour_image,
          nb::sig("def image(xleft: float, xright: float, ybot: float, ytop: float, width: int, "
                  "height: int, *, family: str = 'julia', power: int = 2, c_re: float, "
                  "c_im: float, threshold: float, itermin: int, itermax: int, "
                  "coloring: str = 'count', "
                  "colormap: str | numpy.typing.NDArray[numpy.float64] = 'gray', bits: int = 8, "
                  "supersample: int = 1, threads: int = 0, precision: str = 'exact') "
                  "-> numpy.typing.NDArray[typing.Any]"),
          "xleft"_a, "xright"_a, "ybot"_a, "ytop"_a, "width"_a,
          "height"_a, nb::kw_only(), "family"_a = "julia", "power"_a = 2, "c_re"_a, "c_im"_a,
          "threshold"_a, "itermin"_a, "itermax"_a, "coloring"_a = "count",
          "colormap"_a = "gray", "bits"_a = 8, "supersample"_a = 1, "threads"_a = 0,
          "precision"_a = "exact", image_doc);
    m.def("colormap_names", &juliaset::Colormap::names,
          "Names of the built-in colormaps ``image`` accepts, each reversed by a trailing \"_r\".");
    m.def("simd_target", &juliaset::simd_target_name,
          "Name of the SIMD target kernel=\"auto\" uses on this CPU.");
    m.def("available_simd_targets", &juliaset::available_simd_targets,
          "Names of the compiled SIMD targets this CPU can run, best first.");
    m.def("force_simd_target", &juliaset::force_simd_target, "name"_a,
          "Restrict kernel=\"auto\" to one of available_simd_targets(), or lift the restriction\n"
          "with \"\". Process-wide: meant for tests and benchmarks.");
    // Deep zoom: decimal strings in, the deep engine (deep.hpp) behind them.
    m.def("deep_needed", &deep_needed, "center_re"_a, "center_im"_a, "width"_a, "pixels_x"_a,
          "pixels_y"_a, nb::kw_only(), "family"_a = "julia", "power"_a = 2, "c_re"_a = "0",
          "c_im"_a = "0", "threshold"_a = 2.0, "itermax"_a = 100,
          "Whether the view (exact decimal strings) needs the deep engine: its pixel spacing is\n"
          "too fine for the double path (see docs/design.md, \"Deep zoom\"). Raises ValueError\n"
          "naming the argument for a malformed decimal or a bad parameter.");
    nb::class_<PyDeepRender>(m, "DeepRender",
                             "The deep engine for one view: the reference orbit (and its table) is\n"
                             "computed once, in the constructor, with the GIL released and Ctrl-C\n"
                             "honoured; ``fields`` renders it.")
        .def(nb::init<const std::string&, const std::string&, const std::string&, std::int64_t,
                      std::int64_t, const std::string&, std::int64_t, const std::string&,
                      const std::string&, double, std::int64_t>(),
             "center_re"_a, "center_im"_a, "width"_a, "pixels_x"_a, "pixels_y"_a, nb::kw_only(),
             "family"_a = "julia", "power"_a = 2, "c_re"_a = "0", "c_im"_a = "0",
             "threshold"_a = 2.0, "itermax"_a = 100)
        .def("fields", &PyDeepRender::fields,
             nb::sig("def fields(self, fields: collections.abc.Sequence[str] = ['counts'], "
                     "threads: int = 0) -> dict[str, numpy.typing.NDArray[typing.Any]]"),
             "fields"_a = std::vector<std::string>{"counts"}, "threads"_a = 0,
             "The named fields (as ``fields``) of every pixel, as a dict of (height, width) arrays.")
        .def_prop_ro("precision_bits",
                     [](const PyDeepRender& self) { return self.engine().precision_bits(); },
                     "Bits of precision of the reference orbit(s).")
        .def_prop_ro("reference_length",
                     [](const PyDeepRender& self) { return self.engine().reference_length(); },
                     "Length of the reference orbit in iterations.");
    m.def("deep_image", &deep_image,
          nb::sig("def deep_image(center_re: str, center_im: str, width: str, pixels_x: int, "
                  "pixels_y: int, *, family: str = 'julia', power: int = 2, c_re: str = '0', "
                  "c_im: str = '0', threshold: float, itermin: int, itermax: int, "
                  "coloring: str = 'count', "
                  "colormap: str | numpy.typing.NDArray[numpy.float64] = 'gray', bits: int = 8, "
                  "supersample: int = 1, threads: int = 0) -> numpy.typing.NDArray[typing.Any]"),
          "center_re"_a, "center_im"_a, "width"_a, "pixels_x"_a, "pixels_y"_a, nb::kw_only(),
          "family"_a = "julia", "power"_a = 2, "c_re"_a = "0", "c_im"_a = "0", "threshold"_a,
          "itermin"_a, "itermax"_a, "coloring"_a = "count", "colormap"_a = "gray", "bits"_a = 8,
          "supersample"_a = 1, "threads"_a = 0,
          "``image`` for a view given as exact decimal strings, rendered by the deep engine\n"
          "(the samples of ``supersample`` are the view at that many times the pixels).");
    m.def("deep_oracle_count", &deep_oracle,
          "center_re"_a, "center_im"_a, "width"_a, "pixels_x"_a, "pixels_y"_a, "column"_a,
          "row"_a, nb::kw_only(), "family"_a = "julia", "power"_a = 2, "c_re"_a = "0",
          "c_im"_a = "0", "threshold"_a = 2.0, "itermax"_a = 100, "precision_bits"_a = 0,
          "The brute-force escape count of one pixel of the view, iterated in MPFR at\n"
          "``precision_bits`` (0: enough for the view). Slow: for tests and benchmarks.");
}
