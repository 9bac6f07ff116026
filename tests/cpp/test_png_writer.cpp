// The PNG writer: files decode to the pixels given, for every band size and thread count.
// The decoder below is written from the PNG specification and checks every CRC; zlib's own
// inflate checks the zlib header and the combined Adler-32.
#include "png_writer.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using juliaset::png::ColorType;
using juliaset::png::Compression;
using juliaset::png::EncodeOptions;
using juliaset::png::ImageFormat;
using juliaset::png::RowFilter;
using juliaset::png::Strategy;
using Bytes = std::vector<std::uint8_t>;

std::uint32_t get_u32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

struct Chunk {
    std::string type;
    Bytes data;
};

/// Splits a PNG file into chunks, failing the test on a bad signature or CRC.
std::vector<Chunk> read_chunks(const Bytes& file) {
    static const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    std::vector<Chunk> chunks;
    if (file.size() < 8 || std::memcmp(file.data(), signature, 8) != 0) {
        ADD_FAILURE() << "bad PNG signature";
        return chunks;
    }
    std::size_t at = 8;
    while (at + 12 <= file.size()) {
        const std::uint32_t length = get_u32(&file[at]);
        if (at + 12 + length > file.size()) {
            ADD_FAILURE() << "chunk runs past the end of the file";
            return chunks;
        }
        Chunk chunk{std::string(reinterpret_cast<const char*>(&file[at + 4]), 4),
                    Bytes(file.begin() + static_cast<std::ptrdiff_t>(at + 8),
                          file.begin() + static_cast<std::ptrdiff_t>(at + 8 + length))};
        const uLong crc = crc32(0, &file[at + 4], 4 + length);
        EXPECT_EQ(crc, get_u32(&file[at + 8 + length])) << "CRC of chunk " << chunk.type;
        chunks.push_back(std::move(chunk));
        at += 12 + length;
    }
    EXPECT_EQ(at, file.size()) << "bytes after the last chunk";
    return chunks;
}

/// The zlib stream of all IDAT chunks, inflated (zlib verifies header and Adler-32).
Bytes inflate_idat(const std::vector<Chunk>& chunks) {
    Bytes stream;
    for (const Chunk& chunk : chunks) {
        if (chunk.type == "IDAT") stream.insert(stream.end(), chunk.data.begin(), chunk.data.end());
    }
    z_stream z{};
    EXPECT_EQ(inflateInit(&z), Z_OK);
    Bytes out(1 << 16);
    z.next_in = stream.data();
    z.avail_in = static_cast<uInt>(stream.size());
    std::size_t produced = 0;
    int status = Z_OK;
    while (status == Z_OK) {
        if (produced == out.size()) out.resize(out.size() * 2);
        z.next_out = out.data() + produced;
        z.avail_out = static_cast<uInt>(out.size() - produced);
        status = inflate(&z, Z_NO_FLUSH);
        produced = out.size() - z.avail_out;
    }
    EXPECT_EQ(status, Z_STREAM_END) << (z.msg != nullptr ? z.msg : "");
    EXPECT_EQ(z.avail_in, 0u) << "bytes after the end of the zlib stream";
    inflateEnd(&z);
    out.resize(produced);
    return out;
}

struct Decoded {
    std::uint32_t width = 0;
    std::uint32_t height = 0;
    int bit_depth = 0;
    int color_type = -1;
    Bytes filter_bytes;
    Bytes pixels;
    Bytes filtered_stream;
    std::vector<std::string> chunk_order;
    std::vector<std::pair<std::string, std::string>> text;
};

Decoded decode(const Bytes& file, std::size_t bytes_per_pixel) {
    Decoded image;
    const std::vector<Chunk> chunks = read_chunks(file);
    for (const Chunk& chunk : chunks) image.chunk_order.push_back(chunk.type);
    if (chunks.empty() || chunks.front().type != "IHDR" || chunks.front().data.size() != 13) {
        ADD_FAILURE() << "the first chunk is not a 13-byte IHDR";
        return image;
    }
    const Bytes& ihdr = chunks.front().data;
    image.width = get_u32(&ihdr[0]);
    image.height = get_u32(&ihdr[4]);
    image.bit_depth = ihdr[8];
    image.color_type = ihdr[9];
    EXPECT_EQ(ihdr[10], 0);
    EXPECT_EQ(ihdr[11], 0);
    EXPECT_EQ(ihdr[12], 0);
    for (const Chunk& chunk : chunks) {
        if (chunk.type != "tEXt") continue;
        const auto nul = std::find(chunk.data.begin(), chunk.data.end(), 0);
        const auto text_start = nul == chunk.data.end() ? nul : nul + 1;
        image.text.emplace_back(std::string(chunk.data.begin(), nul),
                                std::string(text_start, chunk.data.end()));
    }
    image.filtered_stream = inflate_idat(chunks);
    const std::size_t row_bytes = std::size_t{image.width} * bytes_per_pixel;
    if (image.filtered_stream.size() != (row_bytes + 1) * image.height) {
        ADD_FAILURE() << "inflated " << image.filtered_stream.size() << " bytes, expected "
                      << (row_bytes + 1) * image.height;
        return image;
    }
    image.pixels.resize(row_bytes * image.height);
    for (std::size_t r = 0; r < image.height; ++r) {
        const std::uint8_t* in = &image.filtered_stream[r * (row_bytes + 1)];
        std::uint8_t* row = &image.pixels[r * row_bytes];
        image.filter_bytes.push_back(in[0]);
        for (std::size_t b = 0; b < row_bytes; ++b) {
            const std::uint8_t above = r > 0 ? row[b - row_bytes] : 0;
            switch (in[0]) {
                case 0: row[b] = in[1 + b]; break;
                case 2: row[b] = static_cast<std::uint8_t>(in[1 + b] + above); break;
                default: ADD_FAILURE() << "unexpected filter type " << int{in[0]}; return image;
            }
        }
    }
    return image;
}

/// A gray test image with flat areas, gradients and noise, like the fractals it will hold.
Bytes test_pixels(std::size_t row_bytes, std::size_t height) {
    Bytes pixels(row_bytes * height);
    std::uint32_t noise = 12345;
    for (std::size_t r = 0; r < height; ++r) {
        for (std::size_t c = 0; c < row_bytes; ++c) {
            noise = noise * 1664525u + 1013904223u;
            std::uint8_t value = static_cast<std::uint8_t>((r * 3 + c / 5) & 0xFF);
            if ((c / 17 + r / 11) % 3 == 0) value = static_cast<std::uint8_t>(noise >> 24);
            if ((r / 23) % 2 == 0 && c < row_bytes / 3) value = 0;
            pixels[r * row_bytes + c] = value;
        }
    }
    return pixels;
}

ImageFormat gray_format(std::uint32_t width, std::uint32_t height) {
    ImageFormat format;
    format.width = width;
    format.height = height;
    return format;
}

TEST(PngWriter, GrayImageDecodesToItsPixelsWithEveryPreset) {
    const ImageFormat format = gray_format(97, 61);
    const Bytes pixels = test_pixels(format.row_bytes(), format.height);
    for (const Compression& compression :
         {Compression::fast(), Compression::balanced(), Compression::best(),
          Compression{0, Strategy::standard, RowFilter::none},
          Compression{6, Strategy::filtered, RowFilter::up},
          Compression{1, Strategy::huffman_only, RowFilter::up}}) {
        EncodeOptions options;
        options.compression = compression;
        const Decoded image = decode(juliaset::png::encode_png(format, pixels, options), 1);
        EXPECT_EQ(image.width, 97u);
        EXPECT_EQ(image.height, 61u);
        EXPECT_EQ(image.bit_depth, 8);
        EXPECT_EQ(image.color_type, 0);
        EXPECT_EQ(image.pixels, pixels) << "level " << compression.level;
        ASSERT_EQ(image.chunk_order.front(), "IHDR");
        EXPECT_EQ(image.chunk_order.back(), "IEND");
    }
}

TEST(PngWriter, UpFilterOnEveryRowButTheFirstAndNoneFilterEverywhere) {
    const ImageFormat format = gray_format(40, 30);
    const Bytes pixels = test_pixels(format.row_bytes(), format.height);
    EncodeOptions options;
    options.rows_per_band = 7;  // bands start mid-image: their first rows still use Up
    options.compression = {6, Strategy::standard, RowFilter::up};
    Bytes expected_up(30, 2);
    expected_up[0] = 0;
    EXPECT_EQ(decode(juliaset::png::encode_png(format, pixels, options), 1).filter_bytes,
              expected_up);
    options.compression.filter = RowFilter::none;
    EXPECT_EQ(decode(juliaset::png::encode_png(format, pixels, options), 1).filter_bytes,
              Bytes(30, 0));
}

TEST(PngWriter, BandsJoinToTheSameDataAsOneBandForEveryBandSizeAndThreadCount) {
    const ImageFormat format = gray_format(123, 77);
    const Bytes pixels = test_pixels(format.row_bytes(), format.height);
    for (const Compression& compression : {Compression::balanced(), Compression::best()}) {
        EncodeOptions single;
        single.compression = compression;
        single.rows_per_band = format.height;
        single.threads = 1;
        const Bytes reference_file = juliaset::png::encode_png(format, pixels, single);
        const Decoded reference = decode(reference_file, 1);
        ASSERT_EQ(reference.pixels, pixels);
        for (const std::size_t rows : {1u, 2u, 5u, 16u, 76u, 77u, 1000u}) {
            Bytes first_file;
            for (const unsigned threads : {1u, 2u, 3u, 8u}) {
                EncodeOptions options = single;
                options.rows_per_band = rows;
                options.threads = threads;
                const Bytes file = juliaset::png::encode_png(format, pixels, options);
                const Decoded image = decode(file, 1);
                EXPECT_EQ(image.filtered_stream, reference.filtered_stream)
                    << rows << " rows per band, " << threads << " threads";
                EXPECT_EQ(image.pixels, pixels);
                if (first_file.empty()) first_file = file;
                EXPECT_EQ(file, first_file) << "bytes depend on the thread count: " << threads;
            }
        }
    }
}

TEST(PngWriter, SixteenBitGrayAndColourLayoutsRoundTrip) {
    struct Case {
        ColorType color;
        std::uint8_t depth;
        std::size_t bytes_per_pixel;
        int color_code;
    };
    for (const Case& c : {Case{ColorType::gray, 16, 2, 0}, Case{ColorType::rgb, 8, 3, 2},
                          Case{ColorType::rgba, 16, 8, 6}, Case{ColorType::gray_alpha, 8, 2, 4}}) {
        ImageFormat format = gray_format(33, 19);
        format.color_type = c.color;
        format.bit_depth = c.depth;
        ASSERT_EQ(format.row_bytes(), 33 * c.bytes_per_pixel);
        const Bytes pixels = test_pixels(format.row_bytes(), format.height);
        EncodeOptions options;
        options.rows_per_band = 4;
        const Decoded image = decode(juliaset::png::encode_png(format, pixels, options),
                                     c.bytes_per_pixel);
        EXPECT_EQ(image.bit_depth, c.depth);
        EXPECT_EQ(image.color_type, c.color_code);
        EXPECT_EQ(image.pixels, pixels);
    }
}

TEST(PngWriter, TextChunksComeAfterTheHeaderAndBeforeTheData) {
    ImageFormat format = gray_format(8, 8);
    format.text = {{"Software", "juliaset test"}, {"Comment", "two words"}};
    const Decoded image = decode(juliaset::png::encode_png(format, Bytes(64, 7)), 1);
    ASSERT_GE(image.chunk_order.size(), 5u);
    EXPECT_EQ(image.chunk_order[1], "tEXt");
    EXPECT_EQ(image.chunk_order[2], "tEXt");
    EXPECT_EQ(image.chunk_order[3], "IDAT");
    ASSERT_EQ(image.text.size(), 2u);
    EXPECT_EQ(image.text[0].first, "Software");
    EXPECT_EQ(image.text[0].second, "juliaset test");
    EXPECT_EQ(image.text[1].second, "two words");
    EXPECT_EQ(image.pixels, Bytes(64, 7));
}

TEST(PngWriter, OneRowAndOneColumnImages) {
    for (const auto& [w, h] : {std::pair{1u, 1u}, std::pair{1u, 50u}, std::pair{300u, 1u}}) {
        const ImageFormat format = gray_format(w, h);
        const Bytes pixels = test_pixels(format.row_bytes(), h);
        EncodeOptions options;
        options.rows_per_band = 3;
        EXPECT_EQ(decode(juliaset::png::encode_png(format, pixels, options), 1).pixels, pixels);
    }
}

TEST(PngWriter, RejectsBadFormatsAndBuffers) {
    const auto encode = [](const ImageFormat& format, std::size_t bytes) {
        return juliaset::png::encode_png(format, Bytes(bytes));
    };
    EXPECT_THROW(encode(gray_format(0, 5), 0), std::invalid_argument);
    EXPECT_THROW(encode(gray_format(5, 0), 0), std::invalid_argument);
    EXPECT_THROW(encode(gray_format(0x80000000u, 1), 0), std::invalid_argument);
    ImageFormat four_bit = gray_format(4, 4);
    four_bit.bit_depth = 4;
    EXPECT_THROW(encode(four_bit, 8), std::invalid_argument);
    EXPECT_THROW(encode(gray_format(4, 4), 15), std::invalid_argument);
    for (const std::string& keyword : {std::string(), std::string(80, 'k'), std::string(" lead"),
                                      std::string("tab\there")}) {
        ImageFormat bad = gray_format(4, 4);
        bad.text = {{keyword, "x"}};
        EXPECT_THROW(encode(bad, 16), std::invalid_argument) << "keyword '" << keyword << "'";
    }
    ImageFormat nul_text = gray_format(4, 4);
    nul_text.text = {{"Comment", std::string("a\0b", 3)}};
    EXPECT_THROW(encode(nul_text, 16), std::invalid_argument);
    EncodeOptions bad_level;
    bad_level.compression.level = 10;
    EXPECT_THROW((void)juliaset::png::encode_png(gray_format(4, 4), Bytes(16), bad_level),
                 std::invalid_argument);
}

TEST(PngWriter, SourceAndSinkErrorsAreRethrown) {
    const ImageFormat format = gray_format(64, 200);
    EncodeOptions options;
    options.rows_per_band = 4;
    options.threads = 3;
    const auto sink_nothing = [](std::span<const std::uint8_t>) {};
    EXPECT_THROW(juliaset::png::write_png(
                     format,
                     [](std::size_t first, std::size_t, std::span<std::uint8_t> out) {
                         if (first >= 100) throw std::runtime_error("source failed");
                         std::fill(out.begin(), out.end(), 1);
                     },
                     sink_nothing, options),
                 std::runtime_error);
    std::size_t written = 0;
    EXPECT_THROW(juliaset::png::write_png(
                     format,
                     [](std::size_t, std::size_t, std::span<std::uint8_t> out) {
                         std::fill(out.begin(), out.end(), 1);
                     },
                     [&](std::span<const std::uint8_t> bytes) {
                         written += bytes.size();
                         if (written > 200) throw std::length_error("disk full");
                     },
                     options),
                 std::length_error);
}

TEST(PngWriter, WorkersStayWithinTheBandsInFlightOfTheWriter) {
    const ImageFormat format = gray_format(50, 400);
    constexpr std::size_t rows_per_band = 2;
    constexpr std::size_t in_flight = 3;
    std::atomic<std::size_t> idat_chunks_written{0};
    std::atomic<std::size_t> violations{0};
    std::atomic<std::size_t> bands_seen{0};
    EncodeOptions options;
    options.rows_per_band = rows_per_band;
    options.bands_in_flight = in_flight;
    options.threads = 4;
    juliaset::png::write_png(
        format,
        [&](std::size_t first, std::size_t count, std::span<std::uint8_t> out) {
            // A one-row call is a band rendering the row above it, its neighbour being late.
            const bool row_above = count == 1;
            const std::size_t band = (first + count) / rows_per_band - (row_above ? 0 : 1);
            if (row_above && (first + 1) % rows_per_band != 0) ++violations;
            // Band `band` may start once band `band - in_flight` was handed to the sink; the
            // one being written may not have reached it yet.
            if (band >= idat_chunks_written.load() + in_flight + 1) ++violations;
            if (!row_above) ++bands_seen;
            std::fill(out.begin(), out.end(), static_cast<std::uint8_t>(first));
        },
        [&](std::span<const std::uint8_t> bytes) {
            if (bytes.size() == 8 && std::memcmp(bytes.data() + 4, "IDAT", 4) == 0) {
                ++idat_chunks_written;
            }
        },
        options);
    EXPECT_EQ(bands_seen.load(), 200u);
    EXPECT_EQ(idat_chunks_written.load(), 200u);
    EXPECT_EQ(violations.load(), 0u);
}

// A band filters its first row Up against the band before's last row, copied from that band
// when it has finished and rendered again otherwise. Slow even bands force the second case;
// the file must not change.
TEST(PngWriter, ABandRendersTheRowAboveItselfWhenItsNeighbourIsLate) {
    const ImageFormat format = gray_format(40, 40);
    constexpr std::size_t rows_per_band = 4;
    std::atomic<std::size_t> rows_rendered_twice{0};
    const auto encode = [&](unsigned threads, bool slow_even_bands) {
        EncodeOptions options;
        options.rows_per_band = rows_per_band;
        options.threads = threads;
        Bytes file;
        juliaset::png::write_png(
            format,
            [&](std::size_t first, std::size_t count, std::span<std::uint8_t> out) {
                if (count == 1) ++rows_rendered_twice;
                if (slow_even_bands && count == rows_per_band && first % (2 * rows_per_band) == 0) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
                for (std::size_t i = 0; i < out.size(); ++i) {
                    const std::size_t row = first + i / format.row_bytes();
                    out[i] = static_cast<std::uint8_t>(row * 7 + (i % format.row_bytes()) * 3);
                }
            },
            [&](std::span<const std::uint8_t> bytes) { file.insert(file.end(), bytes.begin(), bytes.end()); },
            options);
        return file;
    };
    const Bytes in_order = encode(1, false);
    EXPECT_EQ(rows_rendered_twice.load(), 0u);  // one thread: the neighbour is always done
    const Bytes with_late_neighbours = encode(2, true);
    EXPECT_GT(rows_rendered_twice.load(), 0u);
    EXPECT_EQ(with_late_neighbours, in_order);
    EXPECT_EQ(decode(with_late_neighbours, 1).filter_bytes.size(), format.height);
}

// Rows cut into column pieces (each a band of one row) decode to the same filtered data as
// whole rows, for gray and colour, every preset and thread count.
TEST(PngWriter, RowsCutIntoColumnPiecesJoinToTheSameData) {
    struct Case {
        ColorType color;
        std::size_t bytes_per_pixel;
        std::uint32_t width, height;
    };
    for (const Case& c : {Case{ColorType::gray, 1, 123, 20}, Case{ColorType::rgb, 3, 53, 17}}) {
        ImageFormat format = gray_format(c.width, c.height);
        format.color_type = c.color;
        const Bytes pixels = test_pixels(format.row_bytes(), format.height);
        for (const Compression& compression :
             {Compression::fast(), Compression::balanced(), Compression::best(),
              Compression::colour_fast(), Compression::colour_balanced(),
              Compression::colour_best(), Compression{6, Strategy::filtered, RowFilter::up},
              Compression{3, Strategy::libdeflate, RowFilter::up}}) {
            EncodeOptions whole;
            whole.compression = compression;
            whole.threads = 1;
            const Decoded reference = decode(juliaset::png::encode_png(format, pixels, whole),
                                             c.bytes_per_pixel);
            ASSERT_EQ(reference.pixels, pixels);
            for (const std::size_t columns : {1UL, 7UL, 50UL, std::size_t{c.width}}) {
                Bytes first_file;
                for (const unsigned threads : {1U, 3U}) {
                    EncodeOptions options = whole;
                    options.columns_per_band = columns;
                    options.threads = threads;
                    const Bytes file = juliaset::png::encode_png(format, pixels, options);
                    const Decoded image = decode(file, c.bytes_per_pixel);
                    EXPECT_EQ(image.filtered_stream, reference.filtered_stream)
                        << columns << " columns per band, level " << compression.level;
                    if (first_file.empty()) first_file = file;
                    EXPECT_EQ(file, first_file) << "bytes depend on the thread count";
                }
            }
        }
    }
}

// However wide the image, the source is asked for pieces of at most about 256 KiB, and for
// the row above a piece only when the band above has gone from the ring of edges.
TEST(PngWriter, WideRowsAreRequestedInPiecesOfAQuarterMebibyte) {
    ImageFormat format = gray_format(1000000, 3);
    format.color_type = ColorType::rgb;
    std::atomic<std::size_t> largest{0};
    std::atomic<std::size_t> requested{0};
    std::atomic<std::size_t> bad_windows{0};
    Bytes file;
    EncodeOptions options;
    options.threads = 3;
    juliaset::png::write_png(
        format,
        [&](std::size_t first_row, std::size_t row_count, std::size_t first_column,
            std::size_t column_count, std::span<std::uint8_t> out) {
            if (out.size() != row_count * column_count * 3 || first_row + row_count > 3 ||
                first_column + column_count > 1000000) {
                ++bad_windows;
            }
            std::size_t seen = largest.load();
            while (out.size() > seen && !largest.compare_exchange_weak(seen, out.size())) {
            }
            requested += out.size();
            for (std::size_t i = 0; i < out.size(); ++i) {
                const std::size_t column = first_column + i / 3 % column_count;
                out[i] = static_cast<std::uint8_t>(column / 1000 + (first_row + i / (3 * column_count)) * 40);
            }
        },
        [&](std::span<const std::uint8_t> bytes) { file.insert(file.end(), bytes.begin(), bytes.end()); },
        options);
    EXPECT_EQ(bad_windows.load(), 0u);
    EXPECT_LE(largest.load(), std::size_t{256} << 10);
    EXPECT_EQ(requested.load(), std::size_t{3000000} * 3);  // no piece was rendered twice
    const Decoded image = decode(file, 3);
    ASSERT_EQ(image.pixels.size(), std::size_t{9000000});
    EXPECT_EQ(image.pixels[3 * 999999], static_cast<std::uint8_t>(999));
    EXPECT_EQ(image.pixels[3 * (2 * 1000000 + 123456) + 2], static_cast<std::uint8_t>(123 + 80));
}

TEST(PngWriter, ColourImagesGetTheColourPresets) {
    using juliaset::png::preset_for;
    EXPECT_EQ(preset_for(Compression::fast(), ColorType::rgb), Compression::colour_fast());
    EXPECT_EQ(preset_for(Compression::balanced(), ColorType::rgb), Compression::colour_balanced());
    EXPECT_EQ(preset_for(Compression::best(), ColorType::rgba), Compression::colour_best());
    EXPECT_EQ(preset_for(Compression::balanced(), ColorType::gray), Compression::balanced());
    const Compression custom{4, Strategy::standard, RowFilter::up};
    EXPECT_EQ(preset_for(custom, ColorType::rgb), custom);
    EncodeOptions bad;
    bad.compression = {13, Strategy::libdeflate, RowFilter::none};
    EXPECT_THROW((void)juliaset::png::encode_png(gray_format(4, 4), Bytes(16), bad),
                 std::invalid_argument);
    bad.compression.level = 0;
    EXPECT_THROW((void)juliaset::png::encode_png(gray_format(4, 4), Bytes(16), bad),
                 std::invalid_argument);
}

TEST(PngWriter, DefaultBandsHoldAboutAQuarterMebibyte) {
    EXPECT_EQ(juliaset::png::default_rows_per_band(gray_format(4000, 10)), 65u);
    EXPECT_EQ(juliaset::png::default_rows_per_band(gray_format(100, 10)), 128u);
    EXPECT_EQ(juliaset::png::default_rows_per_band(gray_format(1000000, 10)), 1u);
}

}  // namespace

// --- reading the text chunks back (png_reader.hpp) -------------------------------------------

#include <sstream>

#include "png_reader.hpp"

namespace {

std::vector<juliaset::png::TextChunk> read_text(const Bytes& file) {
    std::istringstream in(std::string(file.begin(), file.end()));
    return juliaset::png::read_text_chunks(in);
}

Bytes file_with_text(const std::vector<juliaset::png::TextChunk>& text) {
    ImageFormat format = gray_format(21, 9);
    format.text = text;
    return juliaset::png::encode_png(format, test_pixels(format.row_bytes(), format.height));
}

TEST(PngReader, ReadsBackEveryTextChunkInOrder) {
    const std::vector<juliaset::png::TextChunk> text = {
        {"Software", "juliaset"}, {"juliaset", R"({"a": [1.5, -2]})"}, {"Empty", ""}};
    const auto chunks = read_text(file_with_text(text));
    ASSERT_EQ(chunks.size(), text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        EXPECT_EQ(chunks[i].keyword, text[i].keyword);
        EXPECT_EQ(chunks[i].text, text[i].text);
    }
    EXPECT_TRUE(read_text(file_with_text({})).empty());
}

TEST(PngReader, StopsAtTheImageDataWithoutReadingIt) {
    Bytes file = file_with_text({{"Comment", "before the data"}});
    // Garbage after the first IDAT header is never looked at.
    const std::string marker = "IDAT";
    const auto idat = std::search(file.begin(), file.end(), marker.begin(), marker.end());
    ASSERT_NE(idat, file.end());
    file.resize(static_cast<std::size_t>(idat - file.begin()) + 4);
    ASSERT_EQ(read_text(file).size(), 1u);
}

TEST(PngReader, RejectsWhatIsNotAnIntactPng) {
    using juliaset::png::FormatError;
    const Bytes good = file_with_text({{"juliaset", "{}"}});
    EXPECT_THROW((void)read_text(Bytes{'G', 'I', 'F', '8'}), FormatError);
    EXPECT_THROW((void)read_text(Bytes(good.begin(), good.begin() + 40)), FormatError);
    Bytes corrupt = good;
    const std::string keyword = "juliaset";
    const auto at = std::search(corrupt.begin(), corrupt.end(), keyword.begin(), keyword.end());
    ASSERT_NE(at, corrupt.end());
    at[keyword.size() + 1] ^= 0x20;  // the JSON's '{' becomes '['
    try {
        (void)read_text(corrupt);
        ADD_FAILURE() << "a CRC mismatch was not noticed";
    } catch (const FormatError& error) {
        EXPECT_NE(std::string(error.what()).find("CRC"), std::string::npos) << error.what();
    }
    Bytes no_header = good;
    no_header[12] = 'X';  // IHDR -> XHDR
    EXPECT_THROW((void)read_text(no_header), FormatError);
}

}  // namespace
