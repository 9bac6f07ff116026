// Hostile parameter records and PNG files: every failure is a MetadataError (never another
// exception, never unbounded memory), compressed and international text chunks are read.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "metadata.hpp"
#include "png_reader.hpp"
#include "png_writer.hpp"

namespace {

using juliaset::cli::ImageRecord;
using juliaset::cli::MetadataError;
using juliaset::cli::record_from_json;
using juliaset::cli::record_from_png;
using juliaset::cli::record_to_json;
using juliaset::png::find_text_chunk;
using Bytes = std::vector<std::uint8_t>;

ImageRecord small_record() {
    ImageRecord record;
    record.width = 8;
    record.height = 5;
    return record;
}

/// What record_from_json says about `json`; fails the test unless it is a MetadataError.
std::string rejection(const std::string& json) {
    try {
        (void)record_from_json(json);
    } catch (const MetadataError& error) {
        return error.what();
    } catch (const std::exception& error) {
        ADD_FAILURE() << "not a MetadataError: " << error.what();
        return {};
    }
    ADD_FAILURE() << "accepted: " << json.substr(0, 200);
    return {};
}

void put_u32(std::uint8_t* out, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
}

/// One PNG chunk with a correct CRC.
Bytes chunk(const std::string& type, const Bytes& data) {
    // Sized first and filled in place: GCC 12 warns falsely (-Wstringop-overflow) about
    // push_back into a fresh vector.
    Bytes out(12 + data.size());
    put_u32(out.data(), static_cast<std::uint32_t>(data.size()));
    std::copy_n(type.begin(), 4, out.begin() + 4);
    std::copy(data.begin(), data.end(), out.begin() + 8);
    uLong crc = crc32(0, out.data() + 4, 4);
    crc = crc32(crc, data.data(), static_cast<uInt>(data.size()));
    put_u32(out.data() + 8 + data.size(), static_cast<std::uint32_t>(crc));
    return out;
}

Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

Bytes compressed(const std::string& text) {
    uLongf size = compressBound(static_cast<uLong>(text.size()));
    Bytes out(size);
    EXPECT_EQ(compress(out.data(), &size, reinterpret_cast<const Bytef*>(text.data()),
                       static_cast<uLong>(text.size())),
              Z_OK);
    out.resize(size);
    return out;
}

/// A 4 x 3 gray PNG written by our encoder, with `extra` chunks spliced in after IHDR (or
/// before IEND with `after_data`).
Bytes png_with_chunks(const std::vector<Bytes>& extra, bool after_data = false) {
    juliaset::png::ImageFormat format;
    format.width = 4;
    format.height = 3;
    Bytes file = juliaset::png::encode_png(format, Bytes(12, 7));
    const std::size_t ihdr_end = 8 + 8 + 13 + 4;
    const std::size_t at = after_data ? file.size() - 12 : ihdr_end;
    Bytes spliced;
    for (const Bytes& piece : extra) spliced.insert(spliced.end(), piece.begin(), piece.end());
    file.insert(file.begin() + static_cast<std::ptrdiff_t>(at), spliced.begin(), spliced.end());
    return file;
}

Bytes text_chunk(const std::string& keyword, const std::string& text) {
    return chunk("tEXt", bytes_of(keyword + '\0' + text));
}

Bytes ztxt_chunk(const std::string& keyword, const std::string& text) {
    Bytes data = bytes_of(keyword + '\0' + '\0');
    const Bytes packed = compressed(text);
    data.insert(data.end(), packed.begin(), packed.end());
    return chunk("zTXt", data);
}

Bytes itxt_chunk(const std::string& keyword, const std::string& text, bool compress_it) {
    Bytes data = bytes_of(keyword + '\0');
    data.push_back(compress_it ? 1 : 0);
    data.push_back(0);
    const Bytes tags = bytes_of(std::string("en") + '\0' + "juliaset" + '\0');
    data.insert(data.end(), tags.begin(), tags.end());
    const Bytes body = compress_it ? compressed(text) : bytes_of(text);
    data.insert(data.end(), body.begin(), body.end());
    return chunk("iTXt", data);
}

TEST(RecordJson, NumbersOutsideTheDoubleRangeAreMalformedNotFatal) {
    const std::string good = record_to_json(small_record());
    const std::string huge_integer(400, '7');
    for (const std::string& number : {std::string("1e400"), std::string("-1e400"), huge_integer}) {
        for (const std::string& key : {std::string("\"threshold\":2.0"), std::string("\"width\":8"),
                                       std::string("\"xleft\":-1.6")}) {
            std::string json = good;
            const auto at = json.find(key);
            ASSERT_NE(at, std::string::npos) << key;
            const auto colon = key.find(':');
            json.replace(at + colon + 1, key.size() - colon - 1, number);
            const std::string message = rejection(json);
            EXPECT_NE(message.find("outside the range of a double"), std::string::npos) << message;
        }
        // Under a key the record does not know, too: the number fails while parsing.
        std::string json = good;
        json.insert(1, "\"future\":" + number + ",");
        EXPECT_NE(rejection(json).find("outside the range"), std::string::npos);
    }
}

TEST(RecordJson, DeepNestingIsRefusedWithoutBuildingIt) {
    EXPECT_NE(rejection(std::string(1000000, '[')).find("more than 64 deep"), std::string::npos);
    EXPECT_NE(rejection("{\"a\":" + std::string(100, '[')).find("deep"), std::string::npos);
    // The schema's own nesting is far below the limit.
    std::string nested = "[" + std::string(62, '[') + std::string(63, ']');
    EXPECT_NE(rejection(nested).find("not a JSON object"), std::string::npos);
}

TEST(RecordJson, EchoedValuesAreShortAndPrintable) {
    std::string json = record_to_json(small_record());
    const auto at = json.find("\"julia\"");
    ASSERT_NE(at, std::string::npos);
    json.replace(at, 7, "\"" + std::string(1 << 20, 'x') + "\"");
    const std::string long_value = rejection(json);
    EXPECT_LT(long_value.size(), 300u) << long_value.size();
    EXPECT_NE(long_value.find("xxx... (1048576 bytes)"), std::string::npos) << long_value;

    json = record_to_json(small_record());
    json.replace(json.find("\"julia\""), 7, R"("jul\u0000ia\n\u001b[31m")");
    const std::string nul = rejection(json);
    EXPECT_EQ(nul.find('\0'), std::string::npos);
    EXPECT_EQ(nul.find('\n'), std::string::npos);
    EXPECT_EQ(nul.find('\x1b'), std::string::npos);
    EXPECT_NE(nul.find(R"('jul\0ia\n\x1b[31m')"), std::string::npos) << nul;
}

TEST(RecordJson, EveryKindOfJunkIsAMetadataError) {
    for (const std::string& json :
         {std::string(""), std::string("\xff\xfe"), std::string("{\"family\":\"\xff\"}"),
          std::string("{\"family\":\"julia\",\"c\":[1,2],\"region\":[]}"), std::string("nul"),
          std::string("{\"family\":1}"), std::string("{\"family\":\"julia\",\"c\":{}}"),
          std::string("[") + std::string(63, '{'), std::string("1e-400"), std::string("\"\\ud800\"")}) {
        (void)rejection(json);
    }
}

TEST(PngRecordReader, FindsTheRecordInEveryTextChunkKindAndPlace) {
    const std::string json = record_to_json(small_record());
    const ImageRecord expected = record_from_json(json);
    const std::vector<Bytes> files = {
        png_with_chunks({text_chunk("Comment", "x"), text_chunk("juliaset", json)}),
        png_with_chunks({ztxt_chunk("juliaset", json)}),
        png_with_chunks({itxt_chunk("juliaset", json, false)}),
        png_with_chunks({itxt_chunk("juliaset", json, true)}),
        png_with_chunks({ztxt_chunk("juliaset", json)}, /*after_data=*/true),
    };
    for (const Bytes& file : files) {
        EXPECT_EQ(record_from_png(file, "'f.png'"), expected);
        std::istringstream stream(std::string(file.begin(), file.end()));
        EXPECT_EQ(find_text_chunk(stream, "juliaset", 1 << 20), json);
    }
}

TEST(PngRecordReader, Latin1TextBecomesUtf8) {
    const Bytes file = png_with_chunks({text_chunk("juliaset", "caf\xe9")});
    EXPECT_EQ(find_text_chunk(file, "juliaset", 100), "caf\xc3\xa9");
}

TEST(PngRecordReader, OtherChunksAreSkippedUnread) {
    // A huge text chunk with another keyword and a wrong CRC: its data is never read (nor its
    // CRC checked), so the record after it is found. Its bytes are really there in `file`.
    Bytes junk = text_chunk("Comment", std::string(1 << 20, 'j'));
    junk[junk.size() - 1] ^= 0xFF;
    const Bytes file =
        png_with_chunks({junk, text_chunk("juliaset", record_to_json(small_record()))});
    EXPECT_EQ(record_from_png(file, "'f.png'").width, 8u);
}

TEST(PngRecordReader, AnOversizedRecordIsReportedAsOversizedNotMissing) {
    const std::string big(2 << 20, ' ');
    for (const Bytes& file : {png_with_chunks({text_chunk("juliaset", big)}),
                              png_with_chunks({ztxt_chunk("juliaset", big)}),
                              png_with_chunks({itxt_chunk("juliaset", big, true)})}) {
        try {
            (void)record_from_png(file, "'big.png'");
            ADD_FAILURE() << "an oversized record was accepted";
        } catch (const MetadataError& error) {
            EXPECT_NE(std::string(error.what()).find("too large"), std::string::npos) << error.what();
        }
        EXPECT_THROW((void)find_text_chunk(file, "juliaset", 1 << 20),
                     juliaset::png::TooLargeError);
    }
}

TEST(PngRecordReader, BrokenFilesAreFormatErrors) {
    const Bytes good = png_with_chunks({ztxt_chunk("juliaset", record_to_json(small_record()))});
    // Every truncation of a good file fails cleanly (or, cut after the record, still finds it).
    for (std::size_t size = 0; size < good.size(); size += 7) {
        const Bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(size));
        try {
            (void)find_text_chunk(cut, "juliaset", 1 << 20);
        } catch (const juliaset::png::FormatError&) {
        }
    }
    Bytes corrupt_zlib = png_with_chunks({ztxt_chunk("juliaset", "{}")});
    const std::string keyword = "juliaset";
    const auto at = std::search(corrupt_zlib.begin(), corrupt_zlib.end(), keyword.begin(), keyword.end());
    ASSERT_NE(at, corrupt_zlib.end());
    Bytes data(at, at + 9 + 1);  // keyword, NUL, method
    data.push_back(0x78);
    data.push_back(0x00);        // a zlib header with a bad check
    const Bytes bad = png_with_chunks({chunk("zTXt", data)});
    EXPECT_THROW((void)find_text_chunk(bad, "juliaset", 1 << 20), juliaset::png::FormatError);
    EXPECT_EQ(find_text_chunk(png_with_chunks({}), "juliaset", 100), std::nullopt);
}

}  // namespace
