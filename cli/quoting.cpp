#include "quoting.hpp"

#include <array>

namespace juliaset::cli {

std::string printable(std::string_view text, std::size_t limit) {
    std::size_t keep = text.size();
    if (keep > limit) {
        keep = limit;
        // Back up to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
        while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
    }
    std::string out;
    out.reserve(keep + 16);
    constexpr std::array<char, 16> hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                          '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    for (const char ch : text.substr(0, keep)) {
        const auto byte = static_cast<unsigned char>(ch);
        switch (ch) {
            case '\0': out += "\\0"; continue;
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\t': out += "\\t"; continue;
            default: break;
        }
        if (byte < 0x20 || byte == 0x7F) {
            out += "\\x";
            out.push_back(hex[byte >> 4]);
            out.push_back(hex[byte & 0xF]);
        } else {
            out.push_back(ch);
        }
    }
    if (keep < text.size()) {
        out += "... (";
        out += std::to_string(text.size());
        out += " bytes)";
    }
    return out;
}

std::string in_quotes(std::string_view text, std::size_t limit) {
    // Appended piecewise: GCC 12 warns falsely (-Wrestrict) about "'" + std::string.
    std::string out(1, '\'');
    out += printable(text, limit);
    out += '\'';
    return out;
}

}  // namespace juliaset::cli
