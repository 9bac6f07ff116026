// Deflate with libdeflate's compressor in pieces that join into one stream. libdeflate finds
// matches in colour data far better than a run encoder, at zlib's speed or better, but it only
// writes whole streams whose last block is final; a piece that another follows needs that block
// not final and the stream ending on a byte boundary, as zlib's Z_SYNC_FLUSH leaves it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace juliaset::png {

/// Appends a raw deflate (RFC 1951) encoding of `data` made by libdeflate at `level` (1..12) to
/// `out`. Unless `final`, the encoding's last block is marked not final and an empty stored
/// block follows (the bytes zlib's Z_SYNC_FLUSH writes), so that consecutive pieces concatenate
/// into one valid stream. Throws std::bad_alloc if libdeflate cannot allocate its compressor.
void deflate_libdeflate(std::span<const std::uint8_t> data, int level, bool final,
                        std::vector<std::uint8_t>& out);

/// Rewrites the complete raw deflate stream in `stream[start:]` (well formed: the walk trusts
/// its block structure, as libdeflate writes it) so that its final block is not final and it
/// ends with an empty stored block on a byte boundary. Throws std::invalid_argument if the
/// stream ends before its final block does.
void end_with_sync_flush(std::vector<std::uint8_t>& stream, std::size_t start);

}  // namespace juliaset::png
