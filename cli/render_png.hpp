// The command's pipeline: escape counts flow band by band into the PNG encoder, and the file
// appears under its name only once it is complete.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

#include "juliaset/color.hpp"
#include "juliaset/deep.hpp"
#include "juliaset/escape.hpp"
#include "juliaset/grid.hpp"
#include "options.hpp"
#include "png_writer.hpp"

namespace juliaset::cli {

/// A failure to create or write the output; the command exits with exit_io_error.
class OutputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The PNG settings behind `--fast`, the default and `--best`.
[[nodiscard]] png::Compression compression_for(CompressionChoice choice) noexcept;

/// The tEXt chunks the command writes: "Software" (the engine), "Comment" (the command line
/// that reproduces the image) and "juliaset" (the JSON record that `--from` reads back).
[[nodiscard]] std::vector<png::TextChunk> image_metadata(const Options& options);

/// The command line (without the output) that renders the image `options` describe.
[[nodiscard]] std::string reproducing_command(const Options& options);

/// How render_png runs. Only `precision` can change pixels.
struct PipelineSettings {
    /// Rendering and compressing threads; 0 means every hardware thread.
    unsigned threads = 0;
    Precision precision = Precision::exact;
    png::Compression compression = png::Compression::balanced();
    /// Called from worker threads with the number of rows each finished band fetched (a band
    /// may fetch the row above it too, so the sum can exceed the height by one per band). A
    /// deep render with histogram colouring reports every row twice: once as its counts join
    /// the histogram, once as it is coloured.
    std::function<void(std::size_t rows)> on_rows_done;
    /// Deep renders only: called while the reference orbit and its table are computed, with
    /// the fraction of that work done (0 to 1), from one thread at a time.
    std::function<void(double fraction)> on_setup_progress;
};

/// Renders `params` on `grid` as `spec` says into a PNG streamed to `sink`, without ever
/// holding the whole image: each band of rows is rendered, filtered and compressed by one
/// thread. The default spec (gray8, count colouring, no supersampling) maps escape counts to
/// gray levels directly, the fast path the seed's images take; every other spec renders each
/// band with the core's render_image, after one histogram pass over the whole image for
/// Coloring::histogram. The bytes depend on `spec`, `precision` and `compression` only,
/// never on `threads`.
void render_png(const PixelGrid& grid, const JuliaParams& params, const ImageSpec& spec,
                const PipelineSettings& settings, const std::vector<png::TextChunk>& text,
                const png::ByteSink& sink);

/// render_png() for a view the deep engine renders (needs_deep_engine): the reference orbit
/// is computed once (for the sample grid, `spec.supersample` times the view's pixels each
/// way), then bands of rows are windows of it, coloured by color_samples(); histogram
/// colouring counts every sample first. `itermin` is the colouring's (DeepParams has none).
void render_png_deep(const DeepView& view, const DeepParams& params, std::uint32_t itermin,
                     const ImageSpec& spec, const PipelineSettings& settings,
                     const std::vector<png::TextChunk>& text, const png::ByteSink& sink);

/// Runs `produce` with a sink that writes to `path`, or to standard output for "-".
/// A file is written under a temporary name in the same directory and renamed over `path` only
/// after the last byte was written, so a failure leaves any existing file untouched and no
/// temporary file behind: a signal that ends the process (SIGINT, SIGTERM, SIGHUP, SIGQUIT,
/// SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGXCPU) removes it first, and SIGPIPE and SIGXFSZ are
/// ignored so that a closed pipe or the file size limit fails the write with an OutputError.
/// The temporary name is the target's, hidden, cut short to fit the folder's name limit. The file gets mode 0666 & ~umask.
/// A symbolic link is kept and the file it names replaced; an existing device, FIFO or socket
/// (/dev/null, a named pipe) is written directly.
/// Throws OutputError for I/O failures, rethrows what `produce` throws.
void write_output(const std::string& path,
                  const std::function<void(const png::ByteSink& sink)>& produce);

}  // namespace juliaset::cli
