// Command-line parsing with CLI11. Values are taken as text and converted here, so that every
// message names the flag in both spellings and quotes what the user typed.
#include "options.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <tuple>
#include <utility>
#include <vector>

#include "juliaset/framing.hpp"
#include "juliaset/version.hpp"
#include "quoting.hpp"

namespace juliaset::cli {

namespace {

// The core's limit (ImageSpec::validate), repeated so that the message names the flag.
constexpr std::uint32_t max_supersample = 16;

/// One flag that takes a value: its spellings, what it sets and how help describes it.
struct ValueFlag {
    char short_name;
    const char* long_name;
    const char* type_name;
    const char* default_text;
    const char* description;
};

// The seed tool's flags and defaults first, then the ones this tool adds.
constexpr std::array<ValueFlag, 22> value_flags = {{
    {'R', "resolution", "INT", "500",
     "image width in pixels; the height follows the region's aspect ratio"},
    {'x', "xleft", "FLOAT", "-1.6",
     "real part of the left edge (-2 with --mandelbrot; other powers: a region that frames "
     "their set, e.g. -0.8 for --power=3)"},
    {'X', "xright", "FLOAT", "1.6", "real part of the right edge (1 with --mandelbrot)"},
    {'y', "ybot", "FLOAT", "-1", "imaginary part of the bottom edge (-1 with --mandelbrot)"},
    {'Y', "ytop", "FLOAT", "1", "imaginary part of the top edge (1 with --mandelbrot)"},
    {'r', "real", "FLOAT", "-0.835", "real part of the constant c in z^d + c"},
    {'i', "imag", "FLOAT", "-0.2321", "imaginary part of the constant c"},
    {'t', "threshold", "FLOAT", "2", "escape radius: a point escapes once |z| > threshold"},
    {'m', "itermin", "INT", "5", "escape counts at or below this are black"},
    {'M', "itermax", "INT", "80", "iterations tested; points that never escape are white"},
    {'o', "output", "PATH", "plot.png", "PNG file to write, or - for standard output"},
    {'\0', "threads", "INT", "0",
     "threads to render and compress with; 0 = every core (more than the cores never start)"},
    {'\0', "power", "D", "2", "the exponent d of z^d + c, 2 to 16; e.g. --power=3"},
    {'\0', "colormap", "NAME", "gray",
     "gray, viridis, magma, inferno, plasma or twilight, each reversed by a trailing _r; any "
     "but gray writes an 8-bit RGB PNG; e.g. --colormap=magma"},
    {'\0', "coloring", "NAME", "count",
     "count (the seed's bands), smooth or histogram; see --smooth and --histogram"},
    {'\0', "supersample", "N", "1",
     "N x N samples per pixel, averaged after colouring (antialiasing), 1 to 16; costs N^2 "
     "times the render; e.g. --supersample=3"},
    {'\0', "bits", "8|16", "8",
     "bits per sample: 16 writes a 16-bit gray PNG (gray colormap only); e.g. --bits=16"},
    {'\0', "precision", "double|single", "double",
     "double is bit-exact; single uses float SIMD kernels, about 1.8 times as fast but NOT "
     "bit-exact (some pixels near the boundary differ); e.g. --precision=single"},
    {'\0', "center", "RE,IM", "none",
     "centre of the view, as decimals with as many digits as needed (the deep engine takes over "
     "when doubles cannot tell the pixels apart); instead of -x/-X/-y/-Y; e.g. "
     "--center=-1.99996619445037030418,3.0013824367909383e-34"},
    {'\0', "width", "W", "none",
     "width of the view in the plane, a decimal > 0 of any exponent, e.g. --width=1e-300; "
     "instead of -x/-X/-y/-Y (default 3.2, or 3 with --mandelbrot)"},
    {'\0', "size", "WxH", "none",
     "image size in pixels of a --center/--width view, e.g. --size=800x800 (instead of -R; "
     "without it -R pixels wide, the height from the default region's aspect)"},
    {'\0', "from", "PNG", "none",
     "re-render the image whose parameters a PNG written by juliaset records; flags given "
     "beside it override them; e.g. --from=a.png -R=2000 -o big.png"},
}};
constexpr std::size_t value_flag_count = value_flags.size();

/// "--xleft/-x", the way every message names a flag.
std::string flag_label(const ValueFlag& flag) {
    std::string label = std::string("--") + flag.long_name;
    if (flag.short_name != '\0') label += std::string("/-") + flag.short_name;
    return label;
}

const ValueFlag& flag_named(std::string_view long_name) {
    for (std::size_t f = 0; f < value_flag_count; ++f) {
        if (long_name == value_flags[f].long_name) return value_flags[f];
    }
    throw std::logic_error("no flag named " + std::string(long_name));
}

std::string label(std::string_view long_name) { return flag_label(flag_named(long_name)); }

const ValueFlag* flag_for_argument(std::string_view arg) {
    for (std::size_t f = 0; f < value_flag_count; ++f) {
        const ValueFlag& flag = value_flags[f];
        const bool short_match =
            arg.size() == 2 && arg[0] == '-' && flag.short_name != '\0' && arg[1] == flag.short_name;
        if (short_match) {
            return &flag;
        }
        if (arg.substr(0, 2) == "--" && arg.substr(2) == flag.long_name) return &flag;
    }
    return nullptr;
}

/// Thrown inside this file for a bad value; becomes an Exit with exit_usage_error.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Shortest text that reads back as the same double, for messages.
std::string format_double(double value) {
    std::array<char, 32> buffer{};
    const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    return std::string(buffer.data(), result.ptr);
}

double parse_double(const std::string& text, std::string_view long_name) {
    std::string_view digits = text;
    // from_chars rejects a leading '+', which people do type.
    if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-') digits.remove_prefix(1);
    double value = 0.0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error == std::errc::result_out_of_range) {
        // Too large or too small in magnitude; strtod (in the C locale main keeps) tells which.
        // Subnormal values (down to about 4.9e-324) are representable and accepted above.
        const std::string whole(digits);
        if (std::abs(std::strtod(whole.c_str(), nullptr)) > 1.0) {
            throw UsageError(label(long_name) + ": " + in_quotes(text) +
                             " is too large for a double (largest magnitude about 1.8e308)");
        }
        throw UsageError(label(long_name) + ": " + in_quotes(text) +
                         " is too small for a double: nonzero magnitudes below about 4.9e-324 "
                         "round to 0 (write 0 if you mean 0)");
    }
    if (error != std::errc() || end != digits.data() + digits.size()) {
        throw UsageError(label(long_name) + ": " + in_quotes(text) + " is not a number");
    }
    if (!std::isfinite(value)) {
        throw UsageError(label(long_name) + " must be a finite number, got " + in_quotes(text));
    }
    return value;
}

std::uint64_t parse_whole(const std::string& text, std::string_view long_name, std::uint64_t max) {
    std::string_view digits = text;
    if (digits.size() > 1 && digits[0] == '+') digits.remove_prefix(1);
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    const bool negative = !digits.empty() && digits[0] == '-';
    if (error == std::errc::result_out_of_range || (error == std::errc() && value > max)) {
        throw UsageError(label(long_name) + " must be at most " + std::to_string(max) + ", got " +
                         in_quotes(text));
    }
    if (negative) throw UsageError(label(long_name) + " must not be negative, got " + in_quotes(text));
    if (error != std::errc() || end != digits.data() + digits.size()) {
        throw UsageError(label(long_name) + ": " + in_quotes(text) + " is not a whole number");
    }
    return value;
}

/// True for an argument that names one of our flags (`-o`, `-o=...`, `--output`, `--fast`...);
/// false for negative numbers such as `-0.1`, `-1e3` or `-inf`, which are values.
bool looks_like_flag(std::string_view arg) {
    if (arg.substr(0, 2) == "--") return arg.size() > 2;
    if (arg.size() < 2 || arg[0] != '-') return false;
    const bool letter_flag = std::string_view("hV").find(arg[1]) != std::string_view::npos ||
                             flag_for_argument(arg.substr(0, 2)) != nullptr;
    return letter_flag && (arg.size() == 2 || arg[2] == '=');
}

/// CLI11 reads `-x=-0.1` as the value "=-0.1"; the seed's tool (clap) reads it as "-0.1".
/// Rewrites that spelling to `-x -0.1`, and reports a value flag with nothing after it.
std::vector<std::string> normalise_arguments(std::span<const std::string> args) {
    std::vector<std::string> out;
    out.reserve(args.size() + 4);
    for (std::size_t a = 0; a < args.size(); ++a) {
        const std::string& arg = args[a];
        if (arg == "--") {  // no positional arguments exist; let CLI11 report what follows
            out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(a), args.end());
            break;
        }
        if (arg.size() >= 3 && arg[0] == '-' && arg[1] != '-' && arg[2] == '=') {
            if (flag_for_argument(std::string_view(arg).substr(0, 2)) != nullptr) {
                out.push_back(arg.substr(0, 2));
                out.push_back(arg.substr(3));
                continue;
            }
        }
        // CLI11 reads `--xleft=` as "no value yet" and would take the next argument instead.
        const auto equals = arg.find('=');
        if (arg.rfind("--", 0) == 0 && equals + 1 == arg.size()) {
            const std::string_view name = std::string_view(arg).substr(0, equals);
            if (const ValueFlag* flag = flag_for_argument(name)) {
                throw UsageError(flag_label(*flag) + " needs a value");
            }
        }
        // CLI11 would take whatever follows as the value, even the next flag (`-x -o f.png`).
        if (const ValueFlag* flag = flag_for_argument(arg);
            flag != nullptr && (a + 1 == args.size() || looks_like_flag(args[a + 1]))) {
            throw UsageError(flag_label(*flag) + " needs a value");
        }
        out.push_back(arg);
    }
    return out;
}

/// The CLI11 app: every value flag bound to a string, plus the switches.
struct CommandLine {
    CLI::App app{"Render the filled Julia set of z^d + c (or, with --mandelbrot, the Mandelbrot "
                 "set) as a PNG: 8-bit gray like the seed's tool by default, 16-bit gray or "
                 "colour on request. Every image records its parameters (--from reads them).",
                 "juliaset"};
    std::array<std::string, value_flag_count> values{};
    std::array<CLI::Option*, value_flag_count> options{};
    bool fast = false;
    bool best = false;
    bool version = false;
    bool mandelbrot = false;
    bool julia = false;
    bool smooth = false;
    bool histogram = false;

    CommandLine() {
        app.set_help_flag("-h,--help", "print this help and exit");
        for (std::size_t f = 0; f < value_flag_count; ++f) {
            const ValueFlag& flag = value_flags[f];
            std::string names = std::string("--") + flag.long_name;
            if (flag.short_name != '\0') names = std::string("-") + flag.short_name + "," + names;
            options[f] = app.add_option(names, values[f],
                                        std::string(flag.description) + " [default: " +
                                            flag.default_text + "]")
                             ->type_name(flag.type_name)
                             ->multi_option_policy(CLI::MultiOptionPolicy::Throw);
        }
        app.add_flag("--mandelbrot", mandelbrot,
                     "the Mandelbrot set: z0 = 0 and c = each pixel's point, so --real/-r and "
                     "--imag/-i do not apply [default: off]; e.g. --mandelbrot --power=3");
        app.add_flag("--julia", julia,
                     "the filled Julia set with c from -r/-i [default]; overrides a "
                     "--mandelbrot image read with --from");
        app.add_flag("--smooth", smooth,
                     "continuous colouring without bands (--coloring=smooth; needs --threshold "
                     "above 1, double precision) [default: off]");
        app.add_flag("--histogram", histogram,
                     "histogram-equalised colouring: every shade covers about as many escaped "
                     "pixels (--coloring=histogram) [default: off]");
        app.add_flag("--fast", fast,
                     "fastest compression, larger file (gray: run-length deflate, no filter; "
                     "colour: libdeflate level 1)");
        app.add_flag("--best", best,
                     "smallest file, slower (gray: zlib level 9; colour: libdeflate level 10)");
        app.add_flag("-V,--version", version, "print the version and exit");
        app.footer(
            "The default compression (gray: Up filter, run-length deflate; colour: libdeflate\n"
            "level 6, no filter) stays within 10% (gray) and 20% (colour) of --best.\n"
            "Images are limited to 2^30 pixels a side and 2^36 pixels in all.\n"
            "Peak memory: about 8 MB + 3 MB per thread + one row of pixels (at most 64 MiB),\n"
            "whatever the size, --itermax or --supersample (docs/design.md, \"Memory\").\n"
            "Each PNG records its parameters as JSON in a tEXt chunk \"juliaset\".\n"
            "A render longer than a second shows a progress bar when stderr is a terminal.\n"
            "An existing file is replaced only by a complete image.\n"
            "\n"
            "Exit status:\n"
            "  0      the image was written\n"
            "  1      it could not be written: a full disk, the file size limit (ulimit -f),\n"
            "         a reader that closed the pipe of -o -\n"
            "  2      bad arguments, or a --from file without a usable record\n"
            "  128+N  killed by signal N (INT, TERM, HUP, QUIT, USR1, USR2, ALRM...), after\n"
            "         removing the unfinished file\n"
            "\n"
            "Examples:\n"
            "  juliaset -x=-0.1 -X=0.1 -y=-0.1 -Y=0.1 -m=20 -M=100 -R=4000\n"
            "      the seed's 4000 x 4000 zoom\n"
            "  juliaset -M=300 --colormap=magma --smooth --supersample=2 -o julia.png\n"
            "      a colour image with continuous shading, antialiased\n"
            "  juliaset --mandelbrot --power=3 --colormap=twilight --histogram -o multibrot.png\n"
            "      the Mandelbrot set of z^3 + c, framed for its power\n"
            "  juliaset --mandelbrot -x=-0.7485 -X=-0.7425 -y=0.0985 -Y=0.1025 -M=1500\n"
            "      seahorse valley of the Mandelbrot set, 1500 iterations deep\n"
            "  juliaset -r=0.285 -i=0.01 -M=400 --colormap=plasma --smooth -o plasma.png\n"
            "      the Julia set of another c\n"
            "  juliaset -R=2000 --bits=16 -o - | convert - -resize 50% small.png\n"
            "      a 16-bit gray PNG on standard output, for another program\n"
            "  juliaset --from=julia.png -R=3000 -o large.png\n"
            "      the image julia.png shows, 3000 pixels wide");
    }

    [[nodiscard]] bool given(std::string_view long_name) const {
        for (std::size_t f = 0; f < value_flag_count; ++f) {
            if (long_name == value_flags[f].long_name) return options[f]->count() > 0;
        }
        return false;
    }
    [[nodiscard]] const std::string& value(std::string_view long_name) const {
        for (std::size_t f = 0; f < value_flag_count; ++f) {
            if (long_name == value_flags[f].long_name) return values[f];
        }
        throw std::logic_error("no flag named " + std::string(long_name));
    }
};

/// Shortest decimal text of a double that reads back as the same double.
std::string decimal_of(double value) { return format_double(value); }

/// Julia's c as typed: the double checks of parse_double (and its messages), then the exact
/// digits kept. A value beyond a double's range in magnitude is refused; one that underflows
/// (1e-400) reads as 0 in double and keeps its digits for the deep engine.
double parse_c_part(const std::string& text, std::string_view long_name, std::string& exact) {
    try {
        check_decimal(text, label(long_name));
    } catch (const std::invalid_argument&) {
        (void)parse_double(text, long_name);  // its message, for non-numbers and the like
        throw UsageError(label(long_name) + ": '" + text + "' is not a decimal number");
    }
    double value = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(value)) {
        throw UsageError(label(long_name) + ": '" + text + "' is out of the range of a double");
    }
    exact = text;
    return value;
}

/// A decimal of --center or --width, checked with a message naming the flag.
std::string parse_decimal(const std::string& text, std::string_view long_name) {
    try {
        check_decimal(text, label(long_name));
    } catch (const std::invalid_argument& error) {
        throw UsageError(label(long_name) + ": '" + text +
                         "' is not a decimal number (digits, an optional point and exponent, "
                         "up to " + std::to_string(max_deep_digits) + " digits and exponents "
                         "within +-" + std::to_string(max_deep_exponent) + ")");
    }
    return text;
}

/// Whether a decimal string (check_decimal's syntax) is above 0.
bool decimal_is_positive(std::string_view text) {
    if (!text.empty() && text[0] == '-') return false;
    const std::string_view mantissa = text.substr(0, text.find_first_of("eE"));
    return mantissa.find_first_of("123456789") != std::string_view::npos;
}

/// "RE,IM" of --center.
std::pair<std::string, std::string> parse_center(const std::string& text) {
    const auto comma = text.find(',');
    if (comma == std::string::npos || text.find(',', comma + 1) != std::string::npos) {
        throw UsageError(label("center") + " must be RE,IM (two decimals and a comma), got '" +
                         text + "'");
    }
    return {parse_decimal(text.substr(0, comma), "center"),
            parse_decimal(text.substr(comma + 1), "center")};
}

/// "WxH" of --size.
std::pair<std::size_t, std::size_t> parse_size(const std::string& text) {
    const auto x = text.find_first_of("xX");
    if (x == std::string::npos) {
        throw UsageError(label("size") + " must be WxH in pixels, e.g. 800x600, got '" + text + "'");
    }
    const std::string columns = text.substr(0, x);
    const std::string rows = text.substr(x + 1);
    const auto side = [&](const std::string& digits) {
        if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
            throw UsageError(label("size") + " must be WxH in pixels, e.g. 800x600, got '" +
                             text + "'");
        }
        const std::uint64_t value = parse_whole(digits, "size", max_grid_side);
        if (value < 1) throw UsageError(label("size") + " must be at least 1x1, got '" + text + "'");
        return static_cast<std::size_t>(value);
    };
    return {side(columns), side(rows)};
}

/// The record's values as the starting point of `--from`.
Options options_from_record(const ImageRecord& record) {
    Options options;
    options.resolution = record.width;
    options.region = record.region;
    options.params = record.params;
    options.c_re_text = record.c_re_exact.empty() ? decimal_of(record.params.c_re) : record.c_re_exact;
    options.c_im_text = record.c_im_exact.empty() ? decimal_of(record.params.c_im) : record.c_im_exact;
    if (record.view) {
        options.view = DeepView{record.view->center_re, record.view->center_im, record.view->span,
                                record.width, record.height};
    }
    options.coloring = record.coloring;
    options.colormap = record.colormap;
    options.colormap_colours = record.colormap_colours;
    options.bits = record.bits;
    options.supersample = record.supersample;
    options.precision = record.precision;
    return options;
}

/// Applies given values over the defaults (or over the record `--from` names), each converted
/// with a message naming its flag.
Options convert(const CommandLine& line, const RecordSource& records) {
    Options options;
    std::optional<ImageRecord> recorded;
    if (line.given("from")) {
        const std::string& path = line.value("from");
        if (path.empty()) throw UsageError(label("from") + " needs a PNG file name");
        try {
            recorded = records(path);
        } catch (const MetadataError& error) {
            throw UsageError(label("from") + ": " + error.what());
        }
        options = options_from_record(*recorded);
        options.from = path;
    }

    if (line.mandelbrot && line.julia) {
        throw UsageError("--mandelbrot and --julia cannot be used together");
    }
    const auto real = [&](std::string_view name, double& target) {
        if (line.given(name)) target = parse_double(line.value(name), name);
    };
    const auto whole = [&](std::string_view name, auto& target, std::uint64_t max) {
        if (line.given(name)) {
            target = static_cast<std::remove_reference_t<decltype(target)>>(
                parse_whole(line.value(name), name, max));
        }
    };
    // Ranges are checked in validate(), which names the allowed ones in a single message.
    // The power first: the Mandelbrot family's default region depends on it.
    whole("power", options.params.power, std::numeric_limits<std::uint32_t>::max());
    if (line.mandelbrot) {
        options.params.family = Family::mandelbrot;
        // A recorded region stays: --from keeps showing the same part of the plane.
        const std::uint32_t power = options.params.power;
        if (!recorded && power >= min_power && power <= max_power) {
            options.region = default_region(Family::mandelbrot, power);
        }
    }
    if (line.julia) options.params.family = Family::julia;
    whole("resolution", options.resolution, std::numeric_limits<std::uint64_t>::max());
    real("xleft", options.region.xleft);
    real("xright", options.region.xright);
    real("ybot", options.region.ybot);
    real("ytop", options.region.ytop);
    if (line.given("real")) {
        options.params.c_re = parse_c_part(line.value("real"), "real", options.c_re_text);
    }
    if (line.given("imag")) {
        options.params.c_im = parse_c_part(line.value("imag"), "imag", options.c_im_text);
    }
    real("threshold", options.params.threshold);
    whole("itermin", options.params.itermin, std::numeric_limits<std::uint32_t>::max());
    whole("itermax", options.params.itermax, std::numeric_limits<std::uint32_t>::max());
    whole("threads", options.threads, max_threads);
    whole("supersample", options.supersample, std::numeric_limits<std::uint32_t>::max());
    whole("bits", options.bits, std::numeric_limits<std::uint32_t>::max());
    if (line.given("output")) {
        options.output = line.value("output");
        if (options.output.empty()) throw UsageError(label("output") + " needs a file name or -");
    }
    if (line.given("colormap")) {
        options.colormap = line.value("colormap");
        options.colormap_colours.clear();  // a recorded table gives way to the name
    }
    if (line.given("precision")) {
        const std::string& precision = line.value("precision");
        if (precision == "double") {
            options.precision = Precision::exact;
        } else if (precision == "single") {
            options.precision = Precision::single;
        } else {
            throw UsageError(label("precision") + " must be double or single, got " +
                             in_quotes(precision));
        }
    }

    const int colorings = int{line.smooth} + int{line.histogram} + int{line.given("coloring")};
    if (colorings > 1) {
        throw UsageError("--smooth, --histogram and " + label("coloring") +
                         " choose the same thing: give one of them");
    }
    if (line.smooth) options.coloring = Coloring::smooth;
    if (line.histogram) options.coloring = Coloring::histogram;
    if (line.given("coloring")) {
        const std::string& coloring = line.value("coloring");
        if (coloring == "count") {
            options.coloring = Coloring::count;
        } else if (coloring == "smooth") {
            options.coloring = Coloring::smooth;
        } else if (coloring == "histogram") {
            options.coloring = Coloring::histogram;
        } else {
            throw UsageError(label("coloring") + " must be count, smooth or histogram, got " +
                             in_quotes(coloring));
        }
    }

    if (options.params.family == Family::mandelbrot) {
        for (const std::string_view name : {"real", "imag"}) {
            if (line.given(name)) {
                throw UsageError(label(name) + " sets c of the Julia set; --mandelbrot takes c "
                                               "from each pixel (use --julia, or leave it out)");
            }
        }
    }
    if (line.fast && line.best) throw UsageError("--fast and --best cannot be used together");
    options.compression = line.fast   ? CompressionChoice::fast
                          : line.best ? CompressionChoice::best
                                      : CompressionChoice::standard;

    // A centred view: --center/--width/--size, or a recorded one. Mixing it with the seed's
    // bounds is refused (which of two regions would win is not obvious to anyone).
    const bool bounds_given = line.given("xleft") || line.given("xright") || line.given("ybot") ||
                              line.given("ytop");
    const bool view_given = line.given("center") || line.given("width") || line.given("size");
    if (bounds_given && view_given) {
        throw UsageError(label("center") + ", " + label("width") + " and " + label("size") +
                         " choose the view; " + label("xleft") + ", " + label("xright") + ", " +
                         label("ybot") + " and " + label("ytop") +
                         " choose a region instead: give one kind");
    }
    if (line.given("size") && line.given("resolution")) {
        throw UsageError(label("size") + " and " + label("resolution") +
                         " both set the image's width in pixels: give one of them");
    }
    if (bounds_given && recorded && recorded->view) {
        throw UsageError(label("from") + ": '" + options.from + "' records a centred view; change "
                         "it with " + label("center") + ", " + label("width") + " and " +
                         label("size") + ", not " + label("xleft") + "/" + label("xright") + "/" +
                         label("ybot") + "/" + label("ytop"));
    }
    if (view_given || options.view) {
        const DefaultView& defaults = options.params.family == Family::mandelbrot
                                          ? default_mandelbrot_view
                                          : default_julia_view;
        DeepView view;
        double aspect = defaults.aspect;
        if (options.view) {
            view = *options.view;
            aspect = static_cast<double>(view.pixels_y) / static_cast<double>(view.pixels_x);
        } else if (recorded) {
            // A recorded region becomes the view of its middle and width, at its pixels.
            const Region& r = recorded->region;
            view.center_re = decimal_of((r.xleft + r.xright) / 2.0);
            view.center_im = decimal_of((r.ybot + r.ytop) / 2.0);
            view.width = decimal_of(std::abs(r.xright - r.xleft));
            view.pixels_x = recorded->width;
            view.pixels_y = recorded->height;
            aspect = static_cast<double>(recorded->height) / static_cast<double>(recorded->width);
        } else {
            view.center_re = defaults.center_re;
            view.center_im = defaults.center_im;
            view.width = defaults.width;
            view.pixels_x = options.resolution;
            view.pixels_y = 0;  // from the aspect, below
        }
        if (line.given("center")) {
            std::tie(view.center_re, view.center_im) = parse_center(line.value("center"));
        }
        if (line.given("width")) {
            view.width = parse_decimal(line.value("width"), "width");
            if (!decimal_is_positive(view.width)) {
                throw UsageError(label("width") + " must be above 0, got '" + view.width + "'");
            }
        }
        if (line.given("size")) {
            std::tie(view.pixels_x, view.pixels_y) = parse_size(line.value("size"));
        } else if (line.given("resolution") || view.pixels_y == 0) {
            view.pixels_x = options.resolution;
            const double rows = std::round(static_cast<double>(options.resolution) * aspect);
            view.pixels_y = static_cast<std::size_t>(std::max(rows, 1.0));
        }
        options.resolution = view.pixels_x;
        options.view = view;
        return options;
    }

    // --from keeps the recorded size: the resolution is the recorded width and the height
    // follows from the region, so it must come out as recorded (a Python image of any shape
    // may not follow the command's rule).
    const bool size_given = line.given("resolution") || line.given("xleft") ||
                            line.given("xright") || line.given("ybot") || line.given("ytop");
    if (recorded && !size_given && recorded->width >= 1) {
        const double rows = std::round(static_cast<double>(recorded->width) *
                                       std::abs(recorded->region.ytop - recorded->region.ybot) /
                                       std::abs(recorded->region.xright - recorded->region.xleft));
        if (rows != static_cast<double>(recorded->height)) {
            throw UsageError(label("from") + ": " + in_quotes(options.from, 4096) + " is " +
                             std::to_string(recorded->width) + " x " +
                             std::to_string(recorded->height) + " pixels, but its region at " +
                             std::to_string(recorded->width) + " pixels wide gives " +
                             format_double(rows) + " rows; juliaset renders only heights that "
                             "follow the region's aspect ratio (give -R and the region to choose)");
        }
    }
    return options;
}

/// Names a value in a message by where it came from: the flag the user typed (or whose default
/// applies), or, for a value `--from` read and no flag overrode, the record's key, with the
/// message then starting "record in 'FILE': ".
class Blame {
public:
    Blame(const CommandLine& line, const std::string& from) : line_(line), from_(from) {}

    /// "--power" or "\"power\"" (a recorded value). "smooth" names how smooth colouring was
    /// chosen: --smooth, --coloring=smooth or the record's "coloring".
    [[nodiscard]] std::string name(std::string_view flag) const {
        if (flag == "smooth") {
            if (line_.smooth) return "--smooth";
            return recorded("coloring") ? "\"coloring\" smooth" : label("coloring") + " smooth";
        }
        if (!recorded(flag)) return label(flag);
        return "\"" + std::string(record_key(flag)) + "\"";
    }

    /// The error for `text`, about the values `flags` set.
    [[nodiscard]] UsageError error(std::initializer_list<std::string_view> flags,
                                   const std::string& text) const {
        for (const std::string_view flag : flags) {
            if (recorded(flag)) return UsageError("record in " + in_quotes(from_, 4096) + ": " + text);
        }
        return UsageError(text);
    }

private:
    [[nodiscard]] bool recorded(std::string_view flag) const {
        if (flag == "smooth" || flag == "coloring") {
            return !from_.empty() && !line_.given("coloring") && !line_.smooth && !line_.histogram;
        }
        return !from_.empty() && !line_.given(flag);
    }

    static std::string_view record_key(std::string_view flag) {
        if (flag == "resolution") return "width";
        if (flag == "real") return "c\"[0";
        if (flag == "imag") return "c\"[1";
        return flag;  // the other keys are the flags' long names (xleft: region's xleft)
    }

    const CommandLine& line_;
    const std::string& from_;
};

/// The checks of the core (PixelGrid, JuliaParams::validate), made first here so that the
/// message names the flag the user gave (or the record's key, for a value --from read).
void validate_view(Options& options);

void validate(Options& options, const Blame& blame) {
    if (options.view) validate_view(options);
    const Region& region = options.region;
    const JuliaParams& params = options.params;
    const auto name = [&blame](std::string_view flag) { return blame.name(flag); };
    const auto fail = [&blame](std::initializer_list<std::string_view> flags,
                               const std::string& text) { return blame.error(flags, text); };
    if (options.resolution < 1) {
        throw fail({"resolution"}, name("resolution") + " must be at least 1, got 0");
    }
    if (options.resolution > max_grid_side) {
        throw fail({"resolution"}, name("resolution") + " must be at most " +
                                       std::to_string(max_grid_side) + " (2^30), got " +
                                       std::to_string(options.resolution));
    }
    if (region.xleft == region.xright) {
        throw fail({"xleft", "xright"}, name("xleft") + " and " + name("xright") +
                                            " must differ, both are " + format_double(region.xleft));
    }
    if (region.ybot == region.ytop) {
        throw fail({"ybot", "ytop"}, name("ybot") + " and " + name("ytop") +
                                         " must differ, both are " + format_double(region.ybot));
    }
    const double x_extent = std::abs(region.xright - region.xleft);
    const double y_extent = std::abs(region.ytop - region.ybot);
    if (!std::isfinite(x_extent) || !std::isfinite(y_extent)) {
        throw fail({"xleft", "xright", "ybot", "ytop"},
                   "the region is too large: " + name("xright") + " - " + name("xleft") + " and " +
                       name("ytop") + " - " + name("ybot") + " must be finite numbers");
    }
    if (!(params.threshold > 0.0)) {
        throw fail({"threshold"}, name("threshold") + " must be above 0, got " +
                                      format_double(params.threshold));
    }
    if (!std::isfinite(params.threshold * params.threshold)) {
        throw fail({"threshold"}, name("threshold") +
                                      " is too large: its square overflows a double, got " +
                                      format_double(params.threshold));
    }
    if (params.itermin >= params.itermax) {
        throw fail({"itermin", "itermax"},
                   name("itermin") + " (" + std::to_string(params.itermin) +
                       ") must be smaller than " + name("itermax") + " (" +
                       std::to_string(params.itermax) + ")");
    }
    if (params.power < min_power || params.power > max_power) {
        throw fail({"power"}, name("power") + " must be between " + std::to_string(min_power) +
                                  " and " + std::to_string(max_power) + ", got " +
                                  std::to_string(params.power));
    }
    if (options.supersample < 1 || options.supersample > max_supersample) {
        throw fail({"supersample"}, name("supersample") + " must be between 1 and " +
                                        std::to_string(max_supersample) + ", got " +
                                        std::to_string(options.supersample));
    }
    if (options.bits != 8 && options.bits != 16) {
        throw fail({"bits"}, name("bits") + " must be 8 or 16, got " + std::to_string(options.bits));
    }
    if (options.colormap_colours.empty()) {
        const std::vector<std::string> known = Colormap::names();
        if (std::find(known.begin(), known.end(), options.colormap) == known.end()) {
            std::string listed;
            for (const std::string& known_name : known) {
                if (known_name.ends_with("_r")) continue;
                listed += (listed.empty() ? "" : ", ") + known_name;
            }
            std::string text = name("colormap") + ": unknown colormap " + in_quotes(options.colormap) +
                               "; built-in: " + listed + ", each reversed by a trailing _r";
            if (!options.from.empty() && !blame.name("colormap").starts_with("--")) {
                text += " (the record names a colormap from elsewhere, matplotlib perhaps, "
                        "without its colour table; give --colormap)";
            }
            throw fail({"colormap"}, text);
        }
    }
    const bool gray = options.colormap == "gray" && options.colormap_colours.empty();
    if (options.bits == 16 && !gray) {
        throw fail({"bits", "colormap"},
                   name("bits") + " 16 needs " + name("colormap") +
                       " gray: colour images have 8 bits per channel, got colormap " +
                       in_quotes(options.colormap) +
                       (options.colormap_colours.empty() ? "" : " (a recorded colour table)"));
    }
    if (options.coloring == Coloring::smooth && !(params.threshold > 1.0)) {
        throw fail({"smooth", "threshold"}, name("smooth") + " needs " + name("threshold") +
                                                " above 1, got " +
                                                format_double(params.threshold));
    }
    if (options.precision == Precision::single) {
        if (options.coloring == Coloring::smooth) {
            throw fail({"precision", "smooth"},
                       name("precision") + " single cannot be used with " + name("smooth") +
                           ", which is computed in double");
        }
        if (params.itermax > max_single_precision_itermax) {
            throw fail({"precision", "itermax"},
                       name("precision") + " single needs " + name("itermax") +
                           " at most 16777216 (2^24), got " + std::to_string(params.itermax));
        }
        const auto threshold = static_cast<float>(params.threshold);
        if (!std::isfinite(threshold * threshold)) {
            throw fail({"precision", "threshold"},
                       name("threshold") + " is too large for " + name("precision") +
                           " single: its square overflows a float (at most about 1.8e19), got " +
                           format_double(params.threshold));
        }
    }
    if (options.view) {
        // Its size was checked by validate_view; what follows is the seed's height rule.
        if (options.deep) return;
        try {
            params.validate();
            (void)sample_grid(pixel_grid(options), options.supersample);
        } catch (const std::exception& error) {
            throw UsageError(error.what());
        }
        return;
    }
    // The image's height: the core's rule, checked here to name the flags that set it.
    const double rows = std::round(static_cast<double>(options.resolution) * y_extent / x_extent);
    const std::initializer_list<std::string_view> size_set = {"resolution", "xleft", "xright",
                                                              "ybot", "ytop"};
    const std::string size_flags = "(set by " + name("resolution") + " and the region " +
                                   name("xleft") + ", " + name("xright") + ", " + name("ybot") +
                                   ", " + name("ytop") + ")";
    const std::string extents = "the region is " + format_double(x_extent) + " wide and " +
                                format_double(y_extent) + " tall";
    if (rows < 1.0) {
        throw fail(size_set, "the image would be 0 pixels tall: " + extents + ", so at " +
                                 name("resolution") + " " + std::to_string(options.resolution) +
                                 " its height rounds to 0 pixels " + size_flags);
    }
    if (rows > static_cast<double>(max_grid_side)) {
        const std::string tall = std::isfinite(rows) ? format_double(rows) : "more than 1e308";
        throw fail(size_set, "the image would be " + tall + " pixels tall, above the limit of "
                             "2^30: " + extents + ", so at " + name("resolution") + " " +
                                 std::to_string(options.resolution) + " it needs that many rows " +
                                 size_flags);
    }
    const double pixels = rows * static_cast<double>(options.resolution);
    if (pixels > static_cast<double>(max_image_pixels)) {
        throw fail(size_set, "the image would be " + std::to_string(options.resolution) + " x " +
                                 format_double(rows) + " = " + format_double(pixels) +
                                 " pixels, above the limit of 2^36 = " +
                                 std::to_string(max_image_pixels) + " pixels " + size_flags);
    }
    // Supersampling multiplies both sides; the core's limit applies to the samples.
    const double side = std::max(rows, static_cast<double>(options.resolution));
    if (side * options.supersample > static_cast<double>(max_grid_side)) {
        throw fail({"supersample", "resolution", "xleft", "xright", "ybot", "ytop"},
                   name("supersample") + " " + std::to_string(options.supersample) +
                       " on an image of " + std::to_string(options.resolution) + " x " +
                       format_double(rows) + " pixels gives " +
                       format_double(side * options.supersample) +
                       " samples a side, above the limit of 2^30 " + size_flags);
    }
    // Whatever the core still rejects is reported in its own words.
    try {
        params.validate();
        const PixelGrid grid(region, options.resolution);
        (void)sample_grid(grid, options.supersample);
    } catch (const std::exception& error) {
        throw UsageError(error.what());
    }
}

/// A centred view: its size, whether it needs the deep engine and, when it does not, the
/// double region of the seed's path.
void validate_view(Options& options) {
    const DeepView& view = *options.view;
    const std::string size_flags = label("size") + " (or " + label("resolution") + ")";
    const double pixels = static_cast<double>(view.pixels_x) * static_cast<double>(view.pixels_y);
    if (view.pixels_x < 1 || view.pixels_y < 1) {
        throw UsageError("the image would be " + std::to_string(view.pixels_x) + " x " +
                         std::to_string(view.pixels_y) + " pixels; " + size_flags +
                         " must give at least 1 x 1");
    }
    if (view.pixels_x > max_grid_side || view.pixels_y > max_grid_side ||
        pixels > static_cast<double>(max_image_pixels)) {
        throw UsageError("the image would be " + std::to_string(view.pixels_x) + " x " +
                         std::to_string(view.pixels_y) + " pixels, above the limit of 2^30 "
                         "pixels a side and 2^36 pixels in all, set by " + size_flags);
    }
    const DeepParams params = deep_params(options);
    try {
        options.deep = needs_deep_engine(view, params);
    } catch (const std::invalid_argument& error) {
        throw UsageError(error.what());
    }
    if (options.deep) {
        if (options.precision == Precision::single) {
            throw UsageError(label("precision") + " single is for the double path; this view (" +
                             label("width") + " " + view.width + " over " +
                             std::to_string(view.pixels_x) + " pixels) needs the deep engine");
        }
        return;
    }
    // The double path: the region whose seed-rule samples are the view's, rounded to doubles.
    const double center_re = std::strtod(view.center_re.c_str(), nullptr);
    const double center_im = std::strtod(view.center_im.c_str(), nullptr);
    const double width = std::strtod(view.width.c_str(), nullptr);
    // Operation for operation as the Python package's centre/width regions (_modern._centered).
    const double height =
        width * (static_cast<double>(view.pixels_y) / static_cast<double>(view.pixels_x));
    options.region = {center_re - width / 2.0, center_re + width / 2.0, center_im - height / 2.0,
                      center_im + height / 2.0};
    const Region& r = options.region;
    if (!std::isfinite(r.xleft) || !std::isfinite(r.xright) || !std::isfinite(r.ybot) ||
        !std::isfinite(r.ytop) || !std::isfinite(r.xright - r.xleft) ||
        !std::isfinite(r.ytop - r.ybot)) {
        throw UsageError("the view is too large: " + label("center") + " and " + label("width") +
                         " must keep the plane within the range of a double");
    }
}

std::string error_line(const std::string& what) { return "juliaset: error: " + what; }

}  // namespace

PixelGrid pixel_grid(const Options& options) {
    if (options.view) return PixelGrid(options.region, options.view->pixels_x, options.view->pixels_y);
    return PixelGrid(options.region, options.resolution);
}

DeepParams deep_params(const Options& options) {
    DeepParams params;
    params.family = options.params.family;
    params.power = options.params.power;
    params.c_re = options.c_re_text;
    params.c_im = options.c_im_text;
    params.threshold = options.params.threshold;
    params.itermax = options.params.itermax;
    return params;
}

ImageSpec image_spec(const Options& options) {
    ImageSpec spec;
    spec.coloring = options.coloring;
    spec.colormap = options.colormap_colours.empty()
                        ? Colormap::named(options.colormap)
                        : Colormap(options.colormap, options.colormap_colours);
    spec.format = !spec.colormap.is_gray_ramp() ? PixelFormat::rgb8
                  : options.bits == 16          ? PixelFormat::gray16
                                                : PixelFormat::gray8;
    spec.supersample = options.supersample;
    return spec;
}

ImageRecord image_record(const Options& options) {
    ImageRecord record;
    if (options.view) {
        record.view = ExactView{options.view->center_re, options.view->center_im,
                                options.view->width};
        record.width = options.view->pixels_x;
        record.height = options.view->pixels_y;
        // At depth c's digits matter: the exact strings given. On the double path the
        // doubles are what was rendered.
        if (options.deep && options.params.family == Family::julia) {
            record.c_re_exact = options.c_re_text;
            record.c_im_exact = options.c_im_text;
        }
    } else {
        const PixelGrid grid(options.region, options.resolution);
        record.width = grid.width();
        record.height = grid.height();
    }
    record.engine = version_text();
    record.params = options.params;
    if (record.params.family == Family::mandelbrot) {
        // c plays no part in the Mandelbrot family; zero keeps equal images' records equal.
        record.params.c_re = 0.0;
        record.params.c_im = 0.0;
    }
    if (!options.view) record.region = options.region;
    record.coloring = options.coloring;
    record.colormap = options.colormap;
    record.colormap_colours = options.colormap_colours;
    record.bits = options.bits;
    record.supersample = options.supersample;
    record.precision = options.precision;
    return record;
}

std::string help_text() { return CommandLine().app.help(); }

std::string version_text() { return std::string("juliaset ") + juliaset::version; }

ParseResult parse_options(std::span<const std::string> args, const RecordSource& records) {
    try {
        std::vector<std::string> normalised = normalise_arguments(args);
        CommandLine line;
        // CLI11 takes the arguments in reverse order, last first.
        std::vector<std::string> reversed(normalised.rbegin(), normalised.rend());
        try {
            line.app.parse(reversed);
        } catch (const CLI::CallForHelp&) {
            return Exit{0, line.app.help()};
        } catch (const CLI::ExtrasError&) {
            // The first one is the mistake; what follows it may only be its value.
            const std::vector<std::string> extras = line.app.remaining();
            const std::string first = extras.empty() ? std::string("?") : extras.front();
            return Exit{exit_usage_error,
                        error_line("unknown argument " + in_quotes(first) + " (see juliaset --help)")};
        } catch (const CLI::ParseError& error) {
            for (std::size_t f = 0; f < value_flag_count; ++f) {
                if (line.options[f]->count() > 1) {
                    const std::string what = flag_label(value_flags[f]) + " was given more than once";
                    return Exit{exit_usage_error, error_line(what)};
                }
            }
            return Exit{exit_usage_error, error_line(printable(error.what(), 4 * echo_limit))};
        }
        if (line.version) return Exit{0, version_text()};
        Options options = convert(line, records);
        validate(options, Blame(line, options.from));
        return options;
    } catch (const UsageError& error) {
        return Exit{exit_usage_error, error_line(error.what())};
    }
}

ParseResult parse_options(int argc, const char* const* argv) {
    std::vector<std::string> args;
    for (int a = 1; a < argc; ++a) args.emplace_back(argv[a]);
    return parse_options(args);
}

}  // namespace juliaset::cli
