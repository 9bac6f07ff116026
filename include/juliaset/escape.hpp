// Escape counts of the quadratic Julia iteration z <- z*z + c, the quantity every image is made of.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "juliaset/grid.hpp"

namespace juliaset {

/// Which escape-time set: both iterate z <- z^power + c.
enum class Family {
    julia,       ///< z0 = the pixel's point, c fixed (the seed's filled Julia set)
    mandelbrot,  ///< z0 = 0, c = the pixel's point (Mandelbrot set, multibrot for power > 2)
};

/// The powers accepted for z^power + c.
inline constexpr std::uint32_t min_power = 2;
inline constexpr std::uint32_t max_power = 16;

/// Parameters of an escape-time set (by default the seed's filled Julia set of z^2 + c) and of
/// its gray mapping.
struct JuliaParams {
    double c_re = -0.835;
    double c_im = -0.2321;
    /// A point has escaped once |z|^2 > threshold^2 (strictly).
    double threshold = 2.0;
    /// Counts at or below `itermin` map to black.
    std::uint32_t itermin = 5;
    /// At most `itermax` iterations are tested; a count of `itermax` maps to white.
    std::uint32_t itermax = 80;
    Family family = Family::julia;
    /// The exponent d of z^d + c. z^d is computed as ((z*z)*z)...*z, each product
    /// (a*c - b*d, a*d + b*c) in IEEE double, so power 2 is exactly the seed's arithmetic.
    std::uint32_t power = 2;

    /// Throws std::invalid_argument naming the field: non-finite c or threshold,
    /// threshold <= 0 (or so large that its square overflows), itermin >= itermax,
    /// power outside [min_power, max_power].
    void validate() const;

    friend bool operator==(const JuliaParams&, const JuliaParams&) = default;
};

/// Which implementation computes the counts. All give identical counts.
enum class Kernel {
    automatic,  ///< the widest SIMD target this CPU supports, chosen at run time
    scalar,     ///< the plain reference loop: the oracle every other path is checked against
};

/// The arithmetic the counts are computed in.
enum class Precision {
    exact,   ///< IEEE double, operation for operation as the seed: bit-exact counts
    single,  ///< IEEE float: about 1.8 times as fast with SIMD, NOT bit-exact (a few % of pixels
             ///< near the boundary differ); itermax is limited to 2^24
};

/// The largest itermax Precision::single accepts (counts are kept exactly in float lanes).
inline constexpr std::uint32_t max_single_precision_itermax = std::uint32_t{1} << 24;

/// Escape count of one starting point: the 0-based index of the first iterate with
/// |z|^2 > threshold^2, or `itermax` if none of the first itermax + 1 iterates is outside.
/// This is the reference (oracle) arithmetic: product (a*a - b*b, a*b + b*a), then + c,
/// IEEE double with no fused multiply-add.
[[nodiscard]] std::uint32_t escape_count(double z_re, double z_im, double c_re, double c_im,
                                         double threshold_squared,
                                         std::uint32_t itermax) noexcept;

/// escape_count() for z <- z^power + c (power >= 2), with z^power as in JuliaParams::power.
[[nodiscard]] std::uint32_t escape_count(double z_re, double z_im, double c_re, double c_im,
                                         double threshold_squared, std::uint32_t itermax,
                                         std::uint32_t power) noexcept;

/// Writes the escape count of every pixel of `window` into `out`, row-major
/// (out[row * window.width + column], top row first). One thread; see render.hpp for all cores.
/// With Precision::single the grid's double samples, c and the threshold are rounded to float
/// and the same loop runs in float. Throws std::invalid_argument / std::out_of_range for bad
/// parameters, a window outside the grid or an `out` of the wrong size.
void escape_counts(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                   std::span<std::uint32_t> out, Kernel kernel = Kernel::automatic,
                   Precision precision = Precision::exact);

/// Name of the SIMD target `Kernel::automatic` uses on this CPU (e.g. "AVX3", "AVX2", "SSE4").
[[nodiscard]] std::string simd_target_name();

/// Names of the SIMD targets compiled into this build that this CPU can run, best first.
[[nodiscard]] std::vector<std::string> available_simd_targets();

/// Restricts Kernel::automatic to the named target (one of available_simd_targets()), or lifts
/// the restriction for an empty name. For tests and benchmarks: it is process-wide.
void force_simd_target(const std::string& name);

/// The seed's normalised value (max(k, itermin) - itermin) / (itermax - itermin), in double.
[[nodiscard]] inline double normalized_value(std::uint32_t count, std::uint32_t itermin,
                                             std::uint32_t itermax) noexcept {
    const std::uint32_t clamped = count > itermin ? count : itermin;
    return static_cast<double>(clamped - itermin) / static_cast<double>(itermax - itermin);
}

/// The seed's 8-bit gray level: normalized_value * 255.0, truncated toward zero.
[[nodiscard]] inline std::uint8_t gray_level(std::uint32_t count, std::uint32_t itermin,
                                             std::uint32_t itermax) noexcept {
    return static_cast<std::uint8_t>(normalized_value(count, itermin, itermax) * 255.0);
}

}  // namespace juliaset
