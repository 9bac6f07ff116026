// The command's pipeline: escape counts flow band by band into the PNG encoder, and the file
// appears under its name only once it is complete.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>

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

/// The tEXt chunks the command writes: the software and the flags that reproduce the image.
[[nodiscard]] std::vector<png::TextChunk> image_metadata(const Options& options);

/// Renders `params` on `grid` as an 8-bit gray PNG into `sink` without ever holding the whole
/// image: each band of rows is rendered, mapped to gray, filtered and compressed by one thread.
/// The bytes depend on `compression` only, never on `threads`.
void render_png(const PixelGrid& grid, const JuliaParams& params, unsigned threads,
                const png::Compression& compression, const std::vector<png::TextChunk>& text,
                const png::ByteSink& sink);

/// Runs `produce` with a sink that writes to `path`, or to standard output for "-".
/// A file is written under a temporary name in the same directory and renamed over `path` only
/// after the last byte was written, so a failure (or SIGINT, SIGTERM, SIGHUP) leaves any
/// existing file untouched and no temporary file behind. The file gets mode 0666 & ~umask.
/// A symbolic link is kept and the file it names replaced; an existing device, FIFO or socket
/// (/dev/null, a named pipe) is written directly.
/// Throws OutputError for I/O failures, rethrows what `produce` throws.
void write_output(const std::string& path,
                  const std::function<void(const png::ByteSink& sink)>& produce);

}  // namespace juliaset::cli
