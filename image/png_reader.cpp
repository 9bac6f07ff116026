// Walks PNG chunks up to the image data and collects the tEXt ones.
#include "png_reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>

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

/// Where find_text_chunk's bytes come from: a buffer or a stream.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    /// Reads exactly `count` bytes into `out`; false when the input ends first.
    [[nodiscard]] virtual bool read(std::uint8_t* out, std::size_t count) = 0;
    /// Passes over `count` bytes without keeping them; false when the input ends first (a
    /// seekable stream may only notice at its next read).
    [[nodiscard]] virtual bool skip(std::uint64_t count) = 0;
};

class SpanSource final : public ByteSource {
public:
    explicit SpanSource(std::span<const std::uint8_t> bytes) : rest_(bytes) {}

    bool read(std::uint8_t* out, std::size_t count) override {
        if (count > rest_.size()) return false;
        std::copy_n(rest_.begin(), count, out);
        rest_ = rest_.subspan(count);
        return true;
    }

    bool skip(std::uint64_t count) override {
        if (count > rest_.size()) return false;
        rest_ = rest_.subspan(static_cast<std::size_t>(count));
        return true;
    }

private:
    std::span<const std::uint8_t> rest_;
};

class StreamSource final : public ByteSource {
public:
    explicit StreamSource(std::istream& in) : in_(in), seekable_(in.tellg() != std::streampos(-1)) {}

    bool read(std::uint8_t* out, std::size_t count) override { return read_exactly(in_, out, count); }

    bool skip(std::uint64_t count) override {
        if (seekable_) {
            // Seeking past the end succeeds; the next read then reports the truncation.
            return static_cast<bool>(in_.seekg(static_cast<std::streamoff>(count), std::ios::cur));
        }
        constexpr auto most = static_cast<std::uint64_t>(std::numeric_limits<std::streamsize>::max());
        while (count > 0) {
            const auto piece = static_cast<std::streamsize>(std::min(count, most));
            in_.ignore(piece);
            if (in_.gcount() != piece) return false;
            count -= static_cast<std::uint64_t>(piece);
        }
        return true;
    }

private:
    std::istream& in_;
    bool seekable_;
};

bool is_text_type(std::string_view type) noexcept {
    return type == "tEXt" || type == "zTXt" || type == "iTXt";
}

/// Latin-1 (tEXt, zTXt) as UTF-8.
std::string latin1_to_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte < 0x80) {
            out.push_back(ch);
        } else {
            out.push_back(static_cast<char>(0xC0 | (byte >> 6)));
            out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
        }
    }
    return out;
}

/// A zlib stream inflated, refusing to produce more than `max_bytes`.
std::string inflate_capped(std::span<const std::uint8_t> compressed, std::string_view what,
                           std::size_t max_bytes) {
    z_stream stream{};
    if (inflateInit(&stream) != Z_OK) throw FormatError("cannot start zlib to read " + std::string(what));
    std::string out;
    std::array<std::uint8_t, 16384> piece{};
    stream.next_in = const_cast<Bytef*>(compressed.data());  // zlib's API is not const-correct
    stream.avail_in = static_cast<uInt>(compressed.size());
    int status = Z_OK;
    while (status == Z_OK) {
        stream.next_out = piece.data();
        stream.avail_out = static_cast<uInt>(piece.size());
        status = inflate(&stream, Z_NO_FLUSH);
        const std::size_t produced = piece.size() - stream.avail_out;
        if (out.size() + produced > max_bytes) {
            inflateEnd(&stream);
            throw TooLargeError(std::string(what) + " inflates to more than " +
                                std::to_string(max_bytes) + " bytes, the limit");
        }
        out.append(reinterpret_cast<const char*>(piece.data()), produced);
        if (status == Z_BUF_ERROR && stream.avail_in == 0) break;  // input ended early
    }
    inflateEnd(&stream);
    if (status != Z_STREAM_END) throw FormatError(std::string(what) + " holds corrupt compressed text");
    return out;
}

/// The text of a whole text chunk (`data` starts with its keyword and NUL), as UTF-8.
std::string decode_text_chunk(std::string_view type, std::span<const std::uint8_t> data,
                              std::size_t keyword_size, std::size_t max_bytes) {
    const std::string what = "PNG " + std::string(type) + " chunk '" +
                             std::string(reinterpret_cast<const char*>(data.data()), keyword_size) +
                             "'";
    std::span<const std::uint8_t> rest = data.subspan(keyword_size + 1);
    const auto as_text = [](std::span<const std::uint8_t> bytes) {
        return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    };
    if (type == "tEXt") return latin1_to_utf8(as_text(rest));
    if (type == "zTXt") {
        if (rest.empty() || rest[0] != 0) throw FormatError(what + " has an unknown compression method");
        return latin1_to_utf8(inflate_capped(rest.subspan(1), what, max_bytes));
    }
    // iTXt: compression flag, method, language tag NUL, translated keyword NUL, UTF-8 text.
    if (rest.size() < 2) throw FormatError(what + " is cut short");
    const std::uint8_t compressed = rest[0];
    const std::uint8_t method = rest[1];
    rest = rest.subspan(2);
    for (int field = 0; field < 2; ++field) {
        const auto nul = std::find(rest.begin(), rest.end(), std::uint8_t{0});
        if (nul == rest.end()) throw FormatError(what + " is cut short");
        rest = rest.subspan(static_cast<std::size_t>(nul - rest.begin()) + 1);
    }
    if (compressed == 0) return std::string(as_text(rest));
    if (compressed != 1 || method != 0) throw FormatError(what + " has an unknown compression method");
    return inflate_capped(rest, what, max_bytes);
}

std::optional<std::string> find_text(ByteSource& source, std::string_view keyword,
                                     std::size_t max_bytes) {
    std::array<std::uint8_t, 8> head{};
    if (!source.read(head.data(), head.size()) || head != signature) {
        throw FormatError("not a PNG file (no PNG signature)");
    }
    bool first = true;
    // A keyword has 1 to 79 bytes, then a NUL.
    constexpr std::size_t keyword_field = 80;
    std::vector<std::uint8_t> data;
    for (;;) {
        if (!source.read(head.data(), head.size())) {
            throw FormatError("truncated PNG file: it ends before its IEND chunk");
        }
        const std::uint32_t length = get_u32(head.data());
        const std::string type(reinterpret_cast<const char*>(head.data() + 4), 4);
        if (length > max_png_length) throw FormatError("PNG chunk '" + type + "' is too long");
        if (first && type != "IHDR") throw FormatError("PNG file does not start with IHDR");
        first = false;
        if (type == "IEND") return std::nullopt;
        const auto cut_short = [&type] {
            return FormatError("truncated PNG file: chunk '" + type + "' is cut short");
        };
        if (!is_text_type(type)) {
            if (!source.skip(std::uint64_t{length} + 4)) throw cut_short();
            continue;
        }
        // The keyword alone decides whether the rest is read.
        const std::size_t prefix = std::min<std::size_t>(length, keyword_field);
        data.resize(prefix);
        if (!source.read(data.data(), prefix)) throw cut_short();
        const auto nul = std::find(data.begin(), data.end(), std::uint8_t{0});
        const std::size_t keyword_size = static_cast<std::size_t>(nul - data.begin());
        const bool wanted =
            nul != data.end() &&
            std::string_view(reinterpret_cast<const char*>(data.data()), keyword_size) == keyword;
        if (!wanted) {
            if (!source.skip(std::uint64_t{length} - prefix + 4)) throw cut_short();
            continue;
        }
        if (length > max_bytes) {
            throw TooLargeError("PNG " + type + " chunk '" + std::string(keyword) + "' holds " +
                                std::to_string(length) + " bytes, above the limit of " +
                                std::to_string(max_bytes));
        }
        data.resize(length);
        if (!source.read(data.data() + prefix, length - prefix)) throw cut_short();
        std::array<std::uint8_t, 4> stored{};
        if (!source.read(stored.data(), stored.size())) throw cut_short();
        uLong crc = crc32(0, head.data() + 4, 4);
        crc = crc32(crc, data.data(), static_cast<uInt>(data.size()));
        if (get_u32(stored.data()) != static_cast<std::uint32_t>(crc)) {
            throw FormatError("PNG chunk '" + type + "' is corrupt (CRC mismatch)");
        }
        return decode_text_chunk(type, data, keyword_size, max_bytes);
    }
}

}  // namespace

std::optional<std::string> find_text_chunk(std::span<const std::uint8_t> png,
                                           std::string_view keyword, std::size_t max_bytes) {
    SpanSource source(png);
    return find_text(source, keyword, max_bytes);
}

std::optional<std::string> find_text_chunk(std::istream& in, std::string_view keyword,
                                           std::size_t max_bytes) {
    StreamSource source(in);
    return find_text(source, keyword, max_bytes);
}

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
