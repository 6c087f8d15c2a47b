// Small helpers of the server: time, hashing, encoding, random identifiers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ow::server {

std::string now_utc_iso();                       // 2026-11-28T14:32:00Z
std::string utc_iso_after_seconds(long seconds); // now + seconds
std::string sha256_hex(std::string_view data);
std::string to_hex(std::span<const unsigned char> bytes);
std::string base64_encode(std::span<const unsigned char> bytes);
// Returns false on malformed input.
bool base64_decode(std::string_view text, std::vector<unsigned char>& out);
std::string random_token(std::size_t bytes); // hex
// A one-time enrolment code: 16 characters of an unambiguous alphabet in groups of 4.
std::string random_enrollment_code();
// Upper-cases and removes '-' and spaces, so codes can be typed loosely.
std::string normalize_enrollment_code(std::string_view code);
// Client-chosen identifiers: 1-64 characters of [A-Za-z0-9._:-].
bool valid_identifier(std::string_view id);
bool valid_sha256_hex(std::string_view hex);

} // namespace ow::server
