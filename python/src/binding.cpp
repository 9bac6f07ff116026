// The Python extension `juliaset._core`: converts arguments, allocates the numpy array, releases
// the GIL and calls the core. Everything else (the seed's classes, validation messages in the
// seed's vocabulary) lives in pure Python in python/juliaset/.
#include <unistd.h>

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/array.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/variant.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstdio>
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
#include <tuple>
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

// "38.4 GB", "512 KB", "3e+06 TB": a size a reader takes in at a glance.
std::string format_bytes(double bytes) {
    constexpr std::array<const char*, 5> units = {"bytes", "KB", "MB", "GB", "TB"};
    std::size_t unit = 0;
    while (unit + 1 < units.size() && bytes >= 1000.0) {
        bytes /= 1000.0;
        ++unit;
    }
    std::array<char, 64> text{};
    std::snprintf(text.data(), text.size(), "%.3g %s", bytes, units[unit]);
    return text.data();
}

// Bytes this process can still fill before the machine must swap or kill it: MemAvailable
// (/proc/meminfo; the physical pages elsewhere), and no more than the cgroup's memory.max
// allows beyond memory.current. Linux overcommits, so an allocation larger than this usually
// succeeds and the render is killed (or thrashes) later, when its pages are touched.
double available_memory() {
    double available = -1.0;
    if (std::FILE* meminfo = std::fopen("/proc/meminfo", "r")) {
        std::array<char, 256> line{};
        while (std::fgets(line.data(), line.size(), meminfo) != nullptr) {
            unsigned long long kib = 0;
            if (std::sscanf(line.data(), "MemAvailable: %llu kB", &kib) == 1) {
                available = static_cast<double>(kib) * 1024.0;
                break;
            }
        }
        std::fclose(meminfo);
    }
    if (available < 0.0) {
        const long pages = sysconf(_SC_AVPHYS_PAGES);
        const long page_size = sysconf(_SC_PAGESIZE);
        if (pages <= 0 || page_size <= 0) return std::numeric_limits<double>::infinity();
        available = static_cast<double>(pages) * static_cast<double>(page_size);
    }
    const auto read_number = [](const char* path) {
        double value = -1.0;
        if (std::FILE* file = std::fopen(path, "r")) {
            unsigned long long number = 0;
            if (std::fscanf(file, "%llu", &number) == 1) value = static_cast<double>(number);
            std::fclose(file);
        }
        return value;  // -1 for "max" or no such file
    };
    const double limit = read_number("/sys/fs/cgroup/memory.max");
    const double used = read_number("/sys/fs/cgroup/memory.current");
    if (limit >= 0.0 && used >= 0.0) available = std::min(available, std::max(limit - used, 0.0));
    return available;
}

// Raises MemoryError, before anything is allocated, when `bytes` are more than the memory
// available: "{function}: cannot allocate {what} (38.4 GB ...), more than the ... available".
void check_memory(double bytes, const char* function, const std::string& what) {
    const double available = available_memory();
    if (bytes <= available) return;
    PyErr_SetString(PyExc_MemoryError,
                    (std::string(function) + ": cannot allocate " + what + ": " +
                     format_bytes(bytes) + ", more than the " + format_bytes(available) +
                     " of memory available; lower the resolution or split the region into tiles")
                        .c_str());
    throw nb::python_error();
}

std::string shape_text(std::span<const std::size_t> shape) {
    std::string sides;
    for (const std::size_t side : shape) sides += (sides.empty() ? "" : " x ") + std::to_string(side);
    return sides;
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
    double bytes = static_cast<double>(sizeof(T));
    for (const std::size_t side : shape) bytes *= static_cast<double>(side);
    const std::string sides = shape_text(shape);
    if (fits) check_memory(bytes, function, "a " + sides + " array of " + dtype);
    T* data = fits ? new (std::nothrow) T[elements] : nullptr;
    if (data == nullptr) {
        // PyErr_Format knows no %g: the message is formatted here.
        PyErr_SetString(PyExc_MemoryError,
                        (std::string(function) + ": cannot allocate a " + sides + " array of " +
                         dtype + " (" + format_bytes(bytes) +
                         "); lower the resolution or split the region into tiles")
                            .c_str());
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

// --- cancellation from other Python threads ------------------------------------------------

// A flag that another thread raises to stop the renders started inside `with token:` on this
// thread. Entering pushes it onto this thread's stack; run_interruptibly uses the top one.
struct CancelToken {
    std::atomic<bool> flag{false};
};
thread_local std::vector<CancelToken*> entered_cancel_tokens;
thread_local std::atomic<bool>* active_cancel_flag = nullptr;

void enter_cancel_token(CancelToken& token) {
    entered_cancel_tokens.push_back(&token);
    active_cancel_flag = &token.flag;
}

void exit_cancel_token(CancelToken& token) {
    if (entered_cancel_tokens.empty() || entered_cancel_tokens.back() != &token) {
        throw std::invalid_argument("CancelToken: exited a token that is not the innermost one "
                                    "entered on this thread");
    }
    entered_cancel_tokens.pop_back();
    active_cancel_flag =
        entered_cancel_tokens.empty() ? nullptr : &entered_cancel_tokens.back()->flag;
}

// The 256 colours of a built-in colormap, exactly as the renderer looks them up (colour i is
// what values in [i / 256, (i + 1) / 256) get), as float64 (256, 3) in [0, 1].
nb::ndarray<nb::numpy, double, nb::shape<juliaset::Colormap::size, 3>> colormap_table(
    const std::string& name) {
    const juliaset::Colormap colormap = juliaset::Colormap::named(name);
    auto* data = new double[juliaset::Colormap::size * 3];
    for (std::size_t i = 0; i < juliaset::Colormap::size; ++i) {
        const juliaset::Rgb colour =
            colormap.at((static_cast<double>(i) + 0.5) / juliaset::Colormap::size);
        data[i * 3] = colour.r;
        data[i * 3 + 1] = colour.g;
        data[i * 3 + 2] = colour.b;
    }
    nb::capsule owner(data, [](void* p) noexcept { delete[] static_cast<double*>(p); });
    return {data, {juliaset::Colormap::size, 3}, owner};
}

// Rows a render has finished, counted by the render thread and reported to a Python callable
// `progress(done, total)` by the thread that waits for it, with the GIL held: the workers never
// touch Python. Created and destroyed with the GIL held.
class ProgressReport {
public:
    ProgressReport(nb::object callback, std::size_t total)
        : callback_(std::move(callback)), total_(total) {}

    [[nodiscard]] bool wanted() const noexcept {
        return callback_.is_valid() && !callback_.is_none();
    }
    void add(std::size_t rows) noexcept { done_.fetch_add(rows, std::memory_order_relaxed); }

    // With the GIL held: calls back when rows were finished since the last call. The
    // callable's exception propagates as nb::python_error.
    void report() {
        const std::size_t done = done_.load(std::memory_order_relaxed);
        if (!wanted() || done == reported_) return;
        reported_ = done;
        callback_(done, total_);
    }

private:
    nb::object callback_;
    std::size_t total_;
    std::atomic<std::size_t> done_{0};
    std::size_t reported_ = 0;
};

// Renders the grid's rows as one window, or, when progress is wanted, in bands of about 1 % of
// the rows one after the other (each band on every thread), counting each band's rows when it
// is done: `render(window, index of its first pixel)`. Windows give exactly the pixels of the
// full render, so the result does not depend on the banding.
template <class RenderWindow>
void render_rows(const juliaset::PixelGrid& grid, ProgressReport& progress,
                 RenderWindow&& render) {
    const std::size_t height = grid.height();
    const std::size_t band =
        progress.wanted() ? std::max<std::size_t>(1, (height + 99) / 100) : height;
    for (std::size_t row = 0; row < height; row += band) {
        const std::size_t rows = std::min(band, height - row);
        render(juliaset::PixelWindow{0, row, grid.width(), rows}, row * grid.width());
        progress.add(rows);
    }
}

// Runs `render(cancel_flag)` on a worker thread while this thread, with the GIL released,
// wakes every signal_poll_interval to run Python's signal handlers (and to report `progress`).
// A handler or progress callable that raises (KeyboardInterrupt on Ctrl-C) raises the cancel
// flag; the core then stops between tasks and joins its threads, and the Python exception
// propagates. Must be called with the GIL held and after every Python object has been
// converted: the worker never touches Python.
template <class Render>
void run_interruptibly(Render&& render, ProgressReport* progress = nullptr) {
    std::atomic<bool> own_cancel{false};
    // Inside `with CancelToken():` the token's flag is the render's, so another thread can
    // cancel it (the explorer's server cancels renders that a newer view made stale).
    std::atomic<bool>& cancel = active_cancel_flag != nullptr ? *active_cancel_flag : own_cancel;
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
            if (progress != nullptr) {
                try {
                    progress->report();
                } catch (nb::python_error& error) {
                    error.restore();  // pending again, for the nb::python_error thrown below
                    interrupted = true;
                    cancel.store(true, std::memory_order_relaxed);
                    break;
                }
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
    if (progress != nullptr) progress->report();  // the last rows
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

// The family and power of every entry point (the double path's and the deep engine's).
juliaset::Family parse_family(const std::string& family) {
    if (family == "mandelbrot") return juliaset::Family::mandelbrot;
    if (family == "julia") return juliaset::Family::julia;
    throw std::invalid_argument("family must be \"julia\" or \"mandelbrot\", got \"" + family +
                                "\"");
}

std::uint32_t checked_power(std::int64_t power) {
    if (power < juliaset::min_power || power > juliaset::max_power) {
        throw std::invalid_argument("power must be between " +
                                    std::to_string(juliaset::min_power) + " and " +
                                    std::to_string(juliaset::max_power) + ", got " +
                                    std::to_string(power));
    }
    return static_cast<std::uint32_t>(power);
}

juliaset::JuliaParams make_family_params(const std::string& family, std::int64_t power,
                                         double c_re, double c_im, double threshold,
                                         std::int64_t itermin, std::int64_t itermax) {
    const juliaset::Family parsed_family = parse_family(family);
    const std::uint32_t parsed_power = checked_power(power);
    juliaset::JuliaParams params = make_params(c_re, c_im, threshold, itermin, itermax);
    params.family = parsed_family;
    params.power = parsed_power;
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
        check_total(names, shape, function);
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

    // The arrays of every requested field together must fit, not each one alone.
    static void check_total(const std::vector<std::string>& names,
                            std::span<const std::size_t> shape, const char* function) {
        double elements = 1.0;
        for (const std::size_t side : shape) elements *= static_cast<double>(side);
        double bytes = 0.0;
        std::string listed;
        std::vector<std::string> seen;
        for (const std::string& name : names) {
            if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
            seen.push_back(name);
            const double size = name == "counts"     ? 4.0
                                : name == "interior" ? 1.0
                                : name == "smooth" || name == "final_norm" || name == "distance"
                                    ? 8.0
                                    : 0.0;  // unknown: reported by the loop that allocates
            bytes += size * elements;
            listed += (listed.empty() ? "" : ", ") + name;
        }
        check_memory(bytes, function,
                     "the " + shape_text(shape) + " arrays of " + listed);
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
                     const std::vector<std::string>& fields, std::int64_t threads,
                     nb::object progress) {
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
    ProgressReport report(std::move(progress), grid.height());
    run_interruptibly(
        [&](const std::atomic<bool>* cancel) {
            options.cancel = cancel;
            render_rows(grid, report, [&](const juliaset::PixelWindow& window, std::size_t first) {
                const auto part = [&](auto buffer) {
                    return buffer.empty() ? buffer : buffer.subspan(first, window.size());
                };
                const juliaset::FieldBuffers band{part(buffers.counts), part(buffers.smooth),
                                                  part(buffers.final_norm),
                                                  part(buffers.interior), part(buffers.distance)};
                if (arrays.only_counts()) {
                    // Counts alone take the SIMD path; they are bit for bit those of
                    // render_fields.
                    juliaset::render_counts(grid, params, window, band.counts, options);
                } else {
                    juliaset::render_fields(grid, params, window, band, options);
                }
            });
        },
        &report);
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

// The colouring arguments of the image functions, checked with the caller's names.
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

ImageArray colour_image(double xleft, double xright, double ybot, double ytop,
                        std::int64_t width, std::int64_t height, const std::string& family,
                        std::int64_t power, double c_re, double c_im, double threshold,
                        std::int64_t itermin, std::int64_t itermax, const std::string& coloring,
                        const std::variant<std::string, ColourTable>& colormap,
                        std::int64_t bits, std::int64_t supersample, std::int64_t threads,
                        const std::string& precision, nb::object progress) {
    const juliaset::PixelGrid grid = make_sized_grid(xleft, xright, ybot, ytop, width, height);
    const juliaset::JuliaParams params =
        make_family_params(family, power, c_re, c_im, threshold, itermin, itermax);
    juliaset::RenderOptions options = make_options(threads, "auto", precision);

    const juliaset::ImageSpec spec = make_spec(coloring, colormap, bits, supersample, threshold);
    (void)juliaset::sample_grid(grid, spec.supersample);  // rejects oversized sample grids now

    const bool rgb = spec.format == juliaset::PixelFormat::rgb8;
    std::vector<std::size_t> shape{grid.height(), grid.width()};
    if (rgb) shape.push_back(3);
    // The image and what colouring it takes besides: each thread's piece of samples (values,
    // smooth counts and counts of 64K samples), and the histogram's tables.
    const double image_pixel_bytes = static_cast<double>(juliaset::bytes_per_pixel(spec.format));
    const double piece_bytes = 65536.0 * (8 + 8 + 4);
    const double histogram_bytes =
        spec.coloring == juliaset::Coloring::histogram ? 16.0 * std::min(65536.0, static_cast<double>(itermax) + 1)
                                                       : 0.0;
    check_memory(static_cast<double>(grid.pixel_count()) * image_pixel_bytes +
                     juliaset::resolve_thread_count(options.threads) * piece_bytes + histogram_bytes,
                 "image", "a " + shape_text(shape) + " image with supersample " +
                              std::to_string(spec.supersample));
    ImageArray out = spec.format == juliaset::PixelFormat::gray16
                         ? allocate<std::uint16_t, ImageArray>(shape, "image", "uint16")
                         : allocate<std::uint8_t, ImageArray>(shape, "image", "uint8");
    const std::span<std::uint8_t> bytes(static_cast<std::uint8_t*>(out.data()), out.nbytes());
    const std::size_t pixel_bytes = out.nbytes() / grid.pixel_count();
    // The histogram's counting pass is the first half of the progress, the image the second.
    const bool histogram = spec.coloring == juliaset::Coloring::histogram;
    ProgressReport report(std::move(progress), grid.height() * (histogram ? 2 : 1));
    run_interruptibly([&](const std::atomic<bool>* cancel) {
        options.cancel = cancel;
        juliaset::HistogramLevels levels;
        if (histogram) {
            levels = juliaset::histogram_levels(grid, params, spec, options);
            report.add(grid.height());
        }
        render_rows(grid, report, [&](const juliaset::PixelWindow& window, std::size_t first) {
            juliaset::render_image(grid, params, window, spec, levels,
                                   bytes.subspan(first * pixel_bytes, window.size() * pixel_bytes),
                                   options);
        });
        if constexpr (std::endian::native == std::endian::little) {
            // The core stores 16-bit samples big-endian, as image files do; numpy wants native.
            if (spec.format == juliaset::PixelFormat::gray16) {
                auto* samples = static_cast<std::uint16_t*>(out.data());
                for (std::size_t i = 0; i < grid.pixel_count(); ++i) {
                    samples[i] = static_cast<std::uint16_t>((samples[i] >> 8) | (samples[i] << 8));
                }
            }
        }
    }, &report);
    return out;
}

// --- pixel windows: one tile of a grid, exactly the pixels of the full render ----------------
// For chunked renders (juliaset.dask): each chunk renders its window of the full grid.

using HistogramCounts = nb::ndarray<const std::uint32_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;
using HistogramSamples = nb::ndarray<const std::uint64_t, nb::ndim<1>, nb::c_contig, nb::device::cpu>;

juliaset::PixelWindow make_window(const juliaset::PixelGrid& grid, std::int64_t x0,
                                  std::int64_t y0, std::int64_t window_width,
                                  std::int64_t window_height) {
    if (x0 < 0 || y0 < 0 || window_width < 1 || window_height < 1) {
        throw std::invalid_argument(
            "window: x0 and y0 must be at least 0 and its width and height at least 1, got (" +
            std::to_string(x0) + ", " + std::to_string(y0) + ", " +
            std::to_string(window_width) + ", " + std::to_string(window_height) + ")");
    }
    const juliaset::PixelWindow window{
        static_cast<std::size_t>(x0), static_cast<std::size_t>(y0),
        static_cast<std::size_t>(window_width), static_cast<std::size_t>(window_height)};
    grid.check_window(window);
    return window;
}

nb::dict window_fields(double xleft, double xright, double ybot, double ytop, std::int64_t width,
                       std::int64_t height, std::int64_t x0, std::int64_t y0,
                       std::int64_t window_width, std::int64_t window_height,
                       const std::string& family, std::int64_t power, double c_re, double c_im,
                       double threshold, std::int64_t itermax,
                       const std::vector<std::string>& fields, std::int64_t threads) {
    const juliaset::PixelGrid grid = make_sized_grid(xleft, xright, ybot, ytop, width, height);
    const juliaset::PixelWindow window = make_window(grid, x0, y0, window_width, window_height);
    if (itermax < 1) {
        throw std::invalid_argument("itermax must be at least 1, got " + std::to_string(itermax));
    }
    const juliaset::JuliaParams params =
        make_family_params(family, power, c_re, c_im, threshold, 0, itermax);
    juliaset::RenderOptions options = make_options(threads, "auto", "exact");
    const std::size_t shape[] = {window.height, window.width};
    const FieldArrays arrays(fields, shape, "fields_window");
    const juliaset::FieldBuffers buffers = arrays.buffers(window.size());
    run_interruptibly([&](const std::atomic<bool>* cancel) {
        options.cancel = cancel;
        if (arrays.only_counts()) {
            juliaset::render_counts(grid, params, window, buffers.counts, options);
        } else {
            juliaset::render_fields(grid, params, window, buffers, options);
        }
    });
    return arrays.to_dict();
}

// The whole image's histogram levels from its distinct escaped counts and the samples of each
// (a window's histogram colouring needs them: juliaset.dask reduces them over the chunks).
juliaset::HistogramLevels window_histogram_levels(
    std::uint32_t itermax, const std::optional<HistogramCounts>& histogram_counts,
    const std::optional<HistogramSamples>& histogram_samples) {
    if (!histogram_counts || !histogram_samples ||
        histogram_counts->shape(0) != histogram_samples->shape(0)) {
        throw std::invalid_argument(
            "histogram_counts, histogram_samples: histogram colouring of a window needs the "
            "whole image's histogram, its distinct escaped counts (uint32, ascending) and "
            "the samples of each (uint64), two arrays of one length");
    }
    return juliaset::HistogramLevels(
        itermax,
        std::span<const std::uint32_t>(histogram_counts->data(), histogram_counts->shape(0)),
        std::span<const std::uint64_t>(histogram_samples->data(), histogram_samples->shape(0)));
}

ImageArray window_image(double xleft, double xright, double ybot, double ytop,
                        std::int64_t width, std::int64_t height, std::int64_t x0, std::int64_t y0,
                        std::int64_t window_width, std::int64_t window_height,
                        const std::string& family, std::int64_t power, double c_re, double c_im,
                        double threshold, std::int64_t itermin, std::int64_t itermax,
                        const std::string& coloring,
                        const std::variant<std::string, ColourTable>& colormap, std::int64_t bits,
                        std::int64_t supersample,
                        const std::optional<HistogramCounts>& histogram_counts,
                        const std::optional<HistogramSamples>& histogram_samples,
                        std::int64_t threads, const std::string& precision) {
    const juliaset::PixelGrid grid = make_sized_grid(xleft, xright, ybot, ytop, width, height);
    const juliaset::PixelWindow window = make_window(grid, x0, y0, window_width, window_height);
    const juliaset::JuliaParams params =
        make_family_params(family, power, c_re, c_im, threshold, itermin, itermax);
    juliaset::RenderOptions options = make_options(threads, "auto", precision);
    const juliaset::ImageSpec spec = make_spec(coloring, colormap, bits, supersample, threshold);
    (void)juliaset::sample_grid(grid, spec.supersample);  // rejects oversized sample grids now
    // Histogram colouring needs the whole image's histogram (of every sample's count); a
    // window cannot compute it alone.
    juliaset::HistogramLevels levels =
        spec.coloring == juliaset::Coloring::histogram
            ? window_histogram_levels(params.itermax, histogram_counts, histogram_samples)
            : juliaset::HistogramLevels(params.itermax);

    const bool rgb = spec.format == juliaset::PixelFormat::rgb8;
    std::vector<std::size_t> shape{window.height, window.width};
    if (rgb) shape.push_back(3);
    ImageArray out = spec.format == juliaset::PixelFormat::gray16
                         ? allocate<std::uint16_t, ImageArray>(shape, "image_window", "uint16")
                         : allocate<std::uint8_t, ImageArray>(shape, "image_window", "uint8");
    const std::span<std::uint8_t> bytes(static_cast<std::uint8_t*>(out.data()), out.nbytes());
    run_interruptibly([&](const std::atomic<bool>* cancel) {
        options.cancel = cancel;
        juliaset::render_image(grid, params, window, spec, levels, bytes, options);
        if constexpr (std::endian::native == std::endian::little) {
            if (spec.format == juliaset::PixelFormat::gray16) {
                auto* samples = static_cast<std::uint16_t*>(out.data());
                for (std::size_t i = 0; i < window.size(); ++i) {
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
    juliaset::DeepParams params;
    params.family = parse_family(family);
    params.power = checked_power(power);
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
                 const std::string& c_im, double threshold, std::int64_t itermax,
                 const PyDeepRender* reference, bool distance_in_pixels) {
        const juliaset::DeepView view = make_deep_view(center_re, center_im, width, pixels_x,
                                                       pixels_y);
        juliaset::DeepParams params =
            make_deep_params(family, power, c_re, c_im, threshold, itermax);
        params.distance_in_pixels = distance_in_pixels;
        run_interruptibly([&](const std::atomic<bool>* cancel) {
            engine_ = reference == nullptr
                          ? std::make_unique<juliaset::DeepRender>(view, params, no_progress(),
                                                                   cancel)
                          : std::make_unique<juliaset::DeepRender>(
                                view, params, reference->engine(), no_progress(), cancel);
        });
    }

    [[nodiscard]] const juliaset::DeepRender& engine() const { return *engine_; }

    nb::dict fields(const std::vector<std::string>& names, std::int64_t threads,
                    const std::optional<std::array<std::int64_t, 4>>& window,
                    const std::string& kernel) const {
        const juliaset::DeepView& view = engine_->view();
        if (names.empty()) throw std::invalid_argument("fields must name at least one field");
        if (engine_->params().threshold <= 1.0 &&
            std::find(names.begin(), names.end(), "smooth") != names.end()) {
            throw std::invalid_argument("the smooth field needs threshold > 1");
        }
        juliaset::PixelWindow part = engine_->full_window();
        if (window) {
            const auto [x0, y0, w, h] = *window;
            if (x0 < 0 || y0 < 0 || w < 1 || h < 1 ||
                static_cast<std::uint64_t>(x0) + static_cast<std::uint64_t>(w) > view.pixels_x ||
                static_cast<std::uint64_t>(y0) + static_cast<std::uint64_t>(h) > view.pixels_y) {
                throw std::invalid_argument(
                    "window (x0, y0, width, height) must lie inside the " +
                    std::to_string(view.pixels_x) + " x " + std::to_string(view.pixels_y) +
                    " image and be at least 1 x 1");
            }
            part = {static_cast<std::size_t>(x0), static_cast<std::size_t>(y0),
                    static_cast<std::size_t>(w), static_cast<std::size_t>(h)};
        }
        juliaset::RenderOptions options = make_options(threads, kernel, "exact");
        const std::size_t shape[] = {part.height, part.width};
        FieldArrays arrays(names, shape, "DeepRender.fields");
        const juliaset::FieldBuffers out = arrays.buffers(part.width * part.height);
        run_interruptibly([&](const std::atomic<bool>* cancel) {
            options.cancel = cancel;
            engine_->render(part, out, options);
        });
        return arrays.to_dict();
    }

private:
    std::unique_ptr<juliaset::DeepRender> engine_;
};

// Colours output pixels `window` of a deep engine built for the sample grid (supersample
// times the pixels each way): the window's samples' counts (or smooth counts) in one render,
// then color_samples. Histogram colouring uses `levels` when given (a window's colours need
// the whole image's histogram), else the histogram of these samples (the whole image).
// The image array for `window` (allocated with the GIL held).
ImageArray allocate_image(const juliaset::ImageSpec& spec, const juliaset::PixelWindow& window) {
    std::vector<std::size_t> shape{window.height, window.width};
    if (spec.format == juliaset::PixelFormat::rgb8) shape.push_back(3);
    return spec.format == juliaset::PixelFormat::gray16
               ? allocate<std::uint16_t, ImageArray>(shape, "image", "uint16")
               : allocate<std::uint8_t, ImageArray>(shape, "image", "uint8");
}

// 16-bit samples are stored big-endian (color_samples); numpy's uint16 array is native.
void swap_gray16_bytes(const juliaset::ImageSpec& spec, std::span<std::uint8_t> bytes) {
    if constexpr (std::endian::native == std::endian::little) {
        if (spec.format == juliaset::PixelFormat::gray16) {
            for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) std::swap(bytes[i], bytes[i + 1]);
        }
    }
}

// Runs without the GIL: fills `bytes` (the array of allocate_image).
void colour_deep_window(const juliaset::DeepRender& engine, const juliaset::ImageSpec& spec,
                        std::uint32_t itermin, const juliaset::PixelWindow& window,
                        const juliaset::HistogramLevels* levels, juliaset::RenderOptions options,
                        const std::atomic<bool>* cancel, std::span<std::uint8_t> bytes) {
    const std::size_t n = spec.supersample;
    const std::uint32_t itermax = engine.params().itermax;
    const juliaset::PixelWindow samples{window.x0 * n, window.y0 * n, window.width * n,
                                        window.height * n};
    const std::size_t sample_count = samples.size();
    const bool smooth = spec.coloring == juliaset::Coloring::smooth;
    const std::size_t pixel_bytes = juliaset::bytes_per_pixel(spec.format);
    if (spec.coloring != juliaset::Coloring::histogram || levels != nullptr) {
        // Bands of rows, each rendered and coloured by one worker while its fields are in
        // cache: no field buffer of the whole window (16 MB of smooth counts at 1080p, whose
        // fresh pages had cost more than colouring them).
        const std::size_t band_rows = std::max<std::size_t>(
            1, std::min<std::size_t>(16, window.height / (4 * juliaset::resolve_thread_count(
                                                                  options.threads)) + 1));
        const std::size_t bands = (window.height + band_rows - 1) / band_rows;
        juliaset::RenderOptions one_thread = options;
        one_thread.threads = 1;
        one_thread.cancel = cancel;
        juliaset::parallel_for(
            bands, options.threads,
            [&](std::size_t band) {
                const std::size_t row = band * band_rows;
                const std::size_t rows = std::min(band_rows, window.height - row);
                const juliaset::PixelWindow part{samples.x0, samples.y0 + row * n, samples.width,
                                                 rows * n};
                std::vector<std::uint32_t> counts;
                std::vector<double> smooth_counts;
                juliaset::FieldBuffers fields;
                if (smooth) {
                    smooth_counts.resize(part.size());
                    fields.smooth = smooth_counts;
                } else {
                    counts.resize(part.size());
                    fields.counts = counts;
                }
                engine.render(part, fields, one_thread);
                juliaset::color_samples(spec, itermin, itermax, window.width, rows, fields,
                                        levels, bytes.subspan(row * window.width * pixel_bytes,
                                                              rows * window.width * pixel_bytes));
            },
            cancel);
        swap_gray16_bytes(spec, bytes);
        return;
    }
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
    options.cancel = cancel;
    engine.render(samples, fields, options);
    juliaset::HistogramLevels own(itermax);  // sparse: not sized by itermax
    if (spec.coloring == juliaset::Coloring::histogram && levels == nullptr) {
        juliaset::CountHistogram histogram(itermax);
        histogram.add(counts);
        own = histogram.levels();
    }
    juliaset::color_samples(spec, itermin, itermax, window.width, window.height, fields,
                            levels != nullptr ? levels : &own, bytes, options.threads);
    swap_gray16_bytes(spec, bytes);
}

std::uint32_t check_itermin(std::int64_t itermin, std::uint32_t itermax) {
    const std::uint32_t first = to_uint32(itermin, "itermin");
    if (first >= itermax) {
        throw std::invalid_argument("itermin must be smaller than itermax, got itermin=" +
                                    std::to_string(first) + ", itermax=" +
                                    std::to_string(itermax));
    }
    return first;
}

// The deep image: one engine for the sample grid (supersample times the pixels each way),
// around `reference`'s orbits when given.
ImageArray deep_image(const std::string& center_re, const std::string& center_im,
                      const std::string& width, std::int64_t pixels_x, std::int64_t pixels_y,
                      const std::string& family, std::int64_t power, const std::string& c_re,
                      const std::string& c_im, double threshold, std::int64_t itermin,
                      std::int64_t itermax, const std::string& coloring,
                      const std::variant<std::string, ColourTable>& colormap, std::int64_t bits,
                      std::int64_t supersample, std::int64_t threads,
                      const PyDeepRender* reference) {
    const juliaset::DeepView view = make_deep_view(center_re, center_im, width, pixels_x,
                                                   pixels_y);
    const juliaset::DeepParams params =
        make_deep_params(family, power, c_re, c_im, threshold, itermax);
    const std::uint32_t first = check_itermin(itermin, params.itermax);
    const juliaset::ImageSpec spec = make_spec(coloring, colormap, bits, supersample, threshold);
    const juliaset::RenderOptions options = make_options(threads, "auto", "exact");
    juliaset::DeepView samples = view;
    samples.pixels_x *= spec.supersample;
    samples.pixels_y *= spec.supersample;
    const juliaset::PixelWindow whole{0, 0, view.pixels_x, view.pixels_y};
    ImageArray out = allocate_image(spec, whole);
    const std::span<std::uint8_t> bytes(static_cast<std::uint8_t*>(out.data()), out.nbytes());
    run_interruptibly([&](const std::atomic<bool>* cancel) {
        const juliaset::DeepRender engine =
            reference == nullptr
                ? juliaset::DeepRender(samples, params, no_progress(), cancel)
                : juliaset::DeepRender(samples, params, reference->engine(), no_progress(),
                                       cancel);
        colour_deep_window(engine, spec, first, whole, nullptr, options, cancel, bytes);
    });
    return out;
}

// A window of the deep image whose samples `engine` was built for (pixels times supersample):
// the chunks of juliaset.dask's images. Histogram colouring needs the whole image's histogram.
ImageArray deep_image_window(const PyDeepRender& self, std::int64_t x0, std::int64_t y0,
                             std::int64_t window_width, std::int64_t window_height,
                             std::int64_t itermin, const std::string& coloring,
                             const std::variant<std::string, ColourTable>& colormap,
                             std::int64_t bits, std::int64_t supersample,
                             const std::optional<HistogramCounts>& histogram_counts,
                             const std::optional<HistogramSamples>& histogram_samples,
                             std::int64_t threads) {
    const juliaset::DeepRender& engine = self.engine();
    const std::uint32_t itermax = engine.params().itermax;
    const std::uint32_t first = check_itermin(itermin, itermax);
    const juliaset::ImageSpec spec =
        make_spec(coloring, colormap, bits, supersample, engine.params().threshold);
    const std::size_t n = spec.supersample;
    const juliaset::DeepView& view = engine.view();
    if (view.pixels_x % n != 0 || view.pixels_y % n != 0) {
        throw std::invalid_argument("supersample: the engine's " + std::to_string(view.pixels_x) +
                                    " x " + std::to_string(view.pixels_y) +
                                    " samples are not a whole number of pixels of " +
                                    std::to_string(n) + " x " + std::to_string(n) + " samples");
    }
    const std::size_t pixels_x = view.pixels_x / n;
    const std::size_t pixels_y = view.pixels_y / n;
    if (x0 < 0 || y0 < 0 || window_width < 1 || window_height < 1 ||
        static_cast<std::uint64_t>(x0) + static_cast<std::uint64_t>(window_width) > pixels_x ||
        static_cast<std::uint64_t>(y0) + static_cast<std::uint64_t>(window_height) > pixels_y) {
        throw std::invalid_argument("window (x0, y0, width, height) must lie inside the " +
                                    std::to_string(pixels_x) + " x " + std::to_string(pixels_y) +
                                    " image and be at least 1 x 1");
    }
    std::optional<juliaset::HistogramLevels> levels;
    if (spec.coloring == juliaset::Coloring::histogram) {
        levels = window_histogram_levels(itermax, histogram_counts, histogram_samples);
    }
    const juliaset::RenderOptions options = make_options(threads, "auto", "exact");
    const juliaset::PixelWindow window{static_cast<std::size_t>(x0), static_cast<std::size_t>(y0),
                                       static_cast<std::size_t>(window_width),
                                       static_cast<std::size_t>(window_height)};
    ImageArray out = allocate_image(spec, window);
    const std::span<std::uint8_t> bytes(static_cast<std::uint8_t*>(out.data()), out.nbytes());
    run_interruptibly([&](const std::atomic<bool>* cancel) {
        colour_deep_window(engine, spec, first, window, levels ? &*levels : nullptr, options,
                           cancel, bytes);
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
parameters and MemoryError when the arrays cannot be allocated.

``progress`` (grids only), a callable, is called as ``progress(rows_done, rows_total)`` from
the calling thread about every 50 ms while rows get done, and once at the end; the rows are
then rendered in bands of about 1 % each. An exception it raises stops the render and
propagates.)";

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

Family, power, threads, the GIL, errors and ``progress`` as for ``fields`` (with histogram
colouring, the counting pass is the first half of the rows reported).)";

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
    m.def(
        "default_region",
        [](const std::string& family, std::int64_t power) {
            const juliaset::JuliaParams params =
                make_family_params(family, power, 0.0, 0.0, 2.0, 0, 1);
            const juliaset::Region region = juliaset::default_region(params.family, params.power);
            return std::make_tuple(region.xleft, region.xright, region.ybot, region.ytop);
        },
        "family"_a, "power"_a = 2,
        "(xleft, xright, ybot, ytop) of the region shown when none is given: one that\n"
        "frames the whole set of the family and power (the command's --mandelbrot default).");
    m.def("grid_points", &grid_points, "xleft"_a, "xright"_a, "ybot"_a, "ytop"_a,
          "resolution"_a,
          "The complex points the renderers sample, as a complex128 array (height, width):\n"
          "exactly the x and y values of the native grid, top row first.");
    m.def("fields", &grid_fields,
          nb::sig("def fields(xleft: float, xright: float, ybot: float, ytop: float, width: int, "
                  "height: int, *, family: str = 'julia', power: int = 2, c_re: float, "
                  "c_im: float, threshold: float, itermax: int, "
                  "fields: collections.abc.Sequence[str] = ['counts'], threads: int = 0, "
                  "progress: collections.abc.Callable[[int, int], object] | None = None) "
                  "-> dict[str, numpy.typing.NDArray[typing.Any]]"),
          "xleft"_a, "xright"_a, "ybot"_a, "ytop"_a, "width"_a,
          "height"_a, nb::kw_only(), "family"_a = "julia", "power"_a = 2, "c_re"_a, "c_im"_a,
          "threshold"_a, "itermax"_a, "fields"_a = std::vector<std::string>{"counts"},
          "threads"_a = 0, "progress"_a = nb::none(),
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
                  "supersample: int = 1, threads: int = 0, precision: str = 'exact', "
                  "progress: collections.abc.Callable[[int, int], object] | None = None) "
                  "-> numpy.typing.NDArray[typing.Any]"),
          "xleft"_a, "xright"_a, "ybot"_a, "ytop"_a, "width"_a,
          "height"_a, nb::kw_only(), "family"_a = "julia", "power"_a = 2, "c_re"_a, "c_im"_a,
          "threshold"_a, "itermin"_a, "itermax"_a, "coloring"_a = "count",
          "colormap"_a = "gray", "bits"_a = 8, "supersample"_a = 1, "threads"_a = 0,
          "precision"_a = "exact", "progress"_a = nb::none(), image_doc);
    // Pixel windows of a grid (juliaset.dask renders each chunk with these).
    m.def("fields_window", &window_fields,
          nb::sig("def fields_window(xleft: float, xright: float, ybot: float, ytop: float, "
                  "width: int, height: int, x0: int, y0: int, window_width: int, "
                  "window_height: int, *, family: str = 'julia', power: int = 2, c_re: float, "
                  "c_im: float, threshold: float, itermax: int, "
                  "fields: collections.abc.Sequence[str] = ['counts'], threads: int = 0) "
                  "-> dict[str, numpy.typing.NDArray[typing.Any]]"),
          "xleft"_a, "xright"_a, "ybot"_a, "ytop"_a, "width"_a, "height"_a, "x0"_a, "y0"_a,
          "window_width"_a, "window_height"_a, nb::kw_only(), "family"_a = "julia",
          "power"_a = 2, "c_re"_a, "c_im"_a, "threshold"_a, "itermax"_a,
          "fields"_a = std::vector<std::string>{"counts"}, "threads"_a = 0,
          (std::string("``fields`` for the window of ``window_width`` x ``window_height`` pixels\n"
                       "at column ``x0``, row ``y0`` of the ``width`` x ``height`` grid: exactly\n"
                       "those pixels of the full grid's arrays (shape (window_height,\n"
                       "window_width)). IndexError for a window outside the grid.\n") +
           fields_doc)
              .c_str());
    m.def("image_window", &window_image,
          nb::sig("def image_window(xleft: float, xright: float, ybot: float, ytop: float, "
                  "width: int, height: int, x0: int, y0: int, window_width: int, "
                  "window_height: int, *, family: str = 'julia', power: int = 2, c_re: float, "
                  "c_im: float, threshold: float, itermin: int, itermax: int, "
                  "coloring: str = 'count', "
                  "colormap: str | numpy.typing.NDArray[numpy.float64] = 'gray', bits: int = 8, "
                  "supersample: int = 1, "
                  "histogram_counts: numpy.typing.NDArray[numpy.uint32] | None = None, "
                  "histogram_samples: numpy.typing.NDArray[numpy.uint64] | None = None, "
                  "threads: int = 0, precision: str = 'exact') "
                  "-> numpy.typing.NDArray[typing.Any]"),
          "xleft"_a, "xright"_a, "ybot"_a, "ytop"_a, "width"_a, "height"_a, "x0"_a, "y0"_a,
          "window_width"_a, "window_height"_a, nb::kw_only(), "family"_a = "julia",
          "power"_a = 2, "c_re"_a, "c_im"_a, "threshold"_a, "itermin"_a, "itermax"_a,
          "coloring"_a = "count", "colormap"_a = "gray", "bits"_a = 8, "supersample"_a = 1,
          "histogram_counts"_a = nb::none(), "histogram_samples"_a = nb::none(),
          "threads"_a = 0, "precision"_a = "exact",
          "``image`` for the window at column ``x0``, row ``y0`` of the ``width`` x ``height``\n"
          "grid: exactly those pixels of the full image. Histogram colouring needs the whole\n"
          "image's histogram: ``histogram_counts``, the distinct escaped counts (uint32,\n"
          "ascending, each < itermax) of every sample of the (supersampled) grid, and\n"
          "``histogram_samples``, how many samples have each (uint64).");
    m.def("colormap_names", &juliaset::Colormap::names,
          "Names of the built-in colormaps ``image`` accepts, each reversed by a trailing \"_r\".");
    m.def("colormap_table", &colormap_table, "name"_a,
          "The 256 colours of the built-in colormap ``name`` as a float64 (256, 3) array in\n"
          "[0, 1]: a value t gets colour ``min(floor(t * 256), 255)``. For ``\"gray\"`` (no\n"
          "table: an 8-bit level is ``floor(t * 255)``) it is the ramp ``(i + 0.5) / 256``.");
    nb::class_<CancelToken>(m, "CancelToken",
                            "A flag that cancels the renders run inside ``with token:``.\n\n"
                            "Any thread may call ``cancel()``; a render on the thread that "
                            "entered the token\nthen stops between tasks and raises "
                            "RuntimeError('render cancelled').")
        .def(nb::init<>())
        .def("cancel", [](CancelToken& t) { t.flag.store(true, std::memory_order_relaxed); },
             "Stop the token's renders (now, or as soon as one starts).")
        .def_prop_ro(
            "cancelled",
            [](const CancelToken& t) { return t.flag.load(std::memory_order_relaxed); },
            "Whether cancel() was called.")
        .def("__enter__",
             [](CancelToken& t) -> CancelToken& {
                 enter_cancel_token(t);
                 return t;
             },
             nb::rv_policy::reference)
        .def("__exit__",
             [](CancelToken& t, nb::handle, nb::handle, nb::handle) {
                 exit_cancel_token(t);
                 return false;
             },
             "exc_type"_a.none(), "exc_value"_a.none(), "traceback"_a.none());
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
                      const std::string&, double, std::int64_t, const PyDeepRender*, bool>(),
             "center_re"_a, "center_im"_a, "width"_a, "pixels_x"_a, "pixels_y"_a, nb::kw_only(),
             "family"_a = "julia", "power"_a = 2, "c_re"_a = "0", "c_im"_a = "0",
             "threshold"_a = 2.0, "itermax"_a = 100, "reference"_a = nb::none(),
             "distance_in_pixels"_a = false,
             "``reference``: another DeepRender whose reference orbits this view reuses instead\n"
             "of computing its own (the frames of a zoom, from the deepest one): same family,\n"
             "power, threshold and c, and at least this view's precision (else ValueError).\n"
             "``distance_in_pixels``: the distance field in pixel spacings (width / pixels_x)\n"
             "instead of plane units, which fall below a double's range below about 1e-300.")
        .def("fields", &PyDeepRender::fields,
             nb::sig("def fields(self, fields: collections.abc.Sequence[str] = ['counts'], "
                     "threads: int = 0, window: tuple[int, int, int, int] | None = None, "
                     "kernel: str = 'auto') -> dict[str, numpy.typing.NDArray[typing.Any]]"),
             "fields"_a = std::vector<std::string>{"counts"}, "threads"_a = 0,
             "window"_a = nb::none(), "kernel"_a = "auto",
             "The named fields (as ``fields``) of every pixel, as a dict of (height, width) arrays;\n"
             "``window=(x0, y0, width, height)`` renders only those pixels (the same values as\n"
             "the whole image's, for chunks and tiles). ``kernel=\"scalar\"`` takes the scalar\n"
             "kernel where ``\"auto\"`` would iterate rows of pixels in SIMD lanes (the same\n"
             "values, bit for bit).")
        .def("image_window", &deep_image_window,
             nb::sig("def image_window(self, x0: int, y0: int, width: int, height: int, *, "
                     "itermin: int = 0, coloring: str = 'count', "
                     "colormap: str | numpy.typing.NDArray[numpy.float64] = 'gray', "
                     "bits: int = 8, supersample: int = 1, "
                     "histogram_counts: numpy.typing.NDArray[numpy.uint32] | None = None, "
                     "histogram_samples: numpy.typing.NDArray[numpy.uint64] | None = None, "
                     "threads: int = 0) -> numpy.typing.NDArray[typing.Any]"),
             "x0"_a, "y0"_a, "width"_a, "height"_a, nb::kw_only(), "itermin"_a = 0,
             "coloring"_a = "count", "colormap"_a = "gray", "bits"_a = 8, "supersample"_a = 1,
             "histogram_counts"_a = nb::none(), "histogram_samples"_a = nb::none(),
             "threads"_a = 0,
             "Pixels (x0, y0, width, height) of the image whose samples this engine was built\n"
             "for (its pixels divided by ``supersample`` each way), coloured as ``deep_image``;\n"
             "histogram colouring takes the whole image's histogram as ``image_window``.")
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
                  "supersample: int = 1, threads: int = 0, reference: DeepRender | None = None) "
                  "-> numpy.typing.NDArray[typing.Any]"),
          "center_re"_a, "center_im"_a, "width"_a, "pixels_x"_a, "pixels_y"_a, nb::kw_only(),
          "family"_a = "julia", "power"_a = 2, "c_re"_a = "0", "c_im"_a = "0", "threshold"_a,
          "itermin"_a, "itermax"_a, "coloring"_a = "count", "colormap"_a = "gray", "bits"_a = 8,
          "supersample"_a = 1, "threads"_a = 0, "reference"_a = nb::none(),
          "``image`` for a view given as exact decimal strings, rendered by the deep engine\n"
          "(the samples of ``supersample`` are the view at that many times the pixels), around\n"
          "``reference``'s orbits when given (see ``DeepRender``).");
    m.def("deep_oracle_count", &deep_oracle,
          "center_re"_a, "center_im"_a, "width"_a, "pixels_x"_a, "pixels_y"_a, "column"_a,
          "row"_a, nb::kw_only(), "family"_a = "julia", "power"_a = 2, "c_re"_a = "0",
          "c_im"_a = "0", "threshold"_a = 2.0, "itermax"_a = 100, "precision_bits"_a = 0,
          "The brute-force escape count of one pixel of the view, iterated in MPFR at\n"
          "``precision_bits`` (0: enough for the view). Slow: for tests and benchmarks.");
}
