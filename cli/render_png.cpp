// Streaming render -> PNG, and the atomic file output around it.
#include "render_png.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <pthread.h>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "juliaset/render.hpp"
#include "juliaset/version.hpp"
#include "metadata.hpp"
#include "progress.hpp"
#include "quoting.hpp"

namespace juliaset::cli {

namespace {

// Counts are rendered in chunks of this many pixels (256 KiB of counts): small enough to stay
// in cache between the kernel writing them and counts_to_gray reading them, large enough that
// each call's per-column sample coordinates (one division each) cost little: with 16384 they
// took 3.3 % of the headline run's CPU samples.
constexpr std::size_t count_chunk_pixels = 65536;

std::string shortest(double value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

std::string system_message(int error_number) { return std::strerror(error_number); }

// --- removal of the temporary file (and the progress bar) when a signal ends the process ------
// The handler may only use async-signal-safe calls, so the path lives in a static buffer.
std::array<char, 4096> pending_temp_path{};
volatile std::sig_atomic_t temp_path_armed = 0;

// Signals whose default action ends the process: the handler removes the temporary file and
// re-raises, so the process still dies of the signal (status 128 + N) and the caller sees why.
constexpr std::array<int, 9> cleanup_signals = {SIGINT,  SIGTERM, SIGHUP,    SIGQUIT, SIGUSR1,
                                                SIGUSR2, SIGALRM, SIGVTALRM, SIGXCPU};
// Signals that report a failed write: ignored, so that the write fails with EPIPE (a closed
// pipe) or EFBIG (the file size limit, `ulimit -f`) instead, and the error path removes the
// temporary file and says what happened (exit status 1).
constexpr std::array<int, 2> write_failure_signals = {SIGPIPE, SIGXFSZ};

extern "C" void remove_temp_and_reraise(int signal_number) {
    erase_progress_line_from_signal_handler();
    if (temp_path_armed != 0) ::unlink(pending_temp_path.data());
    std::signal(signal_number, SIG_DFL);
    std::raise(signal_number);  // die of the same signal, so the caller sees why
}

/// True when `signal_number` still has its default action: a signal the parent set to be
/// ignored (nohup, background jobs) stays ignored, and a handler someone installed stays.
bool has_default_action(int signal_number) {
    struct sigaction previous {};
    return sigaction(signal_number, nullptr, &previous) == 0 && previous.sa_handler == SIG_DFL &&
           (previous.sa_flags & SA_SIGINFO) == 0;
}

void install_signal_cleanup() {
    static std::once_flag installed;
    std::call_once(installed, [] {
        struct sigaction action {};
        action.sa_handler = remove_temp_and_reraise;
        sigemptyset(&action.sa_mask);
        for (const int signal_number : cleanup_signals) {
            if (has_default_action(signal_number)) sigaction(signal_number, &action, nullptr);
        }
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        for (const int signal_number : write_failure_signals) {
            if (has_default_action(signal_number)) sigaction(signal_number, &ignore, nullptr);
        }
    });
}

/// Why a write failed, with what the user can do about the usual causes.
std::string write_failure(int error_number) {
    switch (error_number) {
        case EPIPE: return "the reader closed the pipe (Broken pipe)";
        case EFBIG: return "File too large (the file size limit, ulimit -f, was reached)";
        default: return system_message(error_number);
    }
}

/// The longest file name `directory` accepts (NAME_MAX), 255 when it cannot tell.
std::size_t longest_name_in(const std::filesystem::path& directory) {
    const long limit = ::pathconf(directory.c_str(), _PC_NAME_MAX);
    return limit > 0 ? static_cast<std::size_t>(limit) : 255;
}

/// The temporary file's name for `filename`: hidden, with mkstemp's XXXXXX, within `name_max`
/// bytes (a 250-byte name is valid, its temporary name must be too): the target's name is cut
/// short, at a UTF-8 character boundary, when needed.
std::string temporary_name(const std::string& filename, std::size_t name_max) {
    constexpr std::string_view suffix = ".XXXXXX";
    const std::size_t room = name_max > suffix.size() + 2 ? name_max - suffix.size() - 1 : 1;
    std::size_t keep = std::min(filename.size(), room);
    while (keep > 1 && keep < filename.size() &&
           (static_cast<unsigned char>(filename[keep]) & 0xC0) == 0x80) {
        --keep;
    }
    // Appended piecewise: GCC 12 warns falsely (-Wrestrict) about "." + std::string.
    std::string name(".");
    name.append(filename, 0, keep);
    name += suffix;
    return name;
}

/// The process's umask, read without changing it for longer than two system calls.
mode_t current_umask() {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return mask;
}

/// Buffered writes to a file descriptor that report errors as OutputError.
class DescriptorWriter {
public:
    DescriptorWriter(int fd, std::string what) : fd_(fd), what_(std::move(what)) {
        buffer_.reserve(buffer_bytes);
    }

    void write(std::span<const std::uint8_t> bytes) {
        if (buffer_.size() + bytes.size() > buffer_bytes) flush();
        if (bytes.size() >= buffer_bytes) {
            write_all(bytes);
        } else {
            buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
        }
    }

    void flush() {
        write_all(buffer_);
        buffer_.clear();
    }

private:
    static constexpr std::size_t buffer_bytes = std::size_t{1} << 20;

    void write_all(std::span<const std::uint8_t> bytes) {
        while (!bytes.empty()) {
            const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
            if (written < 0) {
                if (errno == EINTR) continue;
                throw OutputError("cannot write " + what_ + ": " + write_failure(errno));
            }
            bytes = bytes.subspan(static_cast<std::size_t>(written));
        }
    }

    int fd_;
    std::string what_;
    std::vector<std::uint8_t> buffer_;
};

/// A temporary file beside the target that is removed unless committed.
class TemporaryFile {
public:
    explicit TemporaryFile(const std::string& target) : target_(target) {
        const std::filesystem::path target_path(target);
        std::error_code error;
        if (std::filesystem::is_directory(target_path, error)) {
            throw OutputError("cannot write '" + target + "': it is a directory");
        }
        std::filesystem::path directory = target_path.parent_path();
        if (directory.empty()) directory = ".";
        // Hidden, beside the target (rename must not cross file systems).
        path_ = (directory / temporary_name(target_path.filename().string(),
                                            longest_name_in(directory)))
                    .string();

        install_signal_cleanup();
        // The cleanup signals wait while the file is created and its name recorded: a signal
        // in between would otherwise find the handler holding the template, not the name.
        sigset_t blocked;
        sigset_t previous_mask;
        sigemptyset(&blocked);
        for (const int signal_number : cleanup_signals) sigaddset(&blocked, signal_number);
        pthread_sigmask(SIG_BLOCK, &blocked, &previous_mask);
        fd_ = ::mkstemp(path_.data());
        const int mkstemp_error = errno;
        if (fd_ >= 0 && path_.size() < pending_temp_path.size()) {
            std::memcpy(pending_temp_path.data(), path_.c_str(), path_.size() + 1);
            temp_path_armed = 1;
        }
        pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
        if (fd_ < 0) {
            // The target may be writable while its folder takes no new file (/proc, a
            // read-only folder with a writable file): say which step failed.
            throw OutputError("cannot write " + in_quotes(target, 4096) +
                              ": cannot create a temporary file in " +
                              in_quotes(directory.string(), 4096) +
                              " (the image is written beside its target, then renamed): " +
                              system_message(mkstemp_error));
        }
        // mkstemp makes the file 0600; a finished image gets the usual 0666 & ~umask.
        if (::fchmod(fd_, 0666 & ~current_umask()) != 0) {
            const int error_number = errno;
            discard();
            throw OutputError("cannot write '" + target + "': " + system_message(error_number));
        }
    }

    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;
    ~TemporaryFile() { discard(); }

    [[nodiscard]] int descriptor() const noexcept { return fd_; }

    /// Closes the file and renames it over the target.
    void commit() {
        const int fd = std::exchange(fd_, -1);
        if (::close(fd) != 0) {
            const int error_number = errno;
            discard();
            throw OutputError("cannot write '" + target_ + "': " + system_message(error_number));
        }
        if (::rename(path_.c_str(), target_.c_str()) != 0) {
            const int error_number = errno;
            discard();
            throw OutputError("cannot write '" + target_ + "': " + system_message(error_number));
        }
        committed_ = true;
        temp_path_armed = 0;
    }

private:
    void discard() noexcept {
        if (fd_ >= 0) ::close(std::exchange(fd_, -1));
        if (!committed_ && !path_.empty()) {
            ::unlink(path_.c_str());
            path_.clear();
        }
        temp_path_armed = 0;
    }

    std::string target_;
    std::string path_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace

png::Compression compression_for(CompressionChoice choice) noexcept {
    switch (choice) {
        case CompressionChoice::fast: return png::Compression::fast();
        case CompressionChoice::best: return png::Compression::best();
        case CompressionChoice::standard: break;
    }
    return png::Compression::balanced();
}

std::string reproducing_command(const Options& options) {
    const Region& region = options.region;
    const JuliaParams& params = options.params;
    std::string flags;
    if (options.view) {
        const DeepView& view = *options.view;
        flags = "--center=" + view.center_re + "," + view.center_im + " --width=" + view.width +
                " --size=" + std::to_string(view.pixels_x) + "x" + std::to_string(view.pixels_y);
    } else {
        flags = "-R=" + std::to_string(options.resolution) + " -x=" + shortest(region.xleft) +
                " -X=" + shortest(region.xright) + " -y=" + shortest(region.ybot) +
                " -Y=" + shortest(region.ytop);
    }
    if (params.family == Family::mandelbrot) {
        flags += " --mandelbrot";
    } else if (options.deep) {
        flags += " -r=" + options.c_re_text + " -i=" + options.c_im_text;  // every digit counts
    } else {
        flags += " -r=" + shortest(params.c_re) + " -i=" + shortest(params.c_im);
    }
    flags += " -t=" + shortest(params.threshold) + " -m=" + std::to_string(params.itermin) +
             " -M=" + std::to_string(params.itermax);
    // The newer flags only where they differ from their defaults, to keep the seed's line.
    if (params.power != 2) flags += " --power=" + std::to_string(params.power);
    if (options.coloring != Coloring::count) {
        flags += " --coloring=" + std::string(coloring_name(options.coloring));
    }
    if (!options.colormap_colours.empty()) {
        // No flag takes a colour table: the record does (`juliaset --from` reads it).
        flags += " --from=<this image> (colormap " + printable(options.colormap) +
                 " as the colour table its juliaset record holds)";
    } else if (options.colormap != "gray") {
        flags += " --colormap=" + options.colormap;
    }
    if (options.bits != 8) flags += " --bits=" + std::to_string(options.bits);
    if (options.supersample != 1) flags += " --supersample=" + std::to_string(options.supersample);
    if (options.precision != Precision::exact) {
        flags += " --precision=" + std::string(precision_name(options.precision));
    }
    return "juliaset " + flags;
}

std::vector<png::TextChunk> image_metadata(const Options& options) {
    return {{"Software", std::string("juliaset ") + juliaset::version},
            {"Comment", reproducing_command(options)},
            {std::string(metadata_keyword), record_to_json(image_record(options))}};
}

void render_png(const PixelGrid& grid, const JuliaParams& params, const ImageSpec& spec,
                const PipelineSettings& settings, const std::vector<png::TextChunk>& text,
                const png::ByteSink& sink) {
    params.validate();
    spec.validate(params);
    png::ImageFormat format;
    format.width = static_cast<std::uint32_t>(grid.width());
    format.height = static_cast<std::uint32_t>(grid.height());
    format.bit_depth = spec.format == PixelFormat::gray16 ? 16 : 8;
    format.color_type = spec.format == PixelFormat::rgb8 ? png::ColorType::rgb
                                                         : png::ColorType::gray;
    format.text = text;

    const std::size_t width = grid.width();
    const Precision precision = settings.precision;
    // Rendering is CPU-bound: threads beyond the cores only add their stacks and buffers.
    const unsigned threads = std::min(resolve_thread_count(settings.threads), resolve_thread_count(0));
    const auto gray_rows = [&](const PixelWindow& window, std::span<std::uint8_t> out) {
        // Not zero-filled: the kernel writes every count before it is read.
        const std::size_t chunk_capacity = std::min(count_chunk_pixels, window.size());
        const auto count_storage = std::make_unique_for_overwrite<std::uint32_t[]>(chunk_capacity);
        const std::span<std::uint32_t> counts(count_storage.get(), chunk_capacity);
        // Whole rows per chunk when rows are narrow, else pieces of one row.
        const std::size_t columns = window.width;
        const std::size_t rows_per_chunk = std::max<std::size_t>(count_chunk_pixels / columns, 1);
        const std::size_t columns_per_chunk = std::min(columns, count_chunk_pixels);
        for (std::size_t row = 0; row < window.height; row += rows_per_chunk) {
            const std::size_t rows = std::min(rows_per_chunk, window.height - row);
            for (std::size_t column = 0; column < columns; column += columns_per_chunk) {
                const PixelWindow chunk_window{window.x0 + column, window.y0 + row,
                                               std::min(columns_per_chunk, columns - column), rows};
                const auto chunk = counts.first(chunk_window.size());
                escape_counts(grid, params, chunk_window, chunk, Kernel::automatic, precision);
                // With whole rows the chunk is contiguous in `out`; a partial row is one piece.
                counts_to_gray(chunk, params.itermin, params.itermax,
                               out.subspan(row * columns + column, chunk_window.size()));
            }
        }
    };

    // Histogram colouring needs the counts of the whole image before the first pixel can be
    // coloured: a first pass over every sample, counts only (SIMD, no colouring, no storage
    // beyond the table of the counts that occur).
    RenderOptions whole_image;
    whole_image.threads = threads;
    whole_image.precision = precision;
    HistogramLevels levels;
    if (spec.coloring == Coloring::histogram) {
        levels = histogram_levels(grid, params, spec, whole_image);
    }
    // Inside a band worker: render_image must not start threads of its own.
    RenderOptions in_band = whole_image;
    in_band.threads = 1;

    const bool seed_path = spec.format == PixelFormat::gray8 &&
                           spec.coloring == Coloring::count && spec.supersample == 1;
    const png::PieceSource pieces = [&](std::size_t first_row, std::size_t row_count,
                                        std::size_t first_column, std::size_t column_count,
                                        std::span<std::uint8_t> out) {
        const PixelWindow window{first_column, first_row, column_count, row_count};
        if (seed_path) {
            gray_rows(window, out);
        } else {
            render_image(grid, params, window, spec, levels, out, in_band);
        }
        // A row counts as done with its last piece.
        if (settings.on_rows_done && first_column + column_count == width) {
            settings.on_rows_done(row_count);
        }
    };
    png::EncodeOptions options;
    options.compression = png::preset_for(settings.compression, format.color_type);
    options.threads = threads;
    png::write_png(format, pieces, sink, options);
}

void render_png_deep(const DeepView& view, const DeepParams& params, std::uint32_t itermin,
                     const ImageSpec& spec, const PipelineSettings& settings,
                     const std::vector<png::TextChunk>& text, const png::ByteSink& sink) {
    if (itermin >= params.itermax) {
        throw std::invalid_argument("itermin must be smaller than itermax");
    }
    JuliaParams colour_params;  // what spec.validate checks: the threshold for smooth colouring
    colour_params.threshold = params.threshold;
    spec.validate(colour_params);
    png::ImageFormat format;
    format.width = static_cast<std::uint32_t>(view.pixels_x);
    format.height = static_cast<std::uint32_t>(view.pixels_y);
    format.bit_depth = spec.format == PixelFormat::gray16 ? 16 : 8;
    format.color_type = spec.format == PixelFormat::rgb8 ? png::ColorType::rgb
                                                         : png::ColorType::gray;
    format.text = text;
    format.validate();

    // The samples: the same plane, `n` times the pixels each way (the seed's supersampling).
    const std::size_t n = spec.supersample;
    DeepView samples = view;
    samples.pixels_x *= n;
    samples.pixels_y *= n;
    DeepProgress setup;
    if (settings.on_setup_progress) {
        // The reference orbit is most of the serial work; the table follows it.
        setup.report = [&](DeepProgress::Stage stage, std::uint64_t done, std::uint64_t total) {
            const double part = total == 0 ? 1.0
                                           : static_cast<double>(done) / static_cast<double>(total);
            switch (stage) {
                case DeepProgress::Stage::reference_orbit:
                    settings.on_setup_progress(0.8 * part);
                    break;
                case DeepProgress::Stage::approximation_table:
                    settings.on_setup_progress(0.8 + 0.2 * part);
                    break;
                case DeepProgress::Stage::render: break;
            }
        };
    }
    const DeepRender engine(samples, params, setup);
    if (settings.on_setup_progress) settings.on_setup_progress(1.0);

    const bool smooth = spec.coloring == Coloring::smooth;
    const std::size_t sample_width = samples.pixels_x;
    // Rows of samples rendered per engine call: whole pixel rows, about 2^18 samples.
    const std::size_t pixel_rows_per_chunk =
        std::max<std::size_t>(1, (std::size_t{1} << 18) / (sample_width * n));
    RenderOptions one_thread;
    one_thread.threads = 1;  // inside a band worker

    // Histogram colouring needs every sample's count first. Up to 2^24 samples (64 MB) they
    // are kept for the colouring pass; beyond that they are rendered again.
    constexpr std::size_t kept_samples_limit = std::size_t{1} << 24;
    std::vector<std::uint32_t> kept_counts;
    CountHistogram histogram(params.itermax);  // sparse: bounded by the samples, not itermax
    HistogramLevels levels(params.itermax);
    if (spec.coloring == Coloring::histogram) {
        const std::size_t total = sample_width * samples.pixels_y;
        const bool keep = total <= kept_samples_limit;
        if (keep) kept_counts.resize(total);
        std::mutex merge;
        // Tasks of about 1/64 of the image, as the bands below: deep rows cost unevenly.
        const std::size_t rows_per_task =
            n * std::clamp<std::size_t>(view.pixels_y / 64, 1, pixel_rows_per_chunk);
        const std::size_t tasks = (samples.pixels_y + rows_per_task - 1) / rows_per_task;
        parallel_for(tasks, settings.threads, [&](std::size_t task) {
            const std::size_t first = task * rows_per_task;
            const PixelWindow window{0, first, sample_width,
                                     std::min(rows_per_task, samples.pixels_y - first)};
            std::vector<std::uint32_t> local;
            std::span<std::uint32_t> counts;
            if (keep) {
                counts = std::span(kept_counts).subspan(first * sample_width, window.size());
            } else {
                local.resize(window.size());
                counts = local;
            }
            engine.render(window, FieldBuffers{.counts = counts}, one_thread);
            if (settings.on_rows_done) settings.on_rows_done(window.height / n);
            CountHistogram part(params.itermax);
            part.add(counts);
            const std::lock_guard lock(merge);
            histogram.merge(part);
        });
        levels = histogram.levels();
    }

    const std::size_t pixel_bytes = bytes_per_pixel(spec.format);
    const png::RowSource rows = [&](std::size_t first_row, std::size_t row_count,
                                    std::span<std::uint8_t> out) {
        std::vector<std::uint32_t> counts;
        std::vector<double> smooth_counts;
        for (std::size_t row = 0; row < row_count; row += pixel_rows_per_chunk) {
            const std::size_t pixel_rows = std::min(pixel_rows_per_chunk, row_count - row);
            const PixelWindow window{0, (first_row + row) * n, sample_width, pixel_rows * n};
            FieldBuffers fields;
            if (smooth) {
                smooth_counts.resize(window.size());
                fields.smooth = smooth_counts;
                engine.render(window, fields, one_thread);
            } else if (!kept_counts.empty()) {
                fields.counts = std::span(kept_counts).subspan(window.y0 * sample_width,
                                                               window.size());
            } else {
                counts.resize(window.size());
                fields.counts = counts;
                engine.render(window, fields, one_thread);
            }
            color_samples(spec, itermin, params.itermax, view.pixels_x, pixel_rows, fields,
                          &levels,
                          out.subspan(row * view.pixels_x * pixel_bytes,
                                      pixel_rows * view.pixels_x * pixel_bytes));
        }
        if (settings.on_rows_done) settings.on_rows_done(row_count);
    };
    png::EncodeOptions options;
    options.compression = settings.compression;
    options.threads = settings.threads;
    // Deep rows cost far more than their compression, and unevenly: bands of about 1/32 of
    // the image keep every thread busy to the end (the default would be 3 bands at 800 x 800).
    options.rows_per_band = std::clamp<std::size_t>(view.pixels_y / 32, 1,
                                                    png::default_rows_per_band(format));
    png::write_png(format, rows, sink, options);
}

void write_output(const std::string& path,
                  const std::function<void(const png::ByteSink& sink)>& produce) {
    if (path == "-") {
        if (::isatty(STDOUT_FILENO) == 1) {
            throw OutputError("refusing to write PNG data to a terminal; redirect standard "
                              "output or use --output/-o FILE");
        }
        // No temporary file here, but a signal should still erase the progress bar.
        install_signal_cleanup();
        DescriptorWriter writer(STDOUT_FILENO, "to standard output");
        produce([&](std::span<const std::uint8_t> bytes) { writer.write(bytes); });
        writer.flush();
        return;
    }
    struct stat info {};
    const bool exists = ::stat(path.c_str(), &info) == 0;
    if (exists && !S_ISREG(info.st_mode) && !S_ISDIR(info.st_mode)) {
        // A device, FIFO or socket (/dev/null, a named pipe): write straight into it, since
        // renaming a file over it would replace the device itself.
        const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) throw OutputError("cannot write '" + path + "': " + system_message(errno));
        try {
            DescriptorWriter writer(fd, "'" + path + "'");
            produce([&](std::span<const std::uint8_t> bytes) { writer.write(bytes); });
            writer.flush();
        } catch (...) {
            ::close(fd);
            throw;
        }
        if (::close(fd) != 0) {
            throw OutputError("cannot write '" + path + "': " + system_message(errno));
        }
        return;
    }
    // Through a symbolic link, replace the file it points to and keep the link.
    struct stat link_info {};
    std::string target = path;
    if (exists && ::lstat(path.c_str(), &link_info) == 0 && S_ISLNK(link_info.st_mode)) {
        std::error_code error;
        const auto resolved = std::filesystem::canonical(path, error);
        if (!error) target = resolved.string();
    }
    TemporaryFile file(target);
    DescriptorWriter writer(file.descriptor(), "'" + path + "'");
    produce([&](std::span<const std::uint8_t> bytes) { writer.write(bytes); });
    writer.flush();
    file.commit();
}

}  // namespace juliaset::cli
