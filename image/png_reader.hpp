// Reading the textual metadata of a PNG file: the chunks before the image data are walked and
// checked, the pixels are never decoded. Knows PNG, not fractals.
#pragma once

#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

#include "png_writer.hpp"

namespace juliaset::png {

/// A file that is not a well-formed PNG up to its image data (bad signature, truncated chunk,
/// CRC mismatch, IHDR not first).
class FormatError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The tEXt chunks of the PNG read from `in`, in file order. Reading stops at the first IDAT
/// (or IEND) chunk, so the image data of a large file is never read; tEXt chunks placed after
/// the image data are therefore not seen (write_png puts them before it). Every chunk read has
/// its CRC checked. Throws FormatError for anything that is not a PNG as described above.
[[nodiscard]] std::vector<TextChunk> read_text_chunks(std::istream& in);

}  // namespace juliaset::png
