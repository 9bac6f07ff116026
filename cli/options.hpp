// The command line of `juliaset`: parsed and validated without touching any file, so that a
// bad argument is reported before anything is created.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <variant>

#include "juliaset/escape.hpp"
#include "juliaset/grid.hpp"

namespace juliaset::cli {

/// Exit status for a bad command line or bad parameter values.
inline constexpr int exit_usage_error = 2;
/// Exit status for a failure to write the image.
inline constexpr int exit_io_error = 1;

/// The most pixels one image may have: 2^36 (64 Gi pixels, hours of rendering). Above it a
/// mistyped resolution would run for days; a wider limit needs only this constant changed.
inline constexpr std::uint64_t max_image_pixels = std::uint64_t{1} << 36;
/// The most worker threads `--threads` accepts.
inline constexpr unsigned max_threads = 1024;

/// How hard the PNG is compressed: `--fast`, the default, or `--best`.
enum class CompressionChoice { fast, standard, best };

/// Everything the command line sets, defaults being the seed tool's.
struct Options {
    std::size_t resolution = 500;
    Region region{};
    JuliaParams params{};
    /// File to write, or "-" for standard output.
    std::string output = "plot.png";
    /// Rendering and compressing threads; 0 means every hardware thread.
    unsigned threads = 0;
    CompressionChoice compression = CompressionChoice::standard;
};

/// The program should stop: print `message` (to stdout when `status` is 0, e.g. help or
/// version; else to stderr, one line) and exit with `status`.
struct Exit {
    int status = 0;
    std::string message;
};

/// Either valid options to render with, or the reason to stop.
using ParseResult = std::variant<Options, Exit>;

/// Parses and validates the arguments after the program name. Never throws for bad input:
/// every problem becomes an Exit with status exit_usage_error and a line that names the flag.
/// Accepts `-x V`, `-x=V`, `-xV`, `--xleft V` and `--xleft=V`, negative values included.
[[nodiscard]] ParseResult parse_options(std::span<const std::string> args);

/// parse_options() for main's argc/argv (argv[0] is skipped).
[[nodiscard]] ParseResult parse_options(int argc, const char* const* argv);

/// The text `--help` prints: every flag with its default, and an example.
[[nodiscard]] std::string help_text();

/// The line `--version` prints, e.g. "juliaset 0.2.0".
[[nodiscard]] std::string version_text();

}  // namespace juliaset::cli
