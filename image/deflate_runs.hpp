// A fast deflate encoder for filtered image rows: literals and runs of one repeated byte
// (distance-1 matches), Huffman-coded with codes built for each call. Written for this project
// because zlib's general-purpose machinery spends most of its time on work these images never
// need; see deflate_runs.cpp for the measurement.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace juliaset::png {

/// Appends a raw deflate (RFC 1951) encoding of `data` to `out`. Unless `final`, the encoding
/// ends with an empty stored block, as zlib's Z_SYNC_FLUSH does, so that the encodings of
/// consecutive pieces concatenate into one valid stream; with `final` its last block is marked
/// final. An empty `data` appends only that terminator.
void deflate_runs(std::span<const std::uint8_t> data, bool final, std::vector<std::uint8_t>& out);

}  // namespace juliaset::png
