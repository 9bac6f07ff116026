// Private: the kernels behind escape_counts(), called after validation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace juliaset::detail {

/// What a kernel needs for one window: sample coordinates per column and per row, and the
/// iteration constants. `xs` has `width` entries, `ys` has `height`.
struct KernelTask {
    const double* xs;
    const double* ys;
    std::size_t width;
    std::size_t height;
    double c_re;
    double c_im;
    double threshold_squared;
    std::uint32_t itermax;
    std::uint32_t* out;  ///< row-major, `width * height` entries
};

void escape_counts_scalar(const KernelTask& task) noexcept;
void escape_counts_simd(const KernelTask& task) noexcept;

}  // namespace juliaset::detail
