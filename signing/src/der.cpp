#include "der.h"

#include <algorithm>
#include <utility>

namespace ow::signing::detail::der {

std::optional<Element> read(ByteView& in) {
    if (in.size() < 2)
        return std::nullopt;
    const std::uint8_t tag = in[0];
    if ((tag & 0x1F) == 0x1F) // high tag numbers: nothing a certificate or CMS here uses
        return std::nullopt;
    std::size_t length = in[1];
    std::size_t header = 2;
    if (length & 0x80) {
        const std::size_t octets = length & 0x7F;
        // 0x80 is BER's indefinite length; four octets are plenty for anything signed here.
        if (octets == 0 || octets > 4 || in.size() < 2 + octets || in[2] == 0)
            return std::nullopt;
        length = 0;
        for (std::size_t i = 0; i < octets; ++i)
            length = (length << 8) | in[2 + i];
        if (length < 0x80) // DER uses the short form whenever it can
            return std::nullopt;
        header += octets;
    }
    if (in.size() - header < length)
        return std::nullopt;
    Element e{tag, in.first(header + length), in.subspan(header, length)};
    in = in.subspan(header + length);
    return e;
}

void append(Bytes& out, std::uint8_t tag, ByteView content) {
    out.push_back(tag);
    const std::size_t n = content.size();
    if (n < 0x80) {
        out.push_back(static_cast<std::uint8_t>(n));
    } else {
        std::uint8_t octets = 0;
        for (std::size_t v = n; v; v >>= 8)
            ++octets;
        out.push_back(static_cast<std::uint8_t>(0x80 | octets));
        for (int shift = 8 * (octets - 1); shift >= 0; shift -= 8)
            out.push_back(static_cast<std::uint8_t>(n >> shift));
    }
    out.insert(out.end(), content.begin(), content.end());
}

Bytes wrap(std::uint8_t tag, ByteView content) {
    Bytes out;
    out.reserve(content.size() + 6);
    append(out, tag, content);
    return out;
}

Bytes set_of_contents(std::vector<Bytes> elements) {
    // X.690 11.6: compared as octet strings, the shorter padded at its end with zero octets.
    auto padded_less = [](const Bytes& a, const Bytes& b) {
        const std::size_t n = std::min(a.size(), b.size());
        const auto [ia, ib] = std::mismatch(a.begin(), a.begin() + static_cast<long>(n), b.begin());
        if (ia != a.begin() + static_cast<long>(n))
            return *ia < *ib;
        return std::any_of(b.begin() + static_cast<long>(n), b.end(),
                           [](std::uint8_t c) { return c != 0; });
    };
    std::stable_sort(elements.begin(), elements.end(), padded_less);
    Bytes content;
    for (const Bytes& e : elements)
        content.insert(content.end(), e.begin(), e.end());
    return content;
}

Bytes unsigned_integer(ByteView magnitude) {
    while (magnitude.size() > 1 && magnitude[0] == 0)
        magnitude = magnitude.subspan(1);
    Bytes content;
    if (magnitude.empty() || (magnitude[0] & 0x80))
        content.push_back(0);
    content.insert(content.end(), magnitude.begin(), magnitude.end());
    return wrap(kInteger, content);
}

namespace {
// DER's rules for one element that BER relaxes: of the universal types only SEQUENCE and SET are
// constructed (strings and times are primitive), and an INTEGER has no redundant leading octet.
bool der_element(const Element& e) {
    const bool universal = (e.tag & 0xC0) == 0;
    if (universal && (e.tag & 0x20) && e.tag != kSequence && e.tag != kSet)
        return false;
    if (e.tag == kInteger) {
        const ByteView c = e.content;
        if (c.empty() ||
            (c.size() > 1 && ((c[0] == 0x00 && !(c[1] & 0x80)) || (c[0] == 0xFF && (c[1] & 0x80)))))
            return false;
    }
    return true;
}

// Every constructed element's contents are a whole number of DER elements, recursively
// (primitive contents, such as the key inside a BIT STRING, are not looked into).
bool well_formed_contents(ByteView in, int depth) {
    if (depth > 32)
        return false;
    while (!in.empty()) {
        auto e = read(in);
        if (!e || !der_element(*e) ||
            ((e->tag & 0x20) && !well_formed_contents(e->content, depth + 1)))
            return false;
    }
    return true;
}
} // namespace

Bytes algorithm_identifier(ByteView oid, bool null_parameters) {
    Bytes content(oid.begin(), oid.end());
    if (null_parameters)
        append(content, kNull, {});
    return wrap(kSequence, content);
}

Bytes digest_info(DigestAlgorithm alg, ByteView digest) {
    Bytes content = algorithm_identifier(oid::digest(alg), true);
    append(content, kOctetString, digest);
    return wrap(kSequence, content);
}

std::optional<CertificateFields> certificate_fields(ByteView cert) {
    ByteView in = cert;
    auto certificate = read(in);
    if (!certificate || certificate->tag != kSequence || !in.empty() ||
        !well_formed_contents(certificate->content, 0))
        return std::nullopt;
    // Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
    ByteView outer = certificate->content;
    auto tbs = read(outer);
    auto algorithm = read(outer);
    auto signature = read(outer);
    if (!tbs || tbs->tag != kSequence || !algorithm || algorithm->tag != kSequence || !signature ||
        signature->tag != kBitString || !outer.empty())
        return std::nullopt;
    // TBSCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
    //                               validity, subject, subjectPublicKeyInfo, … }
    ByteView fields = tbs->content;
    auto first = read(fields);
    if (first && first->tag == context(0))
        first = read(fields);
    auto signature_algorithm = read(fields);
    auto issuer = read(fields);
    auto validity = read(fields);
    auto subject = read(fields);
    auto spki = read(fields);
    if (!first || first->tag != kInteger || first->content.empty() || !signature_algorithm ||
        signature_algorithm->tag != kSequence || !issuer || issuer->tag != kSequence || !validity ||
        validity->tag != kSequence || !subject || subject->tag != kSequence || !spki ||
        spki->tag != kSequence)
        return std::nullopt;
    // Then only issuerUniqueID [1], subjectUniqueID [2] and extensions [3], in that order.
    int last = 0;
    while (!fields.empty()) {
        auto e = read(fields);
        const int number = e ? (e->tag & 0x1F) : 0;
        if (!e || (e->tag & 0xC0) != 0x80 || number <= last || number > 3)
            return std::nullopt;
        last = number;
    }
    return CertificateFields{first->whole, issuer->whole, subject->whole, spki->whole};
}

namespace oid {
namespace {
// 1.2.840.113549.1.7.x, 1.2.840.113549.1.9.x, 1.2.840.113549.1.9.16.2.x, 1.2.840.113549.1.1.1,
// 2.16.840.1.101.3.4.2.x, 1.2.840.10045.4.3.x
constexpr std::uint8_t data[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01};
constexpr std::uint8_t signed_data[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                                        0xF7, 0x0D, 0x01, 0x07, 0x02};
constexpr std::uint8_t content_type[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                                         0xF7, 0x0D, 0x01, 0x09, 0x03};
constexpr std::uint8_t message_digest[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                                           0xF7, 0x0D, 0x01, 0x09, 0x04};
constexpr std::uint8_t signing_certificate_v2[] = {0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7,
                                                   0x0D, 0x01, 0x09, 0x10, 0x02, 0x2F};
constexpr std::uint8_t time_stamp_token[] = {0x06, 0x0B, 0x2A, 0x86, 0x48, 0x86, 0xF7,
                                             0x0D, 0x01, 0x09, 0x10, 0x02, 0x0E};
constexpr std::uint8_t rsa_encryption[] = {0x06, 0x09, 0x2A, 0x86, 0x48, 0x86,
                                           0xF7, 0x0D, 0x01, 0x01, 0x01};
constexpr std::uint8_t sha256[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                   0x65, 0x03, 0x04, 0x02, 0x01};
constexpr std::uint8_t sha384[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                   0x65, 0x03, 0x04, 0x02, 0x02};
constexpr std::uint8_t sha512[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                   0x65, 0x03, 0x04, 0x02, 0x03};
constexpr std::uint8_t ecdsa_sha256[] = {0x06, 0x08, 0x2A, 0x86, 0x48,
                                         0xCE, 0x3D, 0x04, 0x03, 0x02};
constexpr std::uint8_t ecdsa_sha384[] = {0x06, 0x08, 0x2A, 0x86, 0x48,
                                         0xCE, 0x3D, 0x04, 0x03, 0x03};
constexpr std::uint8_t ecdsa_sha512[] = {0x06, 0x08, 0x2A, 0x86, 0x48,
                                         0xCE, 0x3D, 0x04, 0x03, 0x04};
} // namespace

const ByteView kData{data}, kSignedData{signed_data}, kContentType{content_type},
    kMessageDigest{message_digest}, kSigningCertificateV2{signing_certificate_v2},
    kTimeStampToken{time_stamp_token}, kRsaEncryption{rsa_encryption}, kSha256{sha256},
    kSha384{sha384}, kSha512{sha512}, kEcdsaWithSha256{ecdsa_sha256},
    kEcdsaWithSha384{ecdsa_sha384}, kEcdsaWithSha512{ecdsa_sha512};

namespace {
// The digest's identifier and that of ECDSA with it.
std::pair<ByteView, ByteView> digest_and_ecdsa(DigestAlgorithm alg) {
    switch (alg) {
    case DigestAlgorithm::Sha384:
        return {kSha384, kEcdsaWithSha384};
    case DigestAlgorithm::Sha512:
        return {kSha512, kEcdsaWithSha512};
    case DigestAlgorithm::Sha256:
        break;
    }
    return {kSha256, kEcdsaWithSha256};
}
} // namespace

ByteView digest(DigestAlgorithm alg) {
    return digest_and_ecdsa(alg).first;
}
ByteView ecdsa_with(DigestAlgorithm alg) {
    return digest_and_ecdsa(alg).second;
}
} // namespace oid

} // namespace ow::signing::detail::der
