// Reading the textual metadata of a PNG file: chunks are walked and checked, the pixels are never
// decoded. Knows PNG, not fractals.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "png_writer.hpp"

namespace juliaset::png {

/// A file that is not a well-formed PNG up to its image data (bad signature, truncated chunk,
/// CRC mismatch, IHDR not first).
class FormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The text chunk asked for is larger (stored, or once inflated) than the caller's limit.
class TooLargeError : public FormatError {
public:
    using FormatError::FormatError;
};

/// The tEXt chunks of the PNG read from `in`, in file order. Reading stops at the first IDAT
/// (or IEND) chunk, so the image data of a large file is never read; tEXt chunks placed after
/// the image data are therefore not seen (write_png puts them before it). Every chunk read has
/// its CRC checked. Throws FormatError for anything that is not a PNG as described above.
[[nodiscard]] std::vector<TextChunk> read_text_chunks(std::istream& in);

/// The text of the first tEXt, zTXt or iTXt chunk whose keyword is `keyword`, anywhere in the
/// file (before or after the image data), as UTF-8: tEXt and zTXt text is Latin-1 and converted,
/// compressed text is inflated. nullopt when the file ends (IEND) without one.
///
/// Memory stays bounded whatever the file holds: only chunk headers and the keyword of each text
/// chunk are read; every other chunk's data is skipped unread (sought over in a file), and only
/// the chunk found is held, after its length was checked against `max_bytes`. That chunk's CRC
/// is checked, the others' are not (their data is never read). Throws TooLargeError when the
/// chunk found holds more than `max_bytes`, or its text inflates to more; FormatError when the
/// bytes are not a PNG, are cut short, the chunk found is corrupt or its compression invalid.
[[nodiscard]] std::optional<std::string> find_text_chunk(std::span<const std::uint8_t> png,
                                                         std::string_view keyword,
                                                         std::size_t max_bytes);

/// find_text_chunk() over a stream (a file is sought over, never read whole).
[[nodiscard]] std::optional<std::string> find_text_chunk(std::istream& in,
                                                         std::string_view keyword,
                                                         std::size_t max_bytes);

}  // namespace juliaset::png
