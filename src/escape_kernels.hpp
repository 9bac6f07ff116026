// Private: the kernels behind escape_counts(), called after validation.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "juliaset/escape.hpp"

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
    /// Polled between tiles (pixels for the scalar loop) and every cancel_poll_interval steps:
    /// once raised, the kernel returns with `out` incomplete, so that Ctrl-C is prompt even
    /// when one tile or pixel takes long (itermax in the billions).
    const std::atomic<bool>* cancel = nullptr;

    [[nodiscard]] bool cancelled() const noexcept {
        return cancel != nullptr && cancel->load(std::memory_order_relaxed);
    }
};

/// escape_counts() that stops early, leaving `out` incomplete, once `cancel` is raised; the
/// renderers call it and then report juliaset::Cancelled.
void escape_counts_until(const PixelGrid& grid, const JuliaParams& params,
                         const PixelWindow& window, std::span<std::uint32_t> out, Kernel kernel,
                         Precision precision, const std::atomic<bool>* cancel);

/// Steps between polls of the cancel flag inside one tile or pixel.
inline constexpr std::uint32_t cancel_poll_interval = 1u << 16;

void escape_counts_scalar(const KernelTask<double>& task) noexcept;
void escape_counts_scalar(const KernelTask<float>& task) noexcept;
void escape_counts_simd(const KernelTask<double>& task) noexcept;
void escape_counts_simd(const KernelTask<float>& task) noexcept;

/// The entry of a kernel table laid out like HWY_EXPORT's (nullptr, the dynamic targets best
/// first, the fallback) for the target the SIMD kernels run on now (force_simd_target's
/// choice, else the best usable one). Other files' kernels dispatch with it, so that one
/// forced target holds for all of them.
std::size_t simd_kernel_index() noexcept;

/// Gray levels of the first n counts, each `table[min(count, itermax)]` (itermax <= 255, the
/// table 256 bytes), on targets with byte permutes; returns how many leading pixels it
/// mapped (0 elsewhere), leaving the rest to the caller.
std::size_t gray_from_counts_simd(const std::uint32_t* counts, std::size_t n,
                                  const std::uint8_t* table, std::uint32_t itermax,
                                  std::uint8_t* out) noexcept;

}  // namespace juliaset::detail
