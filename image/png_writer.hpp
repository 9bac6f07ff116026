// PNG encoding that streams: rows are pulled from a caller's source in horizontal bands, the
// bands are filtered and deflated on several threads, and one writer emits them in order.
// Knows images, not fractals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace juliaset::png {

/// PNG colour types whose samples are whole bytes (bit depth 8 or 16).
enum class ColorType : std::uint8_t {
    gray = 0,
    rgb = 2,
    gray_alpha = 4,
    rgba = 6,
};

/// The row filter written before every row (PNG filter method 0).
enum class RowFilter : std::uint8_t {
    none = 0,  ///< rows are stored as they are
    up = 2,    ///< each byte minus the byte above it: long runs of zeros in smooth images
};

/// zlib's match-finding strategy (deflateInit2's `strategy`).
enum class Strategy : std::uint8_t {
    standard,      ///< Z_DEFAULT_STRATEGY: full LZ77 search, best ratio per level
    filtered,      ///< Z_FILTERED: favours literals, for filtered image data
    run_length,    ///< Z_RLE: matches at distance 1 only; fast, and strong on Up-filtered rows
    huffman_only,  ///< Z_HUFFMAN_ONLY: no matches at all
    /// Not zlib: deflate_runs.hpp's encoder, the same kind of stream as Z_RLE (2.40 MB on the
    /// headline image against Z_RLE's 2.41 MB) in about 40 % of its time. `level` is unused.
    runs,
    /// Not zlib: libdeflate's compressor at `level` (1..12), deflate_join.hpp. Its match finder
    /// suits colour images, whose pixels repeat whole RGB triplets: at equal time it writes
    /// files 15-25 % smaller than zlib's.
    libdeflate,
};

/// How the image data is compressed. The presets were chosen by measuring every level and
/// strategy on the 4000 x 4000 headline image (16 MB of gray): on escape-time images Z_RLE is
/// the fastest strategy, and after the Up filter it also beats level 6 in size.
struct Compression {
    int level = 6;  ///< zlib level 1..9 (0 = stored)
    Strategy strategy = Strategy::standard;
    RowFilter filter = RowFilter::up;

    /// Least work: the run encoder without a filter (2.82 MB, smaller than zlib level 1's
    /// 2.98 MB).
    [[nodiscard]] static Compression fast() noexcept {
        return {1, Strategy::runs, RowFilter::none};
    }
    /// The default: Up filter + the run encoder (2.40 MB), 6% above best() for a twentieth
    /// of its compression time.
    [[nodiscard]] static Compression balanced() noexcept {
        return {1, Strategy::runs, RowFilter::up};
    }
    /// Smallest file: level 9 on unfiltered rows (2.27 MB). After the Up filter, level 9 is
    /// both larger and three times slower: its long zero runs make hash chains long.
    [[nodiscard]] static Compression best() noexcept {
        return {9, Strategy::standard, RowFilter::none};
    }

    /// The presets for colour images (colormaps), which after any filter compress worse than
    /// without: their pixels are a few hundred colours that repeat as whole triplets, which an
    /// LZ77 match finder captures and a filter scrambles (docs/design.md has the measurements).
    [[nodiscard]] static Compression colour_fast() noexcept {
        return {1, Strategy::libdeflate, RowFilter::none};
    }
    [[nodiscard]] static Compression colour_balanced() noexcept {
        return {6, Strategy::libdeflate, RowFilter::none};
    }
    [[nodiscard]] static Compression colour_best() noexcept {
        return {10, Strategy::libdeflate, RowFilter::none};
    }

    friend bool operator==(const Compression&, const Compression&) = default;
};

/// fast(), balanced() and best() as they suit `type`: the colour presets for every colour type
/// but gray; any other setting is returned as it is.
[[nodiscard]] Compression preset_for(const Compression& compression, ColorType type) noexcept;

/// A tEXt chunk: Latin-1 keyword of 1..79 characters and text without NUL bytes.
struct TextChunk {
    std::string keyword;
    std::string text;
};

/// What the image is: its size, sample layout and textual metadata.
struct ImageFormat {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    std::uint8_t bit_depth = 8;  ///< 8 or 16; 16-bit samples are big-endian in the rows
    ColorType color_type = ColorType::gray;
    std::vector<TextChunk> text;

    /// Samples per pixel: 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
    [[nodiscard]] std::size_t channels() const noexcept;
    /// Bytes of one row of pixels, without the filter byte.
    [[nodiscard]] std::size_t row_bytes() const noexcept;

    /// Throws std::invalid_argument for a zero or over-large (> 2^31 - 1) side, an unsupported
    /// bit depth or a malformed tEXt keyword or text.
    void validate() const;
};

/// How the encoder runs. The bytes it produces depend on `compression` and `rows_per_band`
/// only, never on the thread count.
struct EncodeOptions {
    Compression compression = Compression::balanced();
    /// Compressing threads; 0 means every hardware thread. The calling thread writes.
    unsigned threads = 0;
    /// Rows per independently compressed band; 0 picks about 256 KiB of pixels per band.
    std::size_t rows_per_band = 0;
    /// Columns per band: rows wider than this are cut into pieces of it, each its own band of
    /// one row (so a band never holds more than about 256 KiB of pixels, however wide the
    /// image). 0 picks about 256 KiB of pixels.
    std::size_t columns_per_band = 0;
    /// Bands that may be in progress or waiting to be written at once (bounds memory);
    /// 0 means twice the thread count.
    std::size_t bands_in_flight = 0;
};

/// Fills `out` with the pixels of `row_count` rows from `first_row` and `column_count` columns
/// from `first_column` (rows of column_count pixels, top row first, packed). Called from several
/// threads at once; what it throws aborts the encode and is rethrown by write_png.
using PieceSource = std::function<void(std::size_t first_row, std::size_t row_count,
                                       std::size_t first_column, std::size_t column_count,
                                       std::span<std::uint8_t> out)>;

/// Fills `out` with `row_count` consecutive image rows starting at row `first_row`, each
/// ImageFormat::row_bytes() long, top row first. Called from several threads at once (for
/// different rows); what it throws aborts the encode and is rethrown by write_png.
using RowSource =
    std::function<void(std::size_t first_row, std::size_t row_count, std::span<std::uint8_t> out)>;

/// Receives the PNG file's bytes in order, always on the thread that called write_png.
/// What it throws aborts the encode and is rethrown by write_png.
using ByteSink = std::function<void(std::span<const std::uint8_t> bytes)>;

/// The rows per band write_png uses for `format` when EncodeOptions::rows_per_band is 0.
[[nodiscard]] std::size_t default_rows_per_band(const ImageFormat& format) noexcept;

/// Encodes the image whose rows `source` produces as a PNG file into `sink`.
///
/// Bands of rows are filtered and compressed as raw deflate streams on several threads, each
/// ending on a byte boundary (Z_SYNC_FLUSH, the last one Z_FINISH), and are joined under one
/// zlib header and an Adler-32 combined with adler32_combine. With the Up filter a band also
/// asks the source for the row above it (unless the band before has published it), so bands
/// never wait on each other and the decompressed data is the same for every band size. Rows
/// wider than a band are cut into column pieces. At most `bands_in_flight` bands of at most
/// about 256 KiB are held in memory, with at most 64 MiB of row edges, so an image of any
/// height and width streams in bounded memory (docs/design.md gives the bound).
/// Throws std::invalid_argument for a bad format or options and rethrows the source's and the
/// sink's exceptions; std::bad_alloc if a band does not fit in memory.
void write_png(const ImageFormat& format, const PieceSource& source, const ByteSink& sink,
               const EncodeOptions& options = {});

/// The same with a source of whole rows: a row cut into pieces is then produced whole for each
/// piece (memory and time grow with the row), so wide images want a PieceSource.
void write_png(const ImageFormat& format, const RowSource& source, const ByteSink& sink,
               const EncodeOptions& options = {});

/// Encodes an image held in memory (rows of ImageFormat::row_bytes(), top first) and returns
/// the PNG file. Throws std::invalid_argument if `pixels` is not exactly the image's size.
[[nodiscard]] std::vector<std::uint8_t> encode_png(const ImageFormat& format,
                                                   std::span<const std::uint8_t> pixels,
                                                   const EncodeOptions& options = {});

}  // namespace juliaset::png
