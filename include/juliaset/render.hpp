// Rendering on every core: a window is cut into tiles that threads take dynamically.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <stdexcept>

#include "juliaset/escape.hpp"
#include "juliaset/grid.hpp"

namespace juliaset {

/// Thrown by a render whose cancel flag was raised; the output buffer is then incomplete.
class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("render cancelled") {}
};

/// How a render runs. Results never depend on these settings.
struct RenderOptions {
    /// Worker threads; 0 means every hardware thread.
    unsigned threads = 0;
    Kernel kernel = Kernel::automatic;
    /// Rows per task handed to a thread; 0 picks a size for good load balance.
    std::size_t rows_per_task = 0;
    /// Polled between tasks; when it becomes true the render stops and throws Cancelled.
    const std::atomic<bool>* cancel = nullptr;
    /// Precision::single trades bit-exactness for speed (see escape.hpp).
    Precision precision = Precision::exact;
};

/// The number of worker threads `requested` resolves to (0 = all hardware threads).
[[nodiscard]] unsigned resolve_thread_count(unsigned requested) noexcept;

/// Runs `task(i)` for every i in [0, task_count) on `threads` threads (0 = all), handing
/// tasks out in increasing order as threads become free. The first exception thrown by a
/// task stops the hand-out and is rethrown here after all threads have joined; a raised
/// `cancel` flag does the same with Cancelled.
void parallel_for(std::size_t task_count, unsigned threads,
                  const std::function<void(std::size_t task)>& task,
                  const std::atomic<bool>* cancel = nullptr);

/// escape_counts() for `window`, on several threads. Same layout and errors as escape_counts.
void render_counts(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                   std::span<std::uint32_t> out, const RenderOptions& options = {});

/// The seed's normalised values (see normalized_value) for `window`, on several threads.
void render_values(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                   std::span<double> out, const RenderOptions& options = {});

/// The seed's 8-bit gray image (see gray_level) for `window`, on several threads.
void render_gray(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                 std::span<std::uint8_t> out, const RenderOptions& options = {});

/// Maps escape counts to the seed's gray levels, with a lookup table when itermax is small.
void counts_to_gray(std::span<const std::uint32_t> counts, std::uint32_t itermin,
                    std::uint32_t itermax, std::span<std::uint8_t> out) noexcept;

}  // namespace juliaset
