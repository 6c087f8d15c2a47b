#include "util.h"

#include <ctime>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdexcept>

namespace ow::server {

namespace {
std::string format_time(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}
} // namespace

std::string now_utc_iso() {
    return format_time(std::time(nullptr));
}

std::string utc_iso_after_seconds(long seconds) {
    return format_time(std::time(nullptr) + seconds);
}

std::string to_hex(std::span<const unsigned char> bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char digest[32];
    unsigned int n = 0;
    if (!EVP_Digest(data.data(), data.size(), digest, &n, EVP_sha256(), nullptr))
        throw std::runtime_error("SHA-256 failed");
    return to_hex({digest, n});
}

std::string base64_encode(std::span<const unsigned char> bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool base64_decode(std::string_view text, std::vector<unsigned char>& out) {
    if (text.size() % 4 != 0)
        return false;
    out.assign(text.size() / 4 * 3 + 1, 0);
    int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0)
        return false;
    std::size_t len = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts the padding as zero bytes.
    if (!text.empty() && text.back() == '=')
        --len;
    if (text.size() >= 2 && text[text.size() - 2] == '=')
        --len;
    out.resize(len);
    return true;
}

std::string random_token(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1)
        throw std::runtime_error("random generator failed");
    return to_hex(buf);
}

std::string random_enrollment_code() {
    // 32 symbols without 0/O, 1/I/L, so a code read aloud or typed is unambiguous: 80 bits.
    static const char* alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    static_assert(sizeof("ABCDEFGHJKMNPQRSTUVWXYZ23456789") - 1 == 31);
    std::string out;
    unsigned char buf[64];
    std::size_t produced = 0;
    while (produced < 16) {
        if (RAND_bytes(buf, sizeof buf) != 1)
            throw std::runtime_error("random generator failed");
        for (unsigned char b : buf) {
            if (produced == 16)
                break;
            if (b >= 31 * 8) // reject to keep the distribution uniform
                continue;
            if (produced > 0 && produced % 4 == 0)
                out.push_back('-');
            out.push_back(alphabet[b % 31]);
            ++produced;
        }
    }
    return out;
}

std::string normalize_enrollment_code(std::string_view code) {
    std::string out;
    for (char c : code) {
        if (c == '-' || c == ' ')
            continue;
        out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    }
    return out;
}

bool valid_identifier(std::string_view id) {
    if (id.empty() || id.size() > 64)
        return false;
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == ':' || c == '-';
        if (!ok)
            return false;
    }
    return id != "." && id != "..";
}

bool valid_sha256_hex(std::string_view hex) {
    if (hex.size() != 64)
        return false;
    for (char c : hex)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

} // namespace ow::server
