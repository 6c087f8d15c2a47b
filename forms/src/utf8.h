// Small UTF-8 helpers shared by the forms sources (not public API).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ow::forms::detail {

// Decodes UTF-8; an invalid byte decodes as U+FFFD and consumes one byte.
std::vector<char32_t> decode_utf8(std::string_view text);
void append_utf8(std::string& out, char32_t cp);
std::string encode_utf8(const std::vector<char32_t>& cps);
// Number of code points (invalid bytes count as one each).
std::size_t utf8_length(std::string_view text);
// Full-width ASCII → ASCII, U+3000 → space; trims ASCII white space and U+3000 on both ends.
std::string normalize_width_and_trim(std::string_view text);
std::string to_lower_ascii(std::string_view text);
std::string to_upper_ascii(std::string_view text);
// Quotes a value for a message: printable ASCII as is, others as U+XXXX.
std::string describe_char(char32_t cp);

} // namespace ow::forms::detail
