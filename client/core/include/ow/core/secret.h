// Key material and passwords in memory: wiped (OPENSSL_cleanse) when they go out of scope.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ow::core {

void wipe(void* data, std::size_t size) noexcept;
void wipe(std::string& s) noexcept;

// A byte buffer that wipes itself. Move-only.
class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(std::size_t size) : bytes_(size) {}
    SecretBytes(const unsigned char* data, std::size_t size) : bytes_(data, data + size) {}
    ~SecretBytes() { clear(); }
    SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {}
    SecretBytes& operator=(SecretBytes&& other) noexcept {
        if (this != &other) {
            clear();
            bytes_ = std::move(other.bytes_);
        }
        return *this;
    }
    SecretBytes(const SecretBytes&) = delete;
    SecretBytes& operator=(const SecretBytes&) = delete;

    static SecretBytes random(std::size_t size);

    unsigned char* data() noexcept { return bytes_.data(); }
    const unsigned char* data() const noexcept { return bytes_.data(); }
    std::size_t size() const noexcept { return bytes_.size(); }
    bool empty() const noexcept { return bytes_.empty(); }
    void clear() noexcept;

private:
    std::vector<unsigned char> bytes_;
};

// A password or PIN typed by a person. Wiped on destruction; never logged.
class SecretString {
public:
    SecretString() = default;
    explicit SecretString(std::string value) : value_(std::move(value)) {}
    ~SecretString() { wipe(value_); }
    SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) {
        other.value_.clear();
    }
    SecretString& operator=(SecretString&& other) noexcept {
        if (this != &other) {
            wipe(value_);
            value_ = std::move(other.value_);
            other.value_.clear();
        }
        return *this;
    }
    SecretString(const SecretString&) = delete;
    SecretString& operator=(const SecretString&) = delete;

    std::string_view view() const noexcept { return value_; }
    bool empty() const noexcept { return value_.empty(); }
    std::size_t size() const noexcept { return value_.size(); }

private:
    std::string value_;
};

} // namespace ow::core
