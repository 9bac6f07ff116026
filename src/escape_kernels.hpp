// Private: the kernels behind escape_counts(), called after validation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace juliaset::detail {

/// What a kernel needs for one window: sample coordinates per column and per row, and the
/// iteration constants, in the precision `Real` the kernel computes in. `xs` has `width`
/// entries, `ys` has `height`.
template <class Real>
struct KernelTask {
    const Real* xs;
    const Real* ys;
    std::size_t width;
    std::size_t height;
    Real c_re;
    Real c_im;
    Real threshold_squared;
    std::uint32_t itermax;
    std::uint32_t* out;  ///< row-major, `width * height` entries
    /// Mandelbrot family: z0 = 0 and c = the sample point (c_re/c_im unused).
    bool mandelbrot = false;
    /// The exponent of z^power + c; the SIMD kernels handle only 2.
    std::uint32_t power = 2;
};

void escape_counts_scalar(const KernelTask<double>& task) noexcept;
void escape_counts_scalar(const KernelTask<float>& task) noexcept;
void escape_counts_simd(const KernelTask<double>& task) noexcept;
void escape_counts_simd(const KernelTask<float>& task) noexcept;

}  // namespace juliaset::detail
