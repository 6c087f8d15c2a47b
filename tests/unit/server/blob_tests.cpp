#include "blob_store.h"
#include "test_support.h"
#include "util.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

using namespace ow::server;

namespace {

std::string checksum_of(const std::string& bytes) {
    std::vector<unsigned char> raw;
    std::string hex = sha256_hex(bytes);
    for (std::size_t i = 0; i < 64; i += 2)
        raw.push_back(static_cast<unsigned char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    return "sha256 " + base64_encode(raw);
}

BlobStore::BodyReader body_of(const std::string& bytes, std::size_t piece = 1000) {
    return [bytes, piece](const BlobStore::Sink& sink) {
        for (std::size_t at = 0; at < bytes.size(); at += piece)
            if (!sink(bytes.data() + at, std::min(piece, bytes.size() - at)))
                return false;
        return true;
    };
}

// A body that delivers `delivered` bytes of `bytes` and then breaks off (a cut connection).
BlobStore::BodyReader cut_body(const std::string& bytes, std::size_t delivered) {
    return [bytes, delivered](const BlobStore::Sink& sink) {
        sink(bytes.data(), delivered);
        return false;
    };
}

struct Fixture {
    test::TempDir dir;
    std::unique_ptr<Storage> storage = open_sqlite_storage(dir.path / "s.db");
    BlobStore blobs{*storage, dir.path / "blobs"};
    std::string data;
    Fixture() {
        for (int i = 0; i < 10000; ++i)
            data += static_cast<char>('a' + (i * 7919) % 26);
    }
    BlobResult patch(std::int64_t offset, const std::string& chunk, const std::string& id = "b1",
                     const std::string& ws = "ws-1") {
        return blobs.append(ws, id, offset, checksum_of(chunk),
                            static_cast<std::int64_t>(chunk.size()), body_of(chunk));
    }
    std::string file_bytes(const std::string& id) {
        std::ifstream in(blobs.file_of(id), std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(blobs)

BOOST_FIXTURE_TEST_CASE(create_is_idempotent, Fixture) {
    BOOST_TEST(static_cast<int>(blobs.create("ws-1", "b1", 10000, sha256_hex(data)).status) ==
               static_cast<int>(BlobStatus::Created));
    BOOST_TEST(patch(0, data.substr(0, 4000)).info.offset == 4000);
    auto again = blobs.create("ws-1", "b1", 10000, sha256_hex(data));
    BOOST_TEST(static_cast<int>(again.status) == static_cast<int>(BlobStatus::Existing));
    BOOST_TEST(again.info.offset == 4000);
    BOOST_TEST(static_cast<int>(blobs.create("ws-1", "b1", 9999, sha256_hex(data)).status) ==
               static_cast<int>(BlobStatus::Mismatch));
    BOOST_TEST(static_cast<int>(blobs.create("ws-1", "b1", 10000, sha256_hex("x")).status) ==
               static_cast<int>(BlobStatus::Mismatch));
    BOOST_TEST(static_cast<int>(blobs.create("ws-1", "../etc", 1, sha256_hex("x")).status) ==
               static_cast<int>(BlobStatus::BadRequest));
    BOOST_TEST(blobs.create("ws-1", "empty", 0, sha256_hex("")).info.complete);
}

BOOST_FIXTURE_TEST_CASE(offsets_checksums_and_resume, Fixture) {
    blobs.create("ws-1", "b1", 10000, sha256_hex(data));
    BOOST_TEST(patch(0, data.substr(0, 3000)).info.offset == 3000);
    // Wrong offset: refused with the server's offset.
    auto wrong = patch(0, data.substr(0, 3000));
    BOOST_TEST(static_cast<int>(wrong.status) == static_cast<int>(BlobStatus::OffsetMismatch));
    BOOST_TEST(wrong.info.offset == 3000);
    // Checksum mismatch: the chunk is discarded, the offset stays.
    std::string chunk = data.substr(3000, 3000);
    auto bad =
        blobs.append("ws-1", "b1", 3000, checksum_of("something else"), 3000, body_of(chunk));
    BOOST_TEST(static_cast<int>(bad.status) == static_cast<int>(BlobStatus::ChecksumMismatch));
    BOOST_TEST(blobs.find("b1")->offset == 3000);
    BOOST_TEST(file_bytes("b1").size() == 3000u);
    // A connection cut mid-chunk keeps nothing of the chunk.
    auto cut = blobs.append("ws-1", "b1", 3000, checksum_of(chunk), 3000, cut_body(chunk, 1234));
    BOOST_TEST(static_cast<int>(cut.status) == static_cast<int>(BlobStatus::Interrupted));
    BOOST_TEST(blobs.find("b1")->offset == 3000);
    // Another workstation cannot write into it.
    BOOST_TEST(static_cast<int>(patch(3000, chunk, "b1", "ws-2").status) ==
               static_cast<int>(BlobStatus::NotOwner));
    // Resume from the server's offset and finish.
    BOOST_TEST(patch(3000, chunk).info.offset == 6000);
    auto last = patch(6000, data.substr(6000));
    BOOST_TEST(last.info.complete);
    BOOST_TEST(file_bytes("b1") == data);
    BOOST_TEST(blobs.find("b1")->complete);
    // Complete blobs are immutable.
    BOOST_TEST(static_cast<int>(patch(10000, "").status) ==
               static_cast<int>(BlobStatus::AlreadyComplete));
}

BOOST_FIXTURE_TEST_CASE(chunk_beyond_length_is_refused, Fixture) {
    blobs.create("ws-1", "b1", 100, sha256_hex(data.substr(0, 100)));
    BOOST_TEST(static_cast<int>(patch(0, data.substr(0, 101)).status) ==
               static_cast<int>(BlobStatus::BadRequest));
    // A body longer than its Content-Length is refused too.
    auto r = blobs.append("ws-1", "b1", 0, checksum_of(data.substr(0, 50)), 50,
                          body_of(data.substr(0, 80)));
    BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(BlobStatus::BadRequest));
    BOOST_TEST(blobs.find("b1")->offset == 0);
}

BOOST_FIXTURE_TEST_CASE(whole_file_hash_mismatch_resets_the_upload, Fixture) {
    std::string other = data;
    other[5000] = '!';
    blobs.create("ws-1", "b1", 10000, sha256_hex(data));
    BOOST_TEST(patch(0, other.substr(0, 6000)).info.offset == 6000);
    auto end = patch(6000, other.substr(6000));
    BOOST_TEST(static_cast<int>(end.status) == static_cast<int>(BlobStatus::HashMismatch));
    BOOST_TEST(end.info.offset == 0);
    BOOST_TEST(!blobs.find("b1")->complete);
    BOOST_TEST(patch(0, data).info.complete);
}

BOOST_FIXTURE_TEST_CASE(malformed_checksum_header, Fixture) {
    blobs.create("ws-1", "b1", 10, sha256_hex(data.substr(0, 10)));
    for (const char* header : {"", "md5 abc", "sha256 !!!!", "sha256 YWJj"}) {
        auto r = blobs.append("ws-1", "b1", 0, header, 10, body_of(data.substr(0, 10)));
        BOOST_TEST(static_cast<int>(r.status) == static_cast<int>(BlobStatus::BadRequest));
    }
}

BOOST_AUTO_TEST_SUITE_END()
