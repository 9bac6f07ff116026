// The deep engine's entry points: validation, precision, reference orbits and tables, and the
// threaded render over rows.
#include <algorithm>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "bands.hpp"
#include "deep/engine.hpp"
#include "fields_kernels.hpp"
#include "juliaset/deep.hpp"

namespace juliaset {

using deep::ComplexExp;
using deep::Decimal;
using deep::FloatExp;
using deep::Mpfr;
using deep::to_float_exp;

namespace {

struct ParsedInput {
    Decimal centre_re, centre_im, width, c_re, c_im;
};

ParsedInput parse_input(const DeepView& view, const DeepParams& params) {
    ParsedInput in;
    in.centre_re = deep::parse_decimal(view.center_re, "center_re");
    in.centre_im = deep::parse_decimal(view.center_im, "center_im");
    in.width = deep::parse_decimal(view.width, "width");
    if (in.width.is_zero() || in.width.negative) {
        throw std::invalid_argument("width must be above 0, got '" +
                                    view.width.substr(0, 40) + "'");
    }
    if (view.pixels_x < 1 || view.pixels_y < 1) {
        throw std::invalid_argument("the image needs at least 1 x 1 pixels, got " +
                                    std::to_string(view.pixels_x) + " x " +
                                    std::to_string(view.pixels_y));
    }
    if (view.pixels_x > max_grid_side || view.pixels_y > max_grid_side) {
        throw std::length_error("image sides are limited to " + std::to_string(max_grid_side) +
                                " pixels");
    }
    if (params.power < min_power || params.power > max_power) {
        throw std::invalid_argument("power must be between " + std::to_string(min_power) +
                                    " and " + std::to_string(max_power) + ", got " +
                                    std::to_string(params.power));
    }
    if (!std::isfinite(params.threshold) || !(params.threshold > 0.0) ||
        !std::isfinite(params.threshold * params.threshold)) {
        throw std::invalid_argument(
            "threshold must be a finite number above 0 whose square is finite, got " +
            std::to_string(params.threshold));
    }
    if (params.family == Family::julia) {
        in.c_re = deep::parse_decimal(params.c_re, "c_re");
        in.c_im = deep::parse_decimal(params.c_im, "c_im");
    }
    return in;
}

double log2_max(std::initializer_list<const Decimal*> values) {
    double best = 0.0;  // at least 1
    for (const Decimal* v : values) best = std::max(best, v->log2_upper());
    return best;
}

void check_decimal_impl(const std::string& text, const std::string& argument) {
    (void)deep::parse_decimal(text, argument);
}

}  // namespace

namespace deep {

std::size_t view_precision(const Decimal& width, std::size_t pixels_x, const Decimal& centre_re,
                           const Decimal& centre_im, const Decimal* c_re, const Decimal* c_im,
                           bool keep_given_digits) {
    const double spacing_log2 = width.log2_approx() - std::log2(static_cast<double>(pixels_x));
    double scale_log2 = log2_max({&centre_re, &centre_im});
    if (c_re != nullptr) scale_log2 = std::max(scale_log2, log2_max({c_re, c_im}));
    double bits = std::ceil(scale_log2 - spacing_log2) + 64.0;
    // The given digits are kept too: the centre pixel is then iterated at the exact centre
    // (a nucleus given to 500 digits stays interior at any width), and Julia's c exact.
    for (const Decimal* v : {&centre_re, &centre_im, c_re, c_im}) {
        if (v == nullptr || v->is_zero()) continue;
        if (!keep_given_digits && (v == &centre_re || v == &centre_im)) continue;
        // bits below the number's leading bit that its last digit reaches, plus its scale
        const double last_digit_log2 =
            static_cast<double>(v->exponent10 - static_cast<long>(v->digits.size())) *
            std::log2(10.0);
        bits = std::max(bits, std::ceil(scale_log2 - last_digit_log2) + 32.0);
    }
    return static_cast<std::size_t>(std::max(bits, 128.0));
}

}  // namespace deep

void check_decimal(const std::string& text, const std::string& argument) {
    check_decimal_impl(text, argument);
}

bool needs_deep_engine(const DeepView& view, const DeepParams& params) {
    const ParsedInput in = parse_input(view, params);
    // Beyond a double's comfortable range: deep.
    const double width_log2 = in.width.log2_approx();
    if (width_log2 < -960.0 || width_log2 > 960.0) return true;
    for (const Decimal* v : {&in.centre_re, &in.centre_im}) {
        if (!v->is_zero() && (v->log2_upper() > 960.0)) return true;
    }
    // Julia's c given to more digits than a double keeps (a double round-trips through 17
    // significant digits, so 18 or more say the digits matter), or beyond a double's range:
    // the shallow path would round it. Near a boundary the orbit's fate hangs on those digits
    // (c to 50 digits beside a period-7984 minibrot: 25,133 iterations, 12,286 rounded).
    if (params.family == Family::julia) {
        for (const Decimal* v : {&in.c_re, &in.c_im}) {
            if (v->is_zero()) continue;
            if (v->digits.size() > 17) return true;
            const double magnitude = v->log2_upper();
            if (magnitude > 960.0 || magnitude < -960.0) return true;
        }
    }
    // The shallow path's rounding: coordinates to half an ulp (2^-53 relative to the larger
    // of |centre| and 1, the orbit's own scale), iterations adding as much per step. A pixel
    // spacing of 2^-42 of that scale leaves 2^11 ulps per pixel.
    // (The scale to 1e-15: an upper bound such as 10^exponent overshoots by up to 3.3 bits,
    // which sent views 10 times wider than documented to the deep engine near |centre| = 1.)
    const double spacing_log2 = width_log2 - std::log2(static_cast<double>(view.pixels_x));
    const double scale_log2 = std::max({0.0, in.centre_re.log2_approx(),
                                        in.centre_im.log2_approx()});
    return spacing_log2 < scale_log2 - 42.0;
}

struct DeepRender::State {
    DeepView view;
    DeepParams params;
    ParsedInput input;
    std::size_t bits = 0;
    deep::Engine engine;
    FloatExp offset_re, offset_im;
    FloatExp pixel_spacing;
    /// The largest |delta| of the image: |offset| + half_spacing * |(w, h)|.
    FloatExp delta_max;
};

namespace {

// The view's geometry against a reference centre (already rounded to the reference's
// precision): the exact offset of the view's centre from it, the pixel spacing and the largest
// pixel delta.
void set_geometry(DeepRender::State& s, mpfr_srcptr reference_re, mpfr_srcptr reference_im,
                  std::size_t view_bits) {
    const auto bits_hi = static_cast<mpfr_prec_t>(
        std::max<std::size_t>(view_bits, std::max<std::size_t>(mpfr_get_prec(reference_re),
                                                               mpfr_get_prec(reference_im))) +
        64);
    Mpfr hi_re(bits_hi), hi_im(bits_hi);
    deep::set_decimal(hi_re, s.input.centre_re);
    deep::set_decimal(hi_im, s.input.centre_im);
    mpfr_sub(hi_re, hi_re, reference_re, MPFR_RNDN);  // exact centre - reference centre
    mpfr_sub(hi_im, hi_im, reference_im, MPFR_RNDN);
    s.offset_re = to_float_exp(hi_re);
    s.offset_im = to_float_exp(hi_im);

    Mpfr spacing(64);
    deep::set_decimal(spacing, s.input.width);
    mpfr_div_ui(spacing, spacing, static_cast<unsigned long>(s.view.pixels_x), MPFR_RNDN);
    s.pixel_spacing = to_float_exp(spacing);

    deep::Engine& e = s.engine;
    e.family = s.params.family;
    e.power = s.params.power;
    e.threshold_squared = s.params.threshold * s.params.threshold;
    e.log_threshold_squared = std::log(e.threshold_squared);
    e.log_power = std::log(static_cast<double>(e.power));
    e.itermax = s.params.itermax;
    e.offset = ComplexExp(s.offset_re, s.offset_im);
    e.half_spacing = s.pixel_spacing * FloatExp(0.5);
    const double diagonal = std::hypot(static_cast<double>(s.view.pixels_x),
                                       static_cast<double>(s.view.pixels_y));
    s.delta_max = e.offset.abs() + e.half_spacing * FloatExp(diagonal);
}

bool same_value(const Decimal& a, const Decimal& b) {
    return a.negative == b.negative && a.digits == b.digits &&
           (a.is_zero() || a.exponent10 == b.exponent10);
}

}  // namespace

DeepRender::DeepRender(const DeepView& view, const DeepParams& params,
                       const DeepProgress& progress, const std::atomic<bool>* cancel)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.input = parse_input(view, params);
    const ParsedInput& in = s.input;
    s.view = view;
    s.params = params;
    const bool mandelbrot = params.family == Family::mandelbrot;
    s.bits = deep::view_precision(in.width, view.pixels_x, in.centre_re, in.centre_im,
                                  mandelbrot ? nullptr : &in.c_re,
                                  mandelbrot ? nullptr : &in.c_im);
    const auto bits = static_cast<mpfr_prec_t>(s.bits);

    Mpfr centre_re(bits), centre_im(bits);
    deep::set_decimal(centre_re, in.centre_re);
    deep::set_decimal(centre_im, in.centre_im);
    set_geometry(s, centre_re, centre_im, s.bits);
    deep::Engine& e = s.engine;
    e.centre = ComplexExp(to_float_exp(centre_re), to_float_exp(centre_im));

    const std::size_t max_length =
        static_cast<std::size_t>(std::min<std::uint64_t>(std::uint64_t{params.itermax} + 1,
                                                         deep::max_reference_length));
    Mpfr zero_re(bits), zero_im(bits);
    mpfr_set_zero(zero_re, 1);
    mpfr_set_zero(zero_im, 1);
    deep::OrbitRequest request;
    request.bits = bits;
    request.power = params.power;
    request.threshold = params.threshold;
    request.max_length = max_length;
    request.spacing = s.pixel_spacing;
    if (mandelbrot) {
        request.z0_re = zero_re;
        request.z0_im = zero_im;
        request.c_re = centre_re;
        request.c_im = centre_im;
        request.derivative = 1;
        e.primary = deep::compute_orbit(request, progress, cancel);
        deep::build_bla(e.primary, params.power, params.threshold, true, s.delta_max, progress,
                        cancel);
    } else {
        Mpfr c_re(bits), c_im(bits);
        deep::set_decimal(c_re, in.c_re);
        deep::set_decimal(c_im, in.c_im);
        request.c_re = c_re;
        request.c_im = c_im;
        // The primary orbit starts at the centre; a centre below the double-mode range
        // starts every pixel on the critical orbit instead (whose Z_0 = 0).
        const std::int64_t plain = deep::double_mode_log2(params.power);
        e.use_primary = e.centre.e >= plain;
        if (e.use_primary) {
            request.z0_re = centre_re;
            request.z0_im = centre_im;
            request.derivative = 2;
            e.primary = deep::compute_orbit(request, progress, cancel);
            deep::build_bla(e.primary, params.power, params.threshold, false, FloatExp(),
                            progress, cancel);
        }
        request.z0_re = zero_re;
        request.z0_im = zero_im;
        request.derivative = 0;
        e.critical = deep::compute_orbit(request, progress, cancel);
        deep::build_bla(e.critical, params.power, params.threshold, false, FloatExp(),
                        progress, cancel);
    }
}

DeepRender::DeepRender(const DeepView& view, const DeepParams& params, const DeepRender& share,
                       const DeepProgress& progress, const std::atomic<bool>* cancel)
    : state_(std::make_unique<State>()) {
    State& s = *state_;
    s.input = parse_input(view, params);
    const ParsedInput& in = s.input;
    const State& from = *share.state_;
    const bool mandelbrot = params.family == Family::mandelbrot;
    if (params.family != from.params.family || params.power != from.params.power ||
        params.threshold != from.params.threshold ||
        (!mandelbrot && (!same_value(in.c_re, from.input.c_re) ||
                         !same_value(in.c_im, from.input.c_im)))) {
        throw std::invalid_argument(
            "reference: a shared reference must have the same family, power, threshold and c");
    }
    // The reference must resolve this view's pixels; the view's own centre digits (which
    // its own reference would keep) only enter the exact offset from the shared centre,
    // computed at the view's full precision.
    const Decimal* c_re = mandelbrot ? nullptr : &in.c_re;
    const Decimal* c_im = mandelbrot ? nullptr : &in.c_im;
    const std::size_t view_bits = deep::view_precision(in.width, view.pixels_x, in.centre_re,
                                                       in.centre_im, c_re, c_im, true);
    const std::size_t needed = deep::view_precision(in.width, view.pixels_x, in.centre_re,
                                                    in.centre_im, c_re, c_im, false);
    if (needed > from.bits) {
        throw std::invalid_argument("reference: the shared reference has " +
                                    std::to_string(from.bits) + " bits, this view needs " +
                                    std::to_string(needed));
    }
    s.view = view;
    s.params = params;
    s.bits = from.bits;
    // The reference's centre, rounded as its orbits were computed.
    const auto bits = static_cast<mpfr_prec_t>(from.bits);
    Mpfr reference_re(bits), reference_im(bits);
    deep::set_decimal(reference_re, from.input.centre_re);
    deep::set_decimal(reference_im, from.input.centre_im);
    set_geometry(s, reference_re, reference_im, view_bits);
    deep::Engine& e = s.engine;
    e.centre = from.engine.centre;
    e.use_primary = from.engine.use_primary;
    // Any reference length is correct (pixels rebase at its end), so the orbits are reused as
    // they are; the Mandelbrot table depends on this view's largest delta and is rebuilt
    // (Julia's has B = 0 and does not).
    e.primary = from.engine.primary;
    e.critical = from.engine.critical;
    if (mandelbrot) {
        deep::build_bla(e.primary, params.power, params.threshold, true, s.delta_max, progress,
                        cancel);
    }
}

DeepRender::~DeepRender() = default;
DeepRender::DeepRender(DeepRender&&) noexcept = default;
DeepRender& DeepRender::operator=(DeepRender&&) noexcept = default;

const DeepView& DeepRender::view() const noexcept { return state_->view; }
const DeepParams& DeepRender::params() const noexcept { return state_->params; }
PixelWindow DeepRender::full_window() const noexcept {
    return {0, 0, state_->view.pixels_x, state_->view.pixels_y};
}
std::size_t DeepRender::precision_bits() const noexcept { return state_->bits; }
std::size_t DeepRender::reference_length() const noexcept {
    const deep::Engine& e = state_->engine;
    return std::max(e.primary.z.size(), e.critical.z.size());
}

namespace deep {

void pixel_deltas(const FloatExp& offset_re, const FloatExp& offset_im, const FloatExp& half,
                  std::size_t w, std::size_t h, std::size_t j, std::size_t x0, std::size_t count,
                  ComplexExp* out, bool plain_doubles) noexcept {
    const double y = static_cast<double>(h) - 2.0 * static_cast<double>(j);
    // Normal doubles throughout: |half| and the offsets within 2^+-900 (or 0), so products of
    // half by integers below 2^32 stay normal, and a sum's exact value, a multiple of the
    // smaller operand's last place (2^-952 or more), is 0 or normal. Then each extended
    // operation (one rounding of the mantissas, exponents exact) is the double one.
    const auto in_range = [](const FloatExp& v) {
        return v.is_zero() || (v.e > -900 && v.e < 900);
    };
    if (plain_doubles && !half.is_zero() && in_range(half) && in_range(offset_re) &&
        in_range(offset_im) && w < (std::size_t{1} << 31) && h < (std::size_t{1} << 31)) {
        const double step = half.to_double();
        const double re0 = offset_re.to_double();
        const double im = offset_im.to_double() + y * step;
        for (std::size_t column = 0; column < count; ++column) {
            const double x =
                2.0 * static_cast<double>(x0 + column) - static_cast<double>(w);
            out[column] = ComplexExp(re0 + x * step, im);
        }
        return;
    }
    const FloatExp im = offset_im + FloatExp(y) * half;
    for (std::size_t column = 0; column < count; ++column) {
        const double x = 2.0 * static_cast<double>(x0 + column) - static_cast<double>(w);
        out[column] = ComplexExp(offset_re + FloatExp(x) * half, im);
    }
}

}  // namespace deep

void DeepRender::render(const PixelWindow& window, const FieldBuffers& out,
                        const RenderOptions& options, const DeepProgress& progress) const {
    const State& s = *state_;
    const std::size_t w = s.view.pixels_x;
    const std::size_t h = s.view.pixels_y;
    if (window.x0 > w || window.width > w - window.x0 || window.y0 > h ||
        window.height > h - window.y0) {
        throw std::out_of_range("window does not lie inside the " + std::to_string(w) + " x " +
                                std::to_string(h) + " image");
    }
    if (out.empty()) throw std::invalid_argument("no field requested");
    const std::size_t need = window.size();
    auto check = [&](std::size_t have, const char* name) {
        if (have != 0) detail::check_buffer_size(have, need, name);
    };
    check(out.counts.size(), "counts");
    check(out.smooth.size(), "smooth");
    check(out.final_norm.size(), "final_norm");
    check(out.interior.size(), "interior");
    check(out.distance.size(), "distance");
    if (!out.smooth.empty() && !(s.params.threshold > 1.0)) {
        throw std::invalid_argument("the smooth count needs threshold > 1, got " +
                                    std::to_string(s.params.threshold));
    }
    const bool want_derivative = !out.distance.empty();
    const FloatExp half = s.engine.half_spacing;
    const FloatExp distance_unit =
        s.params.distance_in_pixels ? s.pixel_spacing : FloatExp(1.0);
    // The SIMD kernel iterates groups of neighbouring pixels of power 2 without the distance's
    // derivative; Kernel::scalar (the tests' oracle) and everything else take the scalar one.
    const bool simd =
        options.kernel == Kernel::automatic && !want_derivative && s.params.power == 2;
    std::mutex progress_mutex;
    std::size_t rows_done = 0;
    parallel_for(
        window.height, options.threads,
        [&](std::size_t row) {
            std::vector<ComplexExp> deltas(window.width);
            deep::pixel_deltas(s.offset_re, s.offset_im, half, w, h, window.y0 + row, window.x0,
                               window.width, deltas.data());
            std::vector<deep::PixelResult> results(window.width);
            if (simd) {
                deep::iterate_row_simd(s.engine, deltas.data(), deltas.size(), results.data(),
                                       options.cancel);
            } else {
                for (std::size_t column = 0; column < window.width; ++column) {
                    if (options.cancel != nullptr &&
                        options.cancel->load(std::memory_order_relaxed)) {
                        return;
                    }
                    results[column] = deep::iterate_pixel(s.engine, deltas[column],
                                                          want_derivative, options.cancel);
                }
            }
            if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
                return;
            }
            if (!out.smooth.empty()) {
                // The row's smooth counts in one call (vectorised logarithms), then the
                // pixels that did not escape.
                std::vector<std::uint32_t> counts(window.width);
                std::vector<double> norms(window.width);
                for (std::size_t column = 0; column < window.width; ++column) {
                    counts[column] = results[column].count;
                    norms[column] = results[column].final_norm;
                }
                double* smooth = out.smooth.data() + row * window.width;
                detail::smooth_counts(counts.data(), norms.data(), window.width,
                                      s.engine.log_threshold_squared, s.engine.log_power, smooth);
                for (std::size_t column = 0; column < window.width; ++column) {
                    if (!results[column].escaped) {
                        smooth[column] = static_cast<double>(s.params.itermax);
                    }
                }
            }
            for (std::size_t column = 0; column < window.width; ++column) {
                const deep::PixelResult& r = results[column];
                const std::size_t index = row * window.width + column;
                if (!out.counts.empty()) out.counts[index] = r.count;
                if (!out.final_norm.empty()) out.final_norm[index] = r.final_norm;
                if (!out.interior.empty()) out.interior[index] = r.count == s.params.itermax;
                if (!out.distance.empty()) {
                    out.distance[index] = (r.distance / distance_unit).to_double();
                }
            }
            if (progress.report) {
                const std::lock_guard<std::mutex> lock(progress_mutex);
                ++rows_done;
                progress.report(DeepProgress::Stage::render, rows_done, window.height);
            }
        },
        options.cancel);
    if (options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed)) {
        throw Cancelled();
    }
}

}  // namespace juliaset
