// libdeflate's streams made joinable: pieces compressed separately and concatenated inflate
// (with zlib's own inflate) to the concatenated input, for every level and block type.
#include "deflate_join.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes inflate_raw(const Bytes& stream, std::size_t expected_size) {
    z_stream z{};
    EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
    Bytes out(expected_size + 16);
    z.next_in = const_cast<Bytef*>(stream.data());
    z.avail_in = static_cast<uInt>(stream.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&z, Z_FINISH);
    EXPECT_EQ(status, Z_STREAM_END) << "inflate stopped early";
    EXPECT_EQ(z.avail_in, 0u) << "bytes left after the final block";
    out.resize(z.total_out);
    inflateEnd(&z);
    return out;
}

// Colour-like data: runs of repeated RGB triplets from a small palette, with some noise.
Bytes colour_rows(std::size_t size, std::mt19937& random) {
    Bytes data;
    while (data.size() < size) {
        const std::uint8_t r = static_cast<std::uint8_t>(random() % 8 * 30);
        const std::size_t run = 1 + random() % 40;
        for (std::size_t i = 0; i < run && data.size() < size; ++i) {
            data.push_back(r);
            data.push_back(static_cast<std::uint8_t>(r / 2));
            data.push_back(random() % 16 == 0 ? static_cast<std::uint8_t>(random()) : 200);
        }
    }
    data.resize(size);
    return data;
}

TEST(DeflateJoin, PiecesFromEveryLevelConcatenateIntoOneStream) {
    std::mt19937 random(7);
    for (int level = 1; level <= 12; ++level) {
        for (const std::size_t size : {0UL, 1UL, 1000UL, 70000UL, 400000UL}) {
            const Bytes data = level % 2 == 0 ? colour_rows(size, random) : [&] {
                Bytes noise(size);
                for (auto& b : noise) b = static_cast<std::uint8_t>(random() % 7 == 0 ? random() : 0);
                return noise;
            }();
            // Up to four pieces of varied sizes, the last one final.
            Bytes stream;
            std::size_t first = 0;
            for (int piece = 0; piece < 4; ++piece) {
                const bool last = piece == 3;
                const std::size_t count = last ? size - first : (size - first) / (2 + random() % 3);
                juliaset::png::deflate_libdeflate(std::span(data).subspan(first, count), level,
                                                  last, stream);
                first += count;
            }
            EXPECT_EQ(inflate_raw(stream, size), data) << "level " << level << " size " << size;
        }
    }
}

TEST(DeflateJoin, StoredAndFixedBlocksFromZlibAreWalkedToo) {
    std::mt19937 random(11);
    const Bytes data = colour_rows(50000, random);
    for (const int strategy : {Z_FIXED, Z_DEFAULT_STRATEGY, Z_HUFFMAN_ONLY}) {
        for (const int level : {0, 1, 9}) {
            Bytes stream;
            for (int piece = 0; piece < 2; ++piece) {
                z_stream z{};
                ASSERT_EQ(deflateInit2(&z, level, Z_DEFLATED, -15, 8, strategy), Z_OK);
                const std::size_t start = stream.size();
                stream.resize(start + deflateBound(&z, data.size()));
                z.next_in = const_cast<Bytef*>(data.data());
                z.avail_in = static_cast<uInt>(data.size());
                z.next_out = stream.data() + start;
                z.avail_out = static_cast<uInt>(stream.size() - start);
                ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
                stream.resize(start + z.total_out);
                deflateEnd(&z);
                if (piece == 0) juliaset::png::end_with_sync_flush(stream, start);
            }
            Bytes twice = data;
            twice.insert(twice.end(), data.begin(), data.end());
            EXPECT_EQ(inflate_raw(stream, twice.size()), twice)
                << "strategy " << strategy << " level " << level;
        }
    }
}

TEST(DeflateJoin, AStreamCutShortIsAnError) {
    std::mt19937 random(3);
    const Bytes data = colour_rows(100000, random);
    Bytes stream;
    juliaset::png::deflate_libdeflate(data, 6, true, stream);
    stream.resize(stream.size() / 2);
    EXPECT_THROW(juliaset::png::end_with_sync_flush(stream, 0), std::invalid_argument);
}

}  // namespace
