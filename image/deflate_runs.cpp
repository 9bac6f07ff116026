// Deflate with distance-1 matches only, one dynamic-Huffman block per call.
//
// After the PNG Up filter an escape-time image is mostly runs of zero bytes (84 % of the
// headline image's bytes), which distance-1 matches capture; zlib's Z_RLE strategy makes the
// same choice but runs it through its general block machinery. Here runs are found 64 bytes at
// a time with bit masks (Tokenizer) and the whole call is one block with codes fitted to it.
//
// Speed on the headline image (16.0 MB filtered, 3.0 M literal and 0.31 M match tokens, 63
// calls of 64 rows, one core of the 2-core development VM): 27-29 ms for the first version,
// which jumped from run to run with a loop per run and sent tokens field by field; 11 ms now,
// with the same output bytes. What mattered: tokens whose positions do not wait on loads,
// literals stored sixteen at a time, each token's bits from one table lookup and four tokens
// per bit-writer put, and the bit writer's state in registers.
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

// Eight bytes as a word whose byte k is p[k] (little-endian order) on any machine; on
// little-endian ones this is one unaligned load.
std::uint64_t load_little_endian(const std::uint8_t* p) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    if constexpr (std::endian::native == std::endian::big) {
        word = 0;
        for (int i = 7; i >= 0; --i) word = (word << 8) | p[i];
    }
    return word;
}

// Writes an LSB-first bit stream into a buffer the caller sized (no bound checks in put()).
// put() has no branch: it stores all pending bits as one eight-byte word and moves on by the
// whole bytes among them, so at most 7 bits stay pending. The word's upper bytes land past the
// end and are overwritten by the next store; the buffer needs eight bytes of slack for them.
// A small value type, so that a hot loop can keep its copy in registers: stores through an
// std::uint8_t* may alias anything, including a BitWriter the compiler cannot see all of.
class BitWriter {
public:
    explicit BitWriter(std::uint8_t* buffer) : next_(buffer) {}

    /// Appends the low `count` bits of `bits`; `count` <= 56, and `bits` has no higher bits set.
    void put(std::uint64_t bits, unsigned count) {
        pending_ |= bits << filled_;
        filled_ += count;
        if constexpr (std::endian::native == std::endian::little) {
            std::memcpy(next_, &pending_, 8);
        } else {
            for (int i = 0; i < 8; ++i) next_[i] = static_cast<std::uint8_t>(pending_ >> (8 * i));
        }
        next_ += filled_ / 8;
        pending_ >>= filled_ & ~7u;  // the whole bytes; filled_ < 64, so never a shift by 64
        filled_ &= 7;
    }
    /// Pads with zero bits to a byte boundary (put() has already stored the partial byte).
    void align() {
        if (filled_ > 0) ++next_;
        pending_ = 0;
        filled_ = 0;
    }
    /// One past the last byte written (after align(), the end of the stream).
    std::uint8_t* end() const { return next_; }

private:
    std::uint8_t* next_;        // the byte that receives the pending bits
    std::uint64_t pending_ = 0;  // bits not yet in a whole byte, first bit lowest
    unsigned filled_ = 0;        // how many: 0..7 between calls
};

// Deflate sends Huffman codes starting with their most significant bit into an LSB-first
// stream, so codes are stored bit-reversed.
std::uint32_t reverse_bits(std::uint32_t code, int length) {
    // Reverse all 16 bits (swap halves of ever smaller pieces), then drop the unused low ones.
    code = (code & 0x00FFu) << 8 | (code & 0xFF00u) >> 8;
    code = (code & 0x0F0Fu) << 4 | (code & 0xF0F0u) >> 4;
    code = (code & 0x3333u) << 2 | (code & 0xCCCCu) >> 2;
    code = (code & 0x5555u) << 1 | (code & 0xAAAAu) >> 1;
    return code >> (16 - length);
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
    // merged nodes, each already in increasing order. (Sorted as keys that hold the frequency
    // above the symbol: the same order, by plain integer comparisons.)
    std::vector<std::uint64_t> keys(used.size());
    for (std::size_t i = 0; i < used.size(); ++i) keys[i] = std::uint64_t{frequencies[used[i]]} << 32 | used[i];
    std::sort(keys.begin(), keys.end());
    for (std::size_t i = 0; i < used.size(); ++i) used[i] = static_cast<std::size_t>(keys[i] & 0xFFFFFFFFu);
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
constexpr std::size_t kTokenValues = 256 + kMaxMatch + 1;

// Writes bytes[0..15] as sixteen literal tokens. Through local arrays, so that compilers see
// no aliasing and make it two vector stores.
void copy_literals16(const std::uint8_t* bytes, Token* out) {
    std::array<std::uint8_t, 16> narrow;
    std::memcpy(narrow.data(), bytes, sizeof narrow);
    std::array<Token, 16> wide;
    for (std::size_t i = 0; i < 16; ++i) wide[i] = narrow[i];
    std::memcpy(out, wide.data(), sizeof wide);
}

// Appends the matches that cover a run of `run` (>= kMinMatch) repeats of the byte before it.
Token* append_run(std::size_t run, Token* next) {
    while (run != 0) {
        // Never leave a tail shorter than a match: 260 = 257 + 3, not 258 + 2.
        std::size_t piece = std::min(run, kMaxMatch);
        if (run != piece && run - piece < kMinMatch) piece = run - kMinMatch;
        *next++ = static_cast<Token>(256 + piece);
        run -= piece;
    }
    return next;
}

// Bit j of the result is set where block[j] repeats the byte before it; reads block[-1..63].
std::uint64_t repeat_mask(const std::uint8_t* block) {
    // One 0-or-1 byte per comparison: a loop compilers vectorise. (The stores line up with the
    // eight-byte loads below, which then take their bytes straight from the stores.)
    alignas(16) std::array<std::uint8_t, 64> repeats;
    for (std::size_t j = 0; j < 64; ++j) {
        repeats[j] = block[j] == block[static_cast<std::ptrdiff_t>(j) - 1];
    }
    // Eight 0-or-1 bytes to eight bits: the multiplication moves byte i's bit to bit 56 + i,
    // and no two of its partial products overlap, so nothing carries.
    std::uint64_t mask = 0;
    for (std::size_t i = 0; i < 8; ++i) {
        const std::uint64_t bytes = load_little_endian(repeats.data() + 8 * i);
        mask |= ((bytes * 0x0102040810204080ull) >> 56) << (8 * i);
    }
    return mask;
}

bool all_bytes_equal(const std::uint8_t* block, std::uint8_t byte) {
    const std::uint64_t pattern = 0x0101010101010101ull * byte;
    std::uint64_t differ = 0;
    for (std::size_t i = 0; i < 8; ++i) differ |= load_little_endian(block + 8 * i) ^ pattern;
    return differ == 0;
}

// How far past a block's start the Tokenizer reads (from block[-1] on).
constexpr std::size_t kBlockReach = 80;

// Splits data into literals and distance-1 runs, 64 bytes at a time. A group of n >= 4 equal
// bytes becomes one literal and a run of n - 1 bytes (matches); every other byte is a literal.
//
// The obvious loop (take a literal, measure the run after it, jump past the run) makes where
// each token starts wait on a load and a bit scan of the one before: about 45 cycles a run
// measured on input whose branches all predict. Here the loads go 64 bytes at a time at fixed
// addresses, a block's run bytes come out of a few operations on bit masks, and the walk from
// run to run waits only on clearing the lowest bit of a mask. Same tokens as the obvious loop:
// that loop also gives a group of n >= 4 bytes one literal and n - 1 bytes of matches.
class Tokenizer {
public:
    explicit Tokenizer(Token* out) : next_(out) {}

    /// Tokenizes block[0..63], reading block[-1..kBlockReach - 1]: the byte before, two bytes
    /// after (for a run that starts at the end) and literals sixteen at a time.
    void add_block(const std::uint8_t* block) {
        if (run_open_ != 0 && all_bytes_equal(block, block[-1])) {
            open_run_length_ += 64;  // inside a long run: no masks needed
            return;
        }
        const std::uint64_t repeats = repeat_mask(block);
        const std::uint64_t repeats_after =
            std::uint64_t{block[64] == block[63]} | std::uint64_t{block[65] == block[64]} << 1;
        // A run starts at the first repeat of a group when the next two bytes repeat too.
        const std::uint64_t first_repeats = repeats & ~(repeats << 1 | last_repeat_);
        const std::uint64_t run_starts = first_repeats & (repeats >> 1 | repeats_after << 63) &
                                         (repeats >> 2 | repeats_after << 62);
        // Run bytes: the stretches of repeats that begin at a run start, or at bit 0 when a run
        // is open. Adding a stretch's lowest bit carries through the stretch and clears it;
        // stretches without a start stay as they were.
        const std::uint64_t run_bytes = repeats & ~(repeats + (run_starts | run_open_));
        emit(block, run_bytes);
        last_repeat_ = repeats >> 63;
        run_open_ = run_bytes >> 63;
    }

    /// One past the last token written. A run still open is not written yet.
    Token* end() const { return next_; }

private:
    // Tokens for a block whose run bytes are the set bits of `run_bytes`. The runs inside it
    // are walked with masks of their first and last bytes.
    void emit(const std::uint8_t* block, std::uint64_t run_bytes) {
        // Run bytes at bit 0 continue the open run, or start one after the last block's last
        // byte; the run goes on past this block if they fill it.
        const int leading = std::countr_one(run_bytes);
        open_run_length_ += static_cast<std::size_t>(leading);
        if (leading == 64) return;
        if (open_run_length_ != 0) {
            next_ = append_run(open_run_length_, next_);
            open_run_length_ = 0;
        }
        run_bytes &= run_bytes + 1;  // clears the leading stretch
        // A run that reaches the block's end may go on in the next one: it stays open. (It
        // follows a literal, so trailing < 64.)
        const int trailing = std::countl_one(run_bytes);
        run_bytes &= ~std::uint64_t{0} >> trailing;
        std::uint64_t run_firsts = run_bytes & ~(run_bytes << 1);
        std::uint64_t run_lasts = run_bytes & ~(run_bytes >> 1);
        int at = leading;  // the first byte without a token
        while (run_firsts != 0) {
            const int first = std::countr_zero(run_firsts);
            const int last = std::countr_zero(run_lasts);
            append_literals(block, at, first);
            *next_++ = static_cast<Token>(256 + last - first + 1);  // inside a block: one match
            at = last + 1;
            run_firsts &= run_firsts - 1;
            run_lasts &= run_lasts - 1;
        }
        append_literals(block, at, 64 - trailing);
        open_run_length_ = static_cast<std::size_t>(trailing);
    }

    // Tokens for the literals block[from..to), sixteen a store: most stretches of literals
    // are short, and a loop of unknown length would mispredict. Tokens past the last literal
    // are overwritten later (the token buffer has room for them).
    void append_literals(const std::uint8_t* block, int from, int to) {
        copy_literals16(block + from, next_);
        for (int i = 16; i < to - from; i += 16) copy_literals16(block + from + i, next_ + i);
        next_ += to - from;
    }

    Token* next_;
    std::size_t open_run_length_ = 0;  // run bytes counted but not yet written as matches
    std::uint64_t last_repeat_ = 0;    // 1 when the last block's last byte is a repeat
    std::uint64_t run_open_ = 0;       // 1 when the last block's last byte is a run byte
};

// Padding after the last block: bytes that repeat neither each other nor the data's last byte,
// so they are all literals, and the first of them closes a run still open.
constexpr std::size_t kTokenizerPadding = 64;

// Splits `data` into literals and distance-1 runs, writes the tokens to `tokens` (room for
// data.size() + kTokenizerPadding + 16) and returns how many.
std::size_t tokenize(std::span<const std::uint8_t> data, Token* const tokens) {
    if (data.empty()) return 0;
    Tokenizer tokenizer(tokens);
    // Blocks read the byte before them: the first block from a copy that puts a byte it does
    // not repeat there.
    std::size_t at = 0;
    if (data.size() >= kBlockReach) {
        std::array<std::uint8_t, 1 + kBlockReach> first;
        first[0] = static_cast<std::uint8_t>(data[0] ^ 1);
        std::copy_n(data.begin(), kBlockReach, first.begin() + 1);
        tokenizer.add_block(first.data() + 1);
        for (at = 64; data.size() - at >= kBlockReach; at += 64) tokenizer.add_block(data.data() + at);
    }
    // The rest (< kBlockReach bytes) and at least one padding byte, in whole blocks of a copy.
    const std::size_t rest = data.size() - at;
    const std::size_t blocks = rest / 64 + 1;
    std::array<std::uint8_t, 1 + 64 + kBlockReach> padded;
    padded[0] = at != 0 ? data[at - 1] : static_cast<std::uint8_t>(data[0] ^ 1);
    std::copy(data.begin() + static_cast<std::ptrdiff_t>(at), data.end(), padded.begin() + 1);
    for (std::size_t i = rest; i + 1 < padded.size(); ++i) {
        padded[1 + i] = static_cast<std::uint8_t>(data.back() ^ ((i - rest) % 2 == 0 ? 1 : 2));
    }
    for (std::size_t block = 0; block < blocks; ++block) tokenizer.add_block(padded.data() + 1 + 64 * block);
    const std::size_t padding_literals = blocks * 64 - rest;
    return static_cast<std::size_t>(tokenizer.end() - tokens) - padding_literals;
}

// Literal/length symbol frequencies of `tokens`, the end-of-block symbol included. Token values
// are counted first, four tallies in turn so that a value that comes back soon (the zero
// before each run) does not wait on its own increment; lengths fold into symbols afterwards.
std::array<std::uint32_t, kLiteralLengthSymbols> symbol_frequencies(std::span<const Token> tokens) {
    std::array<std::array<std::uint32_t, kTokenValues>, 4> tallies{};
    std::size_t i = 0;
    for (; i + 4 <= tokens.size(); i += 4) {
        for (std::size_t k = 0; k < 4; ++k) ++tallies[k][tokens[i + k]];
    }
    for (; i < tokens.size(); ++i) ++tallies[0][tokens[i]];
    std::array<std::uint32_t, kTokenValues> per_value{};
    for (const auto& tally : tallies) {
        for (std::size_t value = 0; value < kTokenValues; ++value) per_value[value] += tally[value];
    }
    std::array<std::uint32_t, kLiteralLengthSymbols> frequencies{};
    std::copy_n(per_value.begin(), 256, frequencies.begin());
    frequencies[kEndOfBlock] = 1;
    for (std::size_t length = kMinMatch; length <= kMaxMatch; ++length) {
        frequencies[257 + kLengthSymbol[length]] += per_value[256 + length];
    }
    return frequencies;
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
                 BitWriter& out) {
    BitWriter bits = out;  // a local copy stays in registers (see BitWriter)
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
    // Each token's whole bit string from one table entry: its code, and for a match also the
    // length's extra bits and the distance code 0 (whose one-bit code is 0); at most 15 + 5 + 1
    // bits. Bits and counts in separate tables take fewer instructions to unpack.
    std::array<std::uint32_t, kTokenValues> token_bits{};
    std::array<std::uint32_t, kTokenValues> token_bit_count{};
    for (std::size_t byte = 0; byte < 256; ++byte) {
        token_bits[byte] = lit_codes[byte];
        token_bit_count[byte] = lit_lengths[byte];
    }
    for (std::size_t length = kMinMatch; length <= kMaxMatch; ++length) {
        const std::size_t symbol = kLengthSymbol[length];
        const std::uint32_t code_length = lit_lengths[257 + symbol];
        const auto extra = static_cast<std::uint32_t>(length - kLengthBase[symbol]);
        token_bits[256 + length] = lit_codes[257 + symbol] | extra << code_length;
        token_bit_count[256 + length] = code_length + kLengthExtra[symbol] + 1;
    }
    // Four tokens per put when their bits fit (almost always: tokens average 6 bits here), else
    // two puts of two (at most 42 bits each). Joining codes does not wait on the writer, so this
    // quarters the writer's chain of dependent shifts.
    struct Bits {
        std::uint64_t bits;
        unsigned count;
    };
    const auto two_tokens = [&](std::size_t at) {
        const Token first = tokens[at];
        const Token second = tokens[at + 1];
        return Bits{token_bits[first] | std::uint64_t{token_bits[second]} << token_bit_count[first],
                    token_bit_count[first] + token_bit_count[second]};
    };
    std::size_t i = 0;
    for (; i + 4 <= tokens.size(); i += 4) {
        const Bits low = two_tokens(i);
        const Bits high = two_tokens(i + 2);
        if (low.count + high.count <= 56) {
            bits.put(low.bits | high.bits << low.count, low.count + high.count);
        } else {
            bits.put(low.bits, low.count);
            bits.put(high.bits, high.count);
        }
    }
    for (; i < tokens.size(); ++i) bits.put(token_bits[tokens[i]], token_bit_count[tokens[i]]);
    bits.put(lit_codes[kEndOfBlock], lit_lengths[kEndOfBlock]);
    out = bits;
}

}  // namespace

void deflate_runs(std::span<const std::uint8_t> data, bool final, std::vector<std::uint8_t>& out) {
    // Room for the most tokens there can be (one per byte), the tokenizer's padding and its
    // sixteen-at-a-time literal stores; left uninitialised, as only written tokens are read.
    const auto token_buffer = std::make_unique_for_overwrite<Token[]>(data.size() + kTokenizerPadding + 16);
    const std::span<const Token> tokens(token_buffer.get(), tokenize(data, token_buffer.get()));
    // Worst case: a block header (< 300 bytes), 21 bits per token, the end code, a marker; and
    // eight bytes of slack for BitWriter's word stores.
    const auto buffer = std::make_unique_for_overwrite<std::uint8_t[]>(320 + tokens.size() * 3 + 8);
    BitWriter bits(buffer.get());
    if (!tokens.empty()) {
        write_block(tokens, symbol_frequencies(tokens), final, bits);
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
    out.insert(out.end(), buffer.get(), bits.end());
}

}  // namespace juliaset::png
