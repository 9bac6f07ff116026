// Echoing what the user (or a file) gave inside one-line error messages, safely.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace juliaset::cli {

/// How many characters of a value a message echoes before cutting it short.
inline constexpr std::size_t echo_limit = 64;

/// `text` made printable for a one-line message: control characters (NUL, newline, ESC...) and
/// DEL become escapes (\0, \n, \x1b), and text longer than `limit` bytes is cut to its first
/// `limit` bytes (never inside a UTF-8 sequence) followed by "... (N bytes)".
[[nodiscard]] std::string printable(std::string_view text, std::size_t limit = echo_limit);

/// printable(text, limit) between single quotes (not std::quoted, hence the name): 'text'.
[[nodiscard]] std::string in_quotes(std::string_view text, std::size_t limit = echo_limit);

}  // namespace juliaset::cli
