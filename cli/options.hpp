// The command line of `juliaset`: parsed and validated without touching any file, so that a
// bad argument is reported before anything is created.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "juliaset/color.hpp"
#include "juliaset/deep.hpp"
#include "juliaset/escape.hpp"
#include "juliaset/grid.hpp"
#include "metadata.hpp"

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

/// The view `--center`, `--width` and `--size` choose when no -x/-X/-y/-Y bound is given: the
/// default region's centre and width, 500 pixels wide (-R) and as tall as the default region's
/// aspect ratio gives.
struct DefaultView {
    const char* center_re;
    const char* center_im;
    const char* width;
    double aspect;  ///< plane height / plane width
};
inline constexpr DefaultView default_julia_view{"0", "0", "3.2", 2.0 / 3.2};
inline constexpr DefaultView default_mandelbrot_view{"-0.5", "0", "3", 2.0 / 3.0};

/// How hard the PNG is compressed: `--fast`, the default, or `--best`.
enum class CompressionChoice { fast, standard, best };

/// Everything the command line sets, defaults being the seed tool's.
struct Options {
    std::size_t resolution = 500;
    /// The seed's region (-x/-X/-y/-Y). For a centred view it is derived from `view` (the
    /// double path's region when the view does not need the deep engine).
    Region region{};
    /// A view given by --center/--width/--size (or read by --from): exact decimal strings and
    /// the image's pixels. Absent for the seed's -x/-X/-y/-Y region.
    std::optional<DeepView> view;
    /// Julia's c exactly as typed (-r/-i, or recorded); params.c_re/c_im are its doubles.
    std::string c_re_text = "-0.835";
    std::string c_im_text = "-0.2321";
    /// The view's pixel spacing is too fine for doubles: rendered by the deep engine
    /// (needs_deep_engine), decided once when the options are validated.
    bool deep = false;
    /// Family, power, c, threshold, itermin and itermax.
    JuliaParams params{};
    Coloring coloring = Coloring::count;
    /// A name Colormap::named() accepts; any other than "gray" makes an 8-bit RGB image.
    std::string colormap = "gray";
    /// The 256 colours of a colormap that is not built in, as a record read with --from holds
    /// them (then `colormap` is only its name, and the image is RGB); empty otherwise.
    std::vector<Rgb> colormap_colours;
    /// Bits per gray sample: 8 or 16.
    unsigned bits = 8;
    /// N x N samples per pixel.
    std::uint32_t supersample = 1;
    Precision precision = Precision::exact;
    /// The PNG whose recorded parameters `--from` started from; empty without `--from`.
    std::string from;
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

/// How `--from PATH` obtains a file's record: read_image_record, or a stand-in in tests.
/// Throws MetadataError when there is no usable record.
using RecordSource = std::function<ImageRecord(const std::string& path)>;

/// Parses and validates the arguments after the program name. Never throws for bad input:
/// every problem becomes an Exit with status exit_usage_error and a line that names the flag.
/// Accepts `-x V`, `-x=V`, `-xV`, `--xleft V` and `--xleft=V`, negative values included.
/// `--from` is the one flag that reads a file (through `records`); every other check is pure.
[[nodiscard]] ParseResult parse_options(std::span<const std::string> args,
                                        const RecordSource& records = read_image_record);

/// parse_options() for main's argc/argv (argv[0] is skipped).
[[nodiscard]] ParseResult parse_options(int argc, const char* const* argv);

/// The pixel grid the double path samples: the region at -R for the seed's flags, or the
/// centred view's derived region at its exact pixel size.
[[nodiscard]] PixelGrid pixel_grid(const Options& options);

/// The deep engine's parameters for the options (c as the exact strings given).
[[nodiscard]] DeepParams deep_params(const Options& options);

/// How the options colour pixels, for the core's render_image.
[[nodiscard]] ImageSpec image_spec(const Options& options);

/// The record of the image the options render (what `--from` reads back).
[[nodiscard]] ImageRecord image_record(const Options& options);

/// The text `--help` prints: every flag with its default, and an example.
[[nodiscard]] std::string help_text();

/// The line `--version` prints, e.g. "juliaset 0.2.0".
[[nodiscard]] std::string version_text();

}  // namespace juliaset::cli
