// Deflate with distance-1 matches only, one dynamic-Huffman block per call.
//
// After the PNG Up filter an escape-time image is mostly runs of zero bytes (84 % of the
// headline image's bytes), which distance-1 matches capture; zlib's Z_RLE strategy makes the
// same choice but runs it through its general block machinery. Here a run is found eight bytes
// at a time and the whole call is one block with codes fitted to it.
#include "deflate_runs.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <memory>

namespace juliaset::png {

namespace {

constexpr int kLiteralLengthSymbols = 286;  // 0-255 literals, 256 end of block, 257-285 lengths
constexpr int kEndOfBlock = 256;
constexpr int kMaxCodeLength = 15;
constexpr int kMaxCodeLengthCodeLength = 7;
constexpr std::size_t kMinMatch = 3;
constexpr std::size_t kMaxMatch = 258;

// Length symbols (RFC 1951, 3.2.5): base lengths and extra bits of symbols 257..285.
constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,  7,  8,  9,  10, 11, 13,
                                                       15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                                       67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1,
                                                       1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                                       4, 4, 4, 4, 5, 5, 5, 5, 0};

// Symbol index (0..28) of every match length 3..258.
constexpr std::array<std::uint8_t, kMaxMatch + 1> make_length_symbols() {
    std::array<std::uint8_t, kMaxMatch + 1> table{};
    for (std::size_t symbol = 0; symbol < kLengthBase.size(); ++symbol) {
        const std::size_t first = kLengthBase[symbol];
        const std::size_t last =
            symbol + 1 < kLengthBase.size() ? std::size_t{kLengthBase[symbol + 1]} - 1 : kMaxMatch;
        for (std::size_t length = first; length <= last && length <= kMaxMatch; ++length) {
            table[length] = static_cast<std::uint8_t>(symbol);
        }
    }
    return table;
}
constexpr auto kLengthSymbol = make_length_symbols();

// Order in which code-length code lengths are sent (RFC 1951, 3.2.7).
constexpr std::array<std::uint8_t, 19> kCodeLengthOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                           11, 4,  12, 3, 13, 2, 14, 1, 15};

// Writes an LSB-first bit stream into a buffer sized up front (no bound checks in put()).
class BitWriter {
public:
    explicit BitWriter(std::size_t capacity) : buffer_(new std::uint8_t[capacity + 8]) {}

    void put(std::uint32_t bits, int count) {
        pending_ |= static_cast<std::uint64_t>(bits) << filled_;
        filled_ += count;
        if (filled_ >= 32) {
            const auto word = static_cast<std::uint32_t>(pending_);
            std::uint8_t* at = buffer_.get() + size_;
            for (int i = 0; i < 4; ++i) at[i] = static_cast<std::uint8_t>(word >> (8 * i));
            size_ += 4;
            pending_ >>= 32;
            filled_ -= 32;
        }
    }
    /// Pads with zero bits to a byte boundary and flushes what is pending.
    void align() {
        while (filled_ > 0) {
            buffer_[size_++] = static_cast<std::uint8_t>(pending_);
            pending_ >>= 8;
            filled_ = std::max(filled_ - 8, 0);
        }
        pending_ = 0;
    }
    /// Appends the whole bytes written so far (call align() first) to `out`.
    void append_to(std::vector<std::uint8_t>& out) const {
        out.insert(out.end(), buffer_.get(), buffer_.get() + size_);
    }

private:
    std::unique_ptr<std::uint8_t[]> buffer_;  // not zero-filled: every byte is written first
    std::size_t size_ = 0;
    std::uint64_t pending_ = 0;
    int filled_ = 0;
};

// Deflate sends Huffman codes starting with their most significant bit into an LSB-first
// stream, so codes are stored bit-reversed.
std::uint32_t reverse_bits(std::uint32_t code, int length) {
    std::uint32_t reversed = 0;
    for (int i = 0; i < length; ++i) reversed |= ((code >> i) & 1u) << (length - 1 - i);
    return reversed;
}

// Code lengths of a Huffman code for `frequencies`, none above `limit`. Symbols with zero
// frequency get length 0. A single used symbol gets length 1.
std::vector<std::uint8_t> code_lengths(std::span<const std::uint32_t> frequencies, int limit) {
    const std::size_t n = frequencies.size();
    std::vector<std::uint8_t> lengths(n, 0);
    std::vector<std::size_t> used;
    for (std::size_t s = 0; s < n; ++s) {
        if (frequencies[s] != 0) used.push_back(s);
    }
    if (used.empty()) return lengths;
    if (used.size() == 1) {
        lengths[used[0]] = 1;
        return lengths;
    }
    // Huffman's construction on (frequency, node) pairs sorted once: two queues, leaves and
    // merged nodes, each already in increasing order.
    std::sort(used.begin(), used.end(), [&](std::size_t a, std::size_t b) {
        return frequencies[a] != frequencies[b] ? frequencies[a] < frequencies[b] : a < b;
    });
    const std::size_t leaves = used.size();
    std::vector<std::uint64_t> weight(2 * leaves - 1);
    std::vector<std::size_t> parent(2 * leaves - 1, 0);
    for (std::size_t i = 0; i < leaves; ++i) weight[i] = frequencies[used[i]];
    std::size_t next_leaf = 0, next_node = leaves, merged_end = leaves;
    const auto take = [&]() {
        if (next_leaf < leaves && (next_node >= merged_end || weight[next_leaf] <= weight[next_node])) {
            return next_leaf++;
        }
        return next_node++;
    };
    for (; merged_end < 2 * leaves - 1; ++merged_end) {
        const std::size_t a = take();
        const std::size_t b = take();
        weight[merged_end] = weight[a] + weight[b];
        parent[a] = parent[b] = merged_end;
    }
    // Depths from the root (the last node) down.
    std::vector<int> depth(2 * leaves - 1, 0);
    for (std::size_t i = 2 * leaves - 1; i-- > 0;) {
        if (i != 2 * leaves - 2) depth[i] = depth[parent[i]] + 1;
    }
    // Limit lengths (JPEG Annex K.3 style): count codes per length, fold the overlong ones to
    // `limit`, then restore the Kraft equality by lengthening codes just below the limit.
    std::vector<std::size_t> per_length(static_cast<std::size_t>(std::max(limit, 2 * static_cast<int>(leaves))) + 1, 0);
    for (std::size_t i = 0; i < leaves; ++i) ++per_length[static_cast<std::size_t>(depth[i])];
    for (std::size_t length = per_length.size() - 1; length > static_cast<std::size_t>(limit); --length) {
        per_length[static_cast<std::size_t>(limit)] += per_length[length];
        per_length[length] = 0;
    }
    std::uint64_t kraft = 0;  // in units of 2^-limit
    for (int length = 1; length <= limit; ++length) {
        kraft += static_cast<std::uint64_t>(per_length[static_cast<std::size_t>(length)]) << (limit - length);
    }
    while (kraft > (std::uint64_t{1} << limit)) {
        // Move one code from the limit up: take a shorter code, split it into two one longer.
        --per_length[static_cast<std::size_t>(limit)];
        for (int length = limit - 1; length > 0; --length) {
            if (per_length[static_cast<std::size_t>(length)] != 0) {
                --per_length[static_cast<std::size_t>(length)];
                per_length[static_cast<std::size_t>(length) + 1] += 2;
                break;
            }
        }
        kraft -= 1;
    }
    // Shortest lengths to the most frequent symbols (used[] is in increasing frequency).
    std::size_t symbol_index = leaves;
    for (int length = 1; length <= limit; ++length) {
        for (std::size_t count = per_length[static_cast<std::size_t>(length)]; count > 0; --count) {
            lengths[used[--symbol_index]] = static_cast<std::uint8_t>(length);
        }
    }
    return lengths;
}

// Canonical codes (RFC 1951, 3.2.2), already bit-reversed for the writer.
std::vector<std::uint32_t> canonical_codes(std::span<const std::uint8_t> lengths) {
    std::array<std::uint32_t, kMaxCodeLength + 2> count{};
    for (const std::uint8_t length : lengths) ++count[length];
    count[0] = 0;
    std::array<std::uint32_t, kMaxCodeLength + 2> next{};
    std::uint32_t code = 0;
    for (int bits = 1; bits <= kMaxCodeLength; ++bits) {
        code = (code + count[static_cast<std::size_t>(bits) - 1]) << 1;
        next[static_cast<std::size_t>(bits)] = code;
    }
    std::vector<std::uint32_t> codes(lengths.size(), 0);
    for (std::size_t s = 0; s < lengths.size(); ++s) {
        if (lengths[s] != 0) codes[s] = reverse_bits(next[lengths[s]]++, lengths[s]);
    }
    return codes;
}

// One token: a literal byte (< 256) or a match of `value - 256` bytes at distance 1.
using Token = std::uint16_t;

// How many bytes from `p` on repeat `byte`: eight at a time, then one by one.
std::size_t run_length(const std::uint8_t* p, const std::uint8_t* end, std::uint8_t byte) {
    const std::uint8_t* q = p;
    const std::uint64_t pattern = 0x0101010101010101ull * byte;
    while (end - q >= 8) {
        std::uint64_t word;
        std::memcpy(&word, q, 8);
        const std::uint64_t differ = word ^ pattern;
        if (differ != 0) {
            // Byte order of the load: the first differing byte is the lowest on little-endian
            // machines, the highest on big-endian ones.
            const int first = std::endian::native == std::endian::little ? std::countr_zero(differ)
                                                                         : std::countl_zero(differ);
            return static_cast<std::size_t>(q - p) + static_cast<std::size_t>(first / 8);
        }
        q += 8;
    }
    while (q < end && *q == byte) ++q;
    return static_cast<std::size_t>(q - p);
}

// Splits `data` into literals and distance-1 runs. A run of n >= 4 equal bytes becomes one
// literal and matches covering the other n - 1 bytes.
void tokenize(std::span<const std::uint8_t> data, std::vector<Token>& tokens,
              std::array<std::uint32_t, kLiteralLengthSymbols>& frequencies) {
    const std::uint8_t* p = data.data();
    const std::uint8_t* const end = p + data.size();
    while (p < end) {
        const std::uint8_t byte = *p++;
        tokens.push_back(byte);
        ++frequencies[byte];
        std::size_t run = run_length(p, end, byte);
        if (run < kMinMatch) continue;  // short repeats stay literals
        p += run;
        while (run != 0) {
            // Never leave a tail shorter than a match: 260 = 257 + 3, not 258 + 2.
            std::size_t piece = std::min(run, kMaxMatch);
            if (run != piece && run - piece < kMinMatch) piece = run - kMinMatch;
            tokens.push_back(static_cast<Token>(256 + piece));
            ++frequencies[257 + kLengthSymbol[piece]];
            run -= piece;
        }
    }
}

// Run-length encodes code lengths with symbols 16 (repeat previous 3-6), 17 (3-10 zeros) and
// 18 (11-138 zeros). Each entry is (symbol, extra value).
std::vector<std::pair<std::uint8_t, std::uint8_t>> encode_lengths(std::span<const std::uint8_t> lengths) {
    std::vector<std::pair<std::uint8_t, std::uint8_t>> out;
    for (std::size_t i = 0; i < lengths.size();) {
        const std::uint8_t length = lengths[i];
        std::size_t run = 1;
        while (i + run < lengths.size() && lengths[i + run] == length) ++run;
        i += run;
        if (length == 0) {
            while (run >= 11) {
                const std::size_t piece = std::min<std::size_t>(run, 138);
                out.emplace_back(18, static_cast<std::uint8_t>(piece - 11));
                run -= piece;
            }
            if (run >= 3) {
                out.emplace_back(17, static_cast<std::uint8_t>(run - 3));
                run = 0;
            }
        } else {
            out.emplace_back(length, 0);
            --run;
            while (run >= 3) {
                const std::size_t piece = std::min<std::size_t>(run, 6);
                out.emplace_back(16, static_cast<std::uint8_t>(piece - 3));
                run -= piece;
            }
        }
        for (; run > 0; --run) out.emplace_back(length, 0);
    }
    return out;
}

void write_block(std::span<const Token> tokens,
                 const std::array<std::uint32_t, kLiteralLengthSymbols>& frequencies, bool final,
                 BitWriter& bits) {
    const std::vector<std::uint8_t> lit_lengths = code_lengths(frequencies, kMaxCodeLength);
    const std::vector<std::uint32_t> lit_codes = canonical_codes(lit_lengths);
    // One distance code (distance 1). A lone code is sent with one bit (RFC 1951, 3.2.7).
    const std::array<std::uint8_t, 1> dist_lengths = {1};

    std::size_t hlit = kLiteralLengthSymbols;
    while (hlit > 257 && lit_lengths[hlit - 1] == 0) --hlit;
    std::vector<std::uint8_t> all_lengths(lit_lengths.begin(), lit_lengths.begin() + static_cast<std::ptrdiff_t>(hlit));
    all_lengths.insert(all_lengths.end(), dist_lengths.begin(), dist_lengths.end());
    const auto encoded = encode_lengths(all_lengths);
    std::array<std::uint32_t, 19> cl_frequencies{};
    for (const auto& [symbol, extra] : encoded) ++cl_frequencies[symbol];
    // inflate rejects an incomplete code-length code, which a lone used symbol would make.
    if (std::count(cl_frequencies.begin(), cl_frequencies.end(), 0u) == 18) {
        ++cl_frequencies[cl_frequencies[0] == 0 ? 0 : 1];
    }
    const std::vector<std::uint8_t> cl_lengths = code_lengths(cl_frequencies, kMaxCodeLengthCodeLength);
    const std::vector<std::uint32_t> cl_codes = canonical_codes(cl_lengths);
    std::size_t hclen = 19;
    while (hclen > 4 && cl_lengths[kCodeLengthOrder[hclen - 1]] == 0) --hclen;

    bits.put(final ? 1 : 0, 1);
    bits.put(2, 2);  // dynamic Huffman codes
    bits.put(static_cast<std::uint32_t>(hlit - 257), 5);
    bits.put(0, 5);  // HDIST: one distance code
    bits.put(static_cast<std::uint32_t>(hclen - 4), 4);
    for (std::size_t i = 0; i < hclen; ++i) bits.put(cl_lengths[kCodeLengthOrder[i]], 3);
    for (const auto& [symbol, extra] : encoded) {
        bits.put(cl_codes[symbol], cl_lengths[symbol]);
        if (symbol == 16) bits.put(extra, 2);
        if (symbol == 17) bits.put(extra, 3);
        if (symbol == 18) bits.put(extra, 7);
    }
    for (const Token token : tokens) {
        if (token < 256) {
            bits.put(lit_codes[token], lit_lengths[token]);
            continue;
        }
        const std::size_t length = token - 256u;
        const std::size_t symbol = kLengthSymbol[length];
        bits.put(lit_codes[257 + symbol], lit_lengths[257 + symbol]);
        if (kLengthExtra[symbol] != 0) {
            bits.put(static_cast<std::uint32_t>(length - kLengthBase[symbol]), kLengthExtra[symbol]);
        }
        bits.put(0, 1);  // distance code 0 (distance 1), whose one-bit code is 0
    }
    bits.put(lit_codes[kEndOfBlock], lit_lengths[kEndOfBlock]);
}

}  // namespace

void deflate_runs(std::span<const std::uint8_t> data, bool final, std::vector<std::uint8_t>& out) {
    std::vector<Token> tokens;
    std::array<std::uint32_t, kLiteralLengthSymbols> frequencies{};
    if (!data.empty()) {
        tokens.reserve(data.size() / 8 + 64);
        frequencies[kEndOfBlock] = 1;
        tokenize(data, tokens, frequencies);
    }
    // Worst case: a block header (< 300 bytes), 21 bits per token, the end code, a marker.
    BitWriter bits(320 + tokens.size() * 3);
    if (!tokens.empty()) {
        write_block(tokens, frequencies, final, bits);
    } else if (final) {
        bits.put(1, 1);  // a final block with fixed codes holding only the end-of-block code
        bits.put(1, 2);
        bits.put(0, 7);
    }
    if (!final) {
        // Sync-flush marker: an empty, non-final stored block ends on a byte boundary.
        bits.put(0, 3);
        bits.align();
        for (int i = 0; i < 2; ++i) bits.put(0x00, 8);
        for (int i = 0; i < 2; ++i) bits.put(0xFF, 8);
    }
    bits.align();
    bits.append_to(out);
}

}  // namespace juliaset::png
