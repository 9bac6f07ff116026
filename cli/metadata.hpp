// The parameters an image carries: a JSON object in a PNG tEXt chunk with keyword "juliaset",
// written by the command and by the Python package alike (docs/png-metadata.md), and read
// back by `juliaset --from`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "juliaset/color.hpp"
#include "juliaset/escape.hpp"
#include "juliaset/grid.hpp"

namespace juliaset::cli {

/// The tEXt keyword of the JSON record.
inline constexpr std::string_view metadata_keyword = "juliaset";
/// The largest record `--from` reads (stored or inflated), 1 MiB as Pillow's MAX_TEXT_CHUNK: a
/// record with a 256-colour table is about 16 KB.
inline constexpr std::size_t max_record_bytes = std::size_t{1} << 20;
/// How deep the record's arrays and objects may nest (the schema needs 3).
inline constexpr std::size_t max_record_depth = 64;

/// The schema version this engine writes (the record's "schema" key). Version 1, the records
/// of juliaset 0.2.0, has no "schema" key, no "view" and numbers only in "c"; it stays readable.
inline constexpr unsigned record_schema_version = 2;

/// A centred view as exact decimal strings (schema 2): pixel (i, j) of a width x height image
/// samples center + ((i / width - 1/2) * span, (1/2 - j / height) * span * height / width),
/// the rule of juliaset::DeepView.
struct ExactView {
    std::string center_re;
    std::string center_im;
    /// The plane's width ("1e-300").
    std::string span;

    friend bool operator==(const ExactView&, const ExactView&) = default;
};

/// Everything that determines an image's pixels. Two images with equal records are identical,
/// pixel for pixel (threads and compression never change pixels, so they are not recorded).
struct ImageRecord {
    /// Who wrote the image, e.g. "juliaset 0.2.0". Informational: never checked on reading.
    std::string engine;
    /// Family, power, c, threshold, itermin and itermax.
    JuliaParams params{};
    /// The seed's bounds; unused when `view` is present.
    Region region{};
    /// A centred view (written as "view" instead of "region").
    std::optional<ExactView> view;
    /// Julia's c as exact decimal strings, written as strings in "c" (params.c_re and c_im
    /// hold their doubles); empty when c is recorded as the doubles themselves.
    std::string c_re_exact;
    std::string c_im_exact;
    std::size_t width = 0;
    std::size_t height = 0;
    Coloring coloring = Coloring::count;
    /// A name Colormap::named() accepts, or, with colormap_colours, any colormap's name.
    std::string colormap = "gray";
    /// The colormap's 256 colours when it is not built in (a matplotlib colormap, a resampled
    /// or hand-made one), recorded as "colormap_table" so that any reader renders the same
    /// image; empty for a built-in name.
    std::vector<Rgb> colormap_colours;
    /// 8 or 16 bits per sample (16 only for the gray colormap).
    unsigned bits = 8;
    std::uint32_t supersample = 1;
    Precision precision = Precision::exact;

    friend bool operator==(const ImageRecord&, const ImageRecord&) = default;
};

/// A missing, unreadable or malformed record; the message says which file and which field.
class MetadataError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// "julia" or "mandelbrot".
[[nodiscard]] std::string_view family_name(Family family) noexcept;
/// "count", "smooth" or "histogram".
[[nodiscard]] std::string_view coloring_name(Coloring coloring) noexcept;
/// "double" (Precision::exact) or "single".
[[nodiscard]] std::string_view precision_name(Precision precision) noexcept;

/// The record as one line of JSON, keys in the documented order, starting with "schema": 2;
/// "c" is [0.0, 0.0] for the Mandelbrot family, and two strings when c_re_exact is set. Doubles are written in their
/// shortest form that reads back as the same double (integral ones with ".0", so that they stay
/// floats in Python's json), hence records round-trip exactly.
[[nodiscard]] std::string record_to_json(const ImageRecord& record);

/// Parses a record of schema 1 or 2 (a higher "schema" is refused: it may mean something this
/// engine would render differently). "c" entries may be numbers or decimal strings (kept in
/// c_re_exact / c_im_exact); "view" may stand in for "region". A pure function of the text, fuzzed as such. Keys the record does not know are ignored (newer writers may add some);
/// "power", "coloring", "colormap", "bits", "supersample" and "precision" may be left out
/// and then take their defaults (2, count, gray, 8, 1, double); "engine" is optional, and so is
/// "c" for the Mandelbrot family, whose c always reads as 0 (it plays no part). Throws
/// MetadataError (and nothing else) naming the offending key, for text that is not JSON, nests
/// deeper than max_record_depth or holds a number outside the range of a double.
[[nodiscard]] ImageRecord record_from_json(std::string_view json);

/// The record in the PNG whose bytes are `png` (a pure function, fuzzed as such); `name` is how
/// messages call the file. The record is the first tEXt, zTXt or iTXt chunk "juliaset"
/// (png::find_text_chunk, at most max_record_bytes). Throws MetadataError when the bytes are not
/// a PNG, are cut short, carry no record, or a record that is too large or malformed; every
/// message names the file.
[[nodiscard]] ImageRecord record_from_png(std::span<const std::uint8_t> png,
                                          const std::string& name);

/// record_from_png() for the file at `path`, read without loading it: other chunks' data is
/// sought over, so memory stays within max_record_bytes plus a few buffers whatever the file
/// holds. Also throws MetadataError when the file cannot be opened.
[[nodiscard]] ImageRecord read_image_record(const std::string& path);

}  // namespace juliaset::cli
