// A progress bar for long renders, drawn on a terminal only.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace juliaset::cli {

/// One line on a terminal, "juliaset [#######.......]  47%  3.2 s", redrawn by a thread of its
/// own so that the workers only add to a counter. Nothing at all is drawn when `fd` is not a
/// terminal (pipes, files, tests), nor before `delay` has passed, so quick renders stay silent;
/// after that it redraws every `interval` when something changed. The line is erased at the
/// end, leaving the terminal as it was.
class ProgressBar {
public:
    ProgressBar(std::size_t total, int fd, std::chrono::milliseconds delay = std::chrono::seconds(1),
                std::chrono::milliseconds interval = std::chrono::milliseconds(100));
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;
    /// Calls finish().
    ~ProgressBar();

    /// Records `units` more done out of `total`; safe from any thread, lock-free.
    void advance(std::size_t units) noexcept { done_.fetch_add(units, std::memory_order_relaxed); }

    /// Records that at least `units` are done in all (for work reported as a running total).
    void advance_to(std::size_t units) noexcept {
        std::size_t done = done_.load(std::memory_order_relaxed);
        while (done < units && !done_.compare_exchange_weak(done, units, std::memory_order_relaxed)) {
        }
    }

    /// Stops the drawing thread and erases the line if one was drawn. Idempotent.
    void finish() noexcept;

    /// True when `fd` is a terminal, i.e. the bar may appear.
    [[nodiscard]] bool enabled() const noexcept { return enabled_; }

private:
    void run(std::chrono::milliseconds delay, std::chrono::milliseconds interval);
    void draw(std::size_t done, double seconds) noexcept;
    void erase() noexcept;

    std::size_t total_;
    int fd_;
    bool enabled_;
    bool drawn_ = false;
    std::size_t line_length_ = 0;
    std::atomic<std::size_t> done_{0};
    std::chrono::steady_clock::time_point start_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

/// Erases the line the progress bar last drew, if it is still shown. Async-signal-safe (one
/// write(2) of a buffer on the stack), for a handler about to end the process on a signal,
/// which would otherwise leave a half-finished bar behind the shell's prompt.
void erase_progress_line_from_signal_handler() noexcept;

}  // namespace juliaset::cli
