#include <gtest/gtest.h>
#include <zlib.h>

#include <iterator>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include "deflate_runs.hpp"

namespace {

using juliaset::png::deflate_runs;

// zlib's inflate as the independent decoder of a raw deflate stream.
std::vector<std::uint8_t> inflate_raw(const std::vector<std::uint8_t>& compressed,
                                      std::size_t expected_size) {
    z_stream stream{};
    if (inflateInit2(&stream, -15) != Z_OK) throw std::runtime_error("inflateInit2");
    std::vector<std::uint8_t> out(expected_size + 16);
    stream.next_in = const_cast<Bytef*>(compressed.data());
    stream.avail_in = static_cast<uInt>(compressed.size());
    stream.next_out = out.data();
    stream.avail_out = static_cast<uInt>(out.size());
    const int status = inflate(&stream, Z_FINISH);
    out.resize(stream.total_out);
    const bool consumed_all = stream.avail_in == 0;
    inflateEnd(&stream);
    EXPECT_EQ(status, Z_STREAM_END) << (stream.msg ? stream.msg : "");
    EXPECT_TRUE(consumed_all);
    return out;
}

std::vector<std::uint8_t> round_trip(const std::vector<std::uint8_t>& data) {
    std::vector<std::uint8_t> compressed;
    deflate_runs(data, true, compressed);
    return inflate_raw(compressed, data.size());
}

TEST(DeflateRuns, EdgeCasesRoundTrip) {
    const std::vector<std::vector<std::uint8_t>> cases = {
        {},
        {7},
        {0, 0},
        {0, 0, 0},
        {0, 0, 0, 0},
        {1, 2, 3, 4, 5},
        std::vector<std::uint8_t>(258, 9),
        std::vector<std::uint8_t>(259, 9),
        std::vector<std::uint8_t>(260, 9),
        std::vector<std::uint8_t>(261, 9),
        std::vector<std::uint8_t>(1 << 20, 0),
    };
    for (const auto& data : cases) EXPECT_EQ(round_trip(data), data) << data.size() << " bytes";
}

TEST(DeflateRuns, RandomRunsAndNoiseRoundTrip) {
    std::mt19937 rng(11);
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<std::uint8_t> data;
        const int pieces = std::uniform_int_distribution<int>(1, 60)(rng);
        // A few distinct values make skewed codes; noise makes all 256 literals appear.
        const int alphabet = trial % 3 == 0 ? 256 : 1 + trial % 7;
        for (int p = 0; p < pieces; ++p) {
            const auto value = static_cast<std::uint8_t>(rng() % alphabet);
            const std::size_t length = std::uniform_int_distribution<std::size_t>(1, 700)(rng);
            if (rng() % 2 == 0) {
                data.insert(data.end(), length, value);
            } else {
                for (std::size_t i = 0; i < length; ++i) data.push_back(static_cast<std::uint8_t>(rng() % alphabet));
            }
        }
        ASSERT_EQ(round_trip(data), data) << "trial " << trial;
    }
}

TEST(DeflateRuns, SkewedFrequenciesNeedLengthLimitedCodes) {
    // Fibonacci-like frequencies give Huffman depths far beyond 15 without the length limit.
    std::vector<std::uint8_t> data;
    std::uint64_t a = 1, b = 1;
    for (int symbol = 0; symbol < 30; ++symbol) {
        for (std::uint64_t i = 0; i < a; ++i) {
            data.push_back(static_cast<std::uint8_t>(symbol * 7));
            data.push_back(static_cast<std::uint8_t>(255 - symbol));  // break runs up
        }
        const std::uint64_t next = a + b;
        a = b;
        b = next;
        if (data.size() > 3'000'000) break;
    }
    EXPECT_EQ(round_trip(data), data);
}

TEST(DeflateRuns, PiecesConcatenateLikeSyncFlushedStreams) {
    std::mt19937 rng(3);
    std::vector<std::uint8_t> whole, compressed;
    for (int piece = 0; piece < 12; ++piece) {
        std::vector<std::uint8_t> data;
        if (piece % 4 != 3) {  // some pieces are empty
            for (int i = 0; i < 5000; ++i) data.insert(data.end(), rng() % 20, static_cast<std::uint8_t>(rng() % 4));
        }
        const std::size_t before = compressed.size();
        deflate_runs(data, piece == 11, compressed);
        if (piece != 11) {  // a sync-flush marker ends every non-final piece
            ASSERT_GE(compressed.size() - before, 4u);
            EXPECT_EQ(compressed[compressed.size() - 4], 0x00);
            EXPECT_EQ(compressed[compressed.size() - 1], 0xFF);
        }
        whole.insert(whole.end(), data.begin(), data.end());
    }
    EXPECT_EQ(inflate_raw(compressed, whole.size()), whole);
}

TEST(DeflateRuns, RunsAtEveryOffsetOfA64ByteBlockRoundTrip) {
    // The encoder finds runs 64 bytes at a time and handles the last bytes apart, so put runs
    // of every kind at every offset in and around a block, in inputs of every size near it.
    const std::size_t run_lengths[] = {1, 2, 3, 4, 5, 8, 63, 64, 65, 66, 129, 258, 259, 260, 261, 262, 517};
    for (std::size_t offset = 0; offset < 140; ++offset) {
        for (const std::size_t run : run_lengths) {
            std::vector<std::uint8_t> data;
            for (std::size_t i = 0; i < offset; ++i) data.push_back(static_cast<std::uint8_t>(i * 37 + 1));
            data.insert(data.end(), run, offset % 2 == 0 ? 0 : 200);
            for (std::size_t i = 0; i < offset % 9; ++i) data.push_back(static_cast<std::uint8_t>(i * 11 + 3));
            ASSERT_EQ(round_trip(data), data) << "offset " << offset << ", run " << run;
        }
    }
    for (std::size_t size = 0; size < 300; ++size) {
        std::vector<std::uint8_t> zeros(size, 0), pairs(size);
        for (std::size_t i = 0; i < size; ++i) pairs[i] = static_cast<std::uint8_t>(i / 4 % 2);  // runs of 4
        ASSERT_EQ(round_trip(zeros), zeros) << size << " zeros";
        ASSERT_EQ(round_trip(pairs), pairs) << size << " bytes of runs of 4";
    }
}

// The encoder's output is part of the PNG files the CLI writes: speeding it up must not change
// a byte. This pins the encoding of a mixed input (runs of every length, noise, uneven pieces)
// to the one the first version produced.
TEST(DeflateRuns, OutputMatchesTheFirstVersionsBytes) {
    std::mt19937 rng(2024);  // raw outputs only: std::mt19937's are the same everywhere
    std::vector<std::uint8_t> data;
    while (data.size() < 300'000) {
        const std::uint32_t r = rng();
        const auto value = static_cast<std::uint8_t>(r % 4 == 0 ? r >> 24 : r % 3);
        const std::size_t length = (r >> 8) % 8 == 0 ? 1 + (r >> 11) % 1200 : 1 + (r >> 11) % 9;
        if ((r >> 4) % 3 == 0) {
            for (std::size_t i = 0; i < length; ++i) data.push_back(static_cast<std::uint8_t>(rng() % 7));
        } else {
            data.insert(data.end(), length, value);
        }
    }
    std::vector<std::uint8_t> compressed;
    const std::size_t cuts[] = {0, 1, 5, 70, 64 * 1000 + 17, 200'000, data.size()};
    for (std::size_t k = 0; k + 1 < std::size(cuts); ++k) {
        deflate_runs(std::span(data).subspan(cuts[k], cuts[k + 1] - cuts[k]), k + 2 == std::size(cuts), compressed);
    }
    std::uint64_t fnv1a = 14695981039346656037ull;
    for (const std::uint8_t byte : compressed) fnv1a = (fnv1a ^ byte) * 1099511628211ull;
    EXPECT_EQ(data.size(), 300162u);
    EXPECT_EQ(compressed.size(), 44467u);
    EXPECT_EQ(fnv1a, 0x42a76370d69ab22bull);
    EXPECT_EQ(inflate_raw(compressed, data.size()), data);
}

TEST(DeflateRuns, CompressesRunsWell) {
    std::vector<std::uint8_t> data(1 << 20, 0);
    for (std::size_t i = 0; i < data.size(); i += 4096) data[i] = 1;
    std::vector<std::uint8_t> compressed;
    deflate_runs(data, true, compressed);
    EXPECT_LT(compressed.size(), data.size() / 100);
}

}  // namespace
