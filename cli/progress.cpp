// The terminal progress bar: a thread that wakes ten times a second and redraws one line.
#include "progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <array>
#include <cstdio>
#include <string>

namespace juliaset::cli {

namespace {

/// Columns of the terminal on `fd`; 80 when it does not say (a fresh pseudo-terminal).
std::size_t terminal_columns(int fd) noexcept {
    winsize size{};
    if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col >= 20) return size.ws_col;
    return 80;
}

void write_all(int fd, const std::string& text) noexcept {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t written = ::write(fd, text.data() + done, text.size() - done);
        if (written <= 0) return;  // a progress bar is not worth an error
        done += static_cast<std::size_t>(written);
    }
}

// What a signal handler needs to erase the shown line: lock-free atomics, which are safe to
// read there. shown_fd is -1 while no line is shown.
std::atomic<int> shown_fd{-1};
std::atomic<std::size_t> shown_length{0};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<std::size_t>::is_always_lock_free);

}  // namespace

void erase_progress_line_from_signal_handler() noexcept {
    const int fd = shown_fd.exchange(-1);
    if (fd < 0) return;
    std::array<char, 256> blank{};
    const std::size_t length = std::min(shown_length.load() + 2, blank.size());
    blank.fill(' ');
    blank[0] = '\r';
    blank[length - 1] = '\r';
    [[maybe_unused]] const ssize_t written = ::write(fd, blank.data(), length);
}

ProgressBar::ProgressBar(std::size_t total, int fd, std::chrono::milliseconds delay,
                         std::chrono::milliseconds interval)
    : total_(std::max<std::size_t>(total, 1)),
      fd_(fd),
      enabled_(::isatty(fd) == 1),
      start_(std::chrono::steady_clock::now()) {
    if (enabled_) thread_ = std::thread([this, delay, interval] { run(delay, interval); });
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::finish() noexcept {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_) return;
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    erase();
}

void ProgressBar::run(std::chrono::milliseconds delay, std::chrono::milliseconds interval) {
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, delay, [this] { return stopping_; })) return;
    for (;;) {
        // Redrawn on every tick, even without progress, so that the clock keeps moving.
        const std::size_t done = std::min(done_.load(std::memory_order_relaxed), total_);
        draw(done, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
        if (wake_.wait_for(lock, interval, [this] { return stopping_; })) return;
    }
}

void ProgressBar::draw(std::size_t done, double seconds) noexcept {
    const double fraction = static_cast<double>(done) / static_cast<double>(total_);
    std::array<char, 32> tail{};
    std::snprintf(tail.data(), tail.size(), "] %3d%%  %.1f s", static_cast<int>(fraction * 100),
                  seconds);
    const std::string head = "juliaset [";
    // The whole line stays one column short of the terminal's width, so it never wraps.
    const std::size_t columns = terminal_columns(fd_);
    const std::size_t fixed = head.size() + std::char_traits<char>::length(tail.data());
    const std::size_t bar = std::min<std::size_t>(columns > fixed + 1 ? columns - fixed - 1 : 0, 40);
    const auto filled = static_cast<std::size_t>(fraction * static_cast<double>(bar));
    std::string line(1, '\r');
    line += head;
    line.append(filled, '#');
    line.append(bar - filled, '.');
    line += tail.data();
    // Pads over a longer previous line (the time may have grown shorter by a digit).
    if (line.size() - 1 < line_length_) line += std::string(line_length_ - (line.size() - 1), ' ');
    line_length_ = line.size() - 1;
    // Published before the write: a signal that arrives once the line may be on screen erases it.
    shown_length.store(line_length_);
    shown_fd.store(fd_);
    write_all(fd_, line);
    drawn_ = true;
}

void ProgressBar::erase() noexcept {
    if (!drawn_) return;
    shown_fd.store(-1);
    // Built piecewise: GCC 12 warns falsely (-Wrestrict) about "\r" + std::string.
    std::string blank(line_length_ + 2, ' ');
    blank.front() = '\r';
    blank.back() = '\r';
    write_all(fd_, blank);
    drawn_ = false;
}

}  // namespace juliaset::cli
