// Walks PNG chunks up to the image data and collects the tEXt ones.
#include "png_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace juliaset::png {

namespace {

constexpr std::array<std::uint8_t, 8> signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
// Metadata chunks are small; a larger one before the image data is skipped unread rather than
// held in memory (a hostile length field must not make us allocate gigabytes).
constexpr std::uint32_t max_text_chunk = std::uint32_t{1} << 24;
constexpr std::uint32_t max_png_length = 0x7FFFFFFF;

std::uint32_t get_u32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

bool read_exactly(std::istream& in, std::uint8_t* out, std::size_t count) {
    in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(count));
    return static_cast<std::size_t>(in.gcount()) == count;
}

}  // namespace

std::vector<TextChunk> read_text_chunks(std::istream& in) {
    std::array<std::uint8_t, 8> head{};
    if (!read_exactly(in, head.data(), head.size()) || head != signature) {
        throw FormatError("not a PNG file (no PNG signature)");
    }
    std::vector<TextChunk> text;
    std::vector<std::uint8_t> data;
    bool first = true;
    for (;;) {
        if (!read_exactly(in, head.data(), head.size())) {
            throw FormatError("truncated PNG file: it ends before the image data");
        }
        const std::uint32_t length = get_u32(head.data());
        const std::string type(reinterpret_cast<const char*>(head.data() + 4), 4);
        if (length > max_png_length) throw FormatError("PNG chunk '" + type + "' is too long");
        if (first && type != "IHDR") throw FormatError("PNG file does not start with IHDR");
        first = false;
        if (type == "IDAT" || type == "IEND") return text;

        // CRC over type and data, computed piecewise so that skipped chunks need no buffer.
        uLong crc = crc32(0, head.data() + 4, 4);
        const bool keep = type == "tEXt" && length <= max_text_chunk;
        data.clear();
        std::array<std::uint8_t, 4096> piece{};
        for (std::uint32_t done = 0; done < length;) {
            const std::uint32_t size = std::min<std::uint32_t>(length - done, piece.size());
            if (!read_exactly(in, piece.data(), size)) {
                throw FormatError("truncated PNG file: chunk '" + type + "' is cut short");
            }
            crc = crc32(crc, piece.data(), size);
            if (keep) data.insert(data.end(), piece.begin(), piece.begin() + size);
            done += size;
        }
        std::array<std::uint8_t, 4> stored{};
        if (!read_exactly(in, stored.data(), stored.size())) {
            throw FormatError("truncated PNG file: chunk '" + type + "' has no CRC");
        }
        if (get_u32(stored.data()) != static_cast<std::uint32_t>(crc)) {
            throw FormatError("PNG chunk '" + type + "' is corrupt (CRC mismatch)");
        }
        if (!keep) continue;
        const auto nul = std::find(data.begin(), data.end(), std::uint8_t{0});
        if (nul == data.end()) throw FormatError("PNG tEXt chunk without a keyword separator");
        text.push_back({std::string(data.begin(), nul), std::string(nul + 1, data.end())});
    }
}

}  // namespace juliaset::png
