// Multithreaded rendering: tiles of whole rows handed out dynamically, because the work per
// pixel varies by two orders of magnitude across an image.
#include "juliaset/render.hpp"

#include "bands.hpp"
#include "escape_kernels.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace juliaset {

unsigned resolve_thread_count(unsigned requested) noexcept {
    if (requested != 0) return requested;
    const unsigned hardware = std::thread::hardware_concurrency();
    return hardware == 0 ? 1 : hardware;
}

void parallel_for(std::size_t task_count, unsigned threads,
                  const std::function<void(std::size_t)>& task,
                  const std::atomic<bool>* cancel) {
    const auto cancelled = [cancel] {
        return cancel != nullptr && cancel->load(std::memory_order_relaxed);
    };
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr first_error;
    std::mutex error_mutex;

    const auto worker = [&] {
        for (;;) {
            if (failed.load(std::memory_order_relaxed) || cancelled()) return;
            const std::size_t index = next.fetch_add(1, std::memory_order_relaxed);
            if (index >= task_count) return;
            try {
                task(index);
            } catch (...) {
                const std::lock_guard lock(error_mutex);
                if (!first_error) first_error = std::current_exception();
                failed.store(true, std::memory_order_relaxed);
                return;
            }
        }
    };

    const std::size_t worker_count =
        std::min<std::size_t>(resolve_thread_count(threads), std::max<std::size_t>(task_count, 1));
    std::vector<std::jthread> helpers;
    helpers.reserve(worker_count - 1);
    try {
        for (std::size_t t = 1; t < worker_count; ++t) helpers.emplace_back(worker);
    } catch (const std::system_error&) {
        // Fewer threads than asked is still a correct render; carry on with those we have.
    }
    worker();  // the calling thread works too
    helpers.clear();  // joins
    if (first_error) std::rethrow_exception(first_error);
    if (cancelled()) throw Cancelled();
}

using detail::check_buffer_size;
using detail::for_each_band;

void render_counts(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                   std::span<std::uint32_t> out, const RenderOptions& options) {
    params.validate();
    grid.check_window(window);
    check_buffer_size(out.size(), window.size(), "output");
    for_each_band(window, options, [&](const PixelWindow& sub, std::size_t first_row) {
        const std::size_t offset = first_row * window.width;
        detail::escape_counts_until(grid, params, sub, out.subspan(offset, sub.size()),
                                    options.kernel, options.precision, options.cancel);
    });
}

void render_values(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                   std::span<double> out, const RenderOptions& options) {
    params.validate();
    grid.check_window(window);
    check_buffer_size(out.size(), window.size(), "output");
    // A table of every count's value, built once, replaces a division per pixel when it is
    // small against the image.
    std::vector<double> table;
    if (params.itermax < window.size() / 4) {
        table.resize(std::size_t{params.itermax} + 1);
        for (std::uint32_t k = 0; k <= params.itermax; ++k) {
            table[k] = normalized_value(k, params.itermin, params.itermax);
        }
    }
    for_each_band(window, options, [&](const PixelWindow& sub, std::size_t first_row) {
        const std::size_t offset = first_row * window.width;
        std::vector<std::uint32_t> counts(sub.size());
        detail::escape_counts_until(grid, params, sub, counts, options.kernel, options.precision,
                                    options.cancel);
        double* values = out.data() + offset;
        if (!table.empty()) {
            for (std::size_t p = 0; p < counts.size(); ++p) values[p] = table[counts[p]];
        } else {
            for (std::size_t p = 0; p < counts.size(); ++p) {
                values[p] = normalized_value(counts[p], params.itermin, params.itermax);
            }
        }
    });
}

void render_gray(const PixelGrid& grid, const JuliaParams& params, const PixelWindow& window,
                 std::span<std::uint8_t> out, const RenderOptions& options) {
    params.validate();
    grid.check_window(window);
    check_buffer_size(out.size(), window.size(), "output");
    for_each_band(window, options, [&](const PixelWindow& sub, std::size_t first_row) {
        const std::size_t offset = first_row * window.width;
        std::vector<std::uint32_t> counts(sub.size());
        detail::escape_counts_until(grid, params, sub, counts, options.kernel, options.precision,
                                    options.cancel);
        counts_to_gray(counts, params.itermin, params.itermax, out.subspan(offset, sub.size()));
    });
}

void counts_to_gray(std::span<const std::uint32_t> counts, std::uint32_t itermin,
                    std::uint32_t itermax, std::span<std::uint8_t> out) noexcept {
    const std::size_t n = std::min(counts.size(), out.size());
    // A table pays off when it is much smaller than the data it maps.
    if (itermax <= 4096 && n >= 4 * static_cast<std::size_t>(itermax)) {
        std::array<std::uint8_t, 4097> table{};  // on the stack: this function cannot throw
        for (std::uint32_t k = 0; k <= itermax; ++k) table[k] = gray_level(k, itermin, itermax);
        // Byte permutes look up 64 pixels at a time where the CPU has them (AVX3_DL).
        const std::size_t mapped =
            itermax <= 255 ? detail::gray_from_counts_simd(counts.data(), n, table.data(),
                                                           itermax, out.data())
                           : 0;
        for (std::size_t p = mapped; p < n; ++p) out[p] = table[std::min(counts[p], itermax)];
        return;
    }
    for (std::size_t p = 0; p < n; ++p) out[p] = gray_level(counts[p], itermin, itermax);
}

}  // namespace juliaset
