// Deep zoom: views of any depth given as exact decimal strings, rendered by perturbation around
// high-precision reference orbits, with bilinear approximation (BLA) to skip iterations.
//
// The contract between the deep engine (src/deep/) and its consumers (the command, the Python
// binding, the benchmark). Arbitrary-precision arithmetic lives behind this header only: the
// consumers pass decimal strings and get the same FieldBuffers the shallow path fills.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "juliaset/escape.hpp"
#include "juliaset/fields.hpp"
#include "juliaset/grid.hpp"
#include "juliaset/render.hpp"

namespace juliaset {

/// The most significant decimal digits a deep coordinate may carry, and the smallest
/// decimal exponent of a width: beyond these the reference orbit's precision (and its cost)
/// grows past what we support. Checked at the entry point, reported naming the argument.
inline constexpr std::size_t max_deep_digits = 20000;
inline constexpr long max_deep_exponent = 20000;  ///< widths down to 1e-20000

/// The largest itermax the deep engine accepts (counts are 32-bit).
inline constexpr std::uint32_t max_deep_itermax = 0xFFFFFFFFu;

/// A view of the plane, exact: centre and width as decimal strings ("-1.9999661944503703",
/// "3.0013824367909383e-34", "1e-1000"; an optional sign, digits with an optional point, an
/// optional exponent). Pixel (i, j) of a `pixels_x` x `pixels_y` image samples
///   center + ((i / pixels_x - 1/2) * width, (1/2 - j / pixels_y) * width * pixels_y / pixels_x)
/// computed exactly and rounded only after the exact sum (the left and top edges are sampled).
struct DeepView {
    std::string center_re = "0";
    std::string center_im = "0";
    std::string width = "4";
    std::size_t pixels_x = 800;
    std::size_t pixels_y = 500;
};

/// What is iterated: z <- z^power + c, as JuliaParams, with c as exact decimal strings.
struct DeepParams {
    Family family = Family::mandelbrot;
    std::uint32_t power = 2;
    /// Julia's constant c (ignored for the Mandelbrot family, where c is the pixel's point).
    std::string c_re = "-0.835";
    std::string c_im = "-0.2321";
    /// A point has escaped once |z|^2 > threshold^2 (strictly); the count rule is escape.hpp's.
    double threshold = 2.0;
    std::uint32_t itermax = 1000;
    /// The distance field in units of the pixel spacing (width / pixels_x) instead of the
    /// plane's: at depth, plane distances fall below a double's range (about 1e-308) and
    /// read 0. (Added by the engine; the shallow path has no such option.)
    bool distance_in_pixels = false;
};

/// Throws std::invalid_argument naming `argument` unless `text` is a decimal number this
/// header accepts (no NaN, no infinity, at most max_deep_digits significant digits, exponent
/// within +-max_deep_exponent). Used by every consumer to report bad input early.
void check_decimal(const std::string& text, const std::string& argument);

/// Whether `view` needs the deep engine: true when its pixel spacing is too small for the
/// shallow double path to tell neighbouring pixels apart with a margin (documented in
/// docs/design.md, "Deep zoom"), or when its coordinates do not fit a double. Validates like
/// DeepRender's constructor.
[[nodiscard]] bool needs_deep_engine(const DeepView& view, const DeepParams& params);

/// What the deep engine reports while it works: the reference orbit (serial, in MPFR) and the
/// render. Called from one thread at a time; `done <= total`. May throw to abort (the render
/// then rethrows it).
struct DeepProgress {
    enum class Stage { reference_orbit, approximation_table, render };
    std::function<void(Stage stage, std::uint64_t done, std::uint64_t total)> report;
};

/// The expensive, serial part of a deep render: the reference orbit(s) in arbitrary precision
/// and the BLA table, computed once per view and parameters and shared by every window, thread
/// and tile rendered from it. Immutable after construction, so it may be used from several
/// threads at once. Memory is bounded independently of itermax when the reference orbit
/// escapes or is periodic (see docs/design.md).
class DeepRender {
public:
    /// Validates and builds. Throws std::invalid_argument naming the argument ("center_re",
    /// "width", "c_im", "itermax", ...) for malformed decimals, a width <= 0, an unsupported
    /// precision or a bad parameter; Cancelled when `cancel` is raised (polled at least every
    /// few milliseconds, also inside the reference orbit).
    DeepRender(const DeepView& view, const DeepParams& params, const DeepProgress& progress = {},
               const std::atomic<bool>* cancel = nullptr);
    /// The same view and parameters rendered around `share`'s reference orbits instead of new
    /// ones: for views near each other (the frames of a zoom into one point, computed once at
    /// the deepest frame). Any reference is correct (pixels rebase at its end); a nearby one
    /// is fast. Only the approximation table is rebuilt. Throws std::invalid_argument
    /// ("reference: ...") unless family, power, threshold and c are the same and `share`'s
    /// precision covers this view's. `share` may be destroyed afterwards.
    DeepRender(const DeepView& view, const DeepParams& params, const DeepRender& share,
               const DeepProgress& progress = {}, const std::atomic<bool>* cancel = nullptr);
    ~DeepRender();
    DeepRender(DeepRender&&) noexcept;
    DeepRender& operator=(DeepRender&&) noexcept;

    [[nodiscard]] const DeepView& view() const noexcept;
    [[nodiscard]] const DeepParams& params() const noexcept;
    /// The full image's window {0, 0, pixels_x, pixels_y}.
    [[nodiscard]] PixelWindow full_window() const noexcept;
    /// Bits of precision of the reference orbit(s), and their length in iterations (for the
    /// benchmark and the docs).
    [[nodiscard]] std::size_t precision_bits() const noexcept;
    [[nodiscard]] std::size_t reference_length() const noexcept;

    /// Fills the requested fields of `window` (counts, smooth, final_norm, interior, distance;
    /// same meanings as the shallow path's FieldBuffers), on options.threads threads, polling
    /// options.cancel. Throws std::out_of_range for a window outside the image and
    /// std::invalid_argument for a buffer of the wrong size or smooth with threshold <= 1.
    void render(const PixelWindow& window, const FieldBuffers& out,
                const RenderOptions& options = {}, const DeepProgress& progress = {}) const;

    struct State;  // private (deep.cpp)

private:
    std::unique_ptr<State> state_;
};

/// The brute-force oracle: the escape count of the exact sample point of pixel (i, j) of
/// `view`, iterated in MPFR at `precision_bits` bits (0 picks enough for the view). Slow (one
/// arbitrary-precision orbit per call); for tests and the benchmark's baseline.
[[nodiscard]] std::uint32_t deep_oracle_count(const DeepView& view, const DeepParams& params,
                                              std::size_t i, std::size_t j,
                                              std::size_t precision_bits = 0);

}  // namespace juliaset
