// PadesVerifier: tampering, changes after signing, trust, hostile inputs, report formats.
#include "fixtures.h"
#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"
#include "ow/signing/pades_verifier.h"

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace ow::signing;
using namespace ow::signing::test;
namespace fs = std::filesystem;

namespace {

Bytes bytes(const std::string& s) {
    return Bytes(s.begin(), s.end());
}
std::string str(const Bytes& b) {
    return std::string(b.begin(), b.end());
}

VerifyReport verify(const std::string& pdf, std::vector<fs::path> anchors = {pki().ca.cert_file}) {
    VerifyOptions o;
    o.trust_anchors = std::move(anchors);
    return PadesVerifier(o).verify_memory(bytes(pdf), "test.pdf");
}

std::string signed_pdf(int pages = 1, SignOptions o = {}) {
    auto s = signer(pki().rsa);
    return str(PadesSigner(*s).sign_memory(bytes(make_pdf(pages)), o));
}

int code_of(const std::string& pdf) {
    try {
        verify(pdf);
    } catch (const SigningError& e) {
        return static_cast<int>(e.code());
    }
    return -1;
}

} // namespace

BOOST_AUTO_TEST_SUITE(verifier)

BOOST_AUTO_TEST_CASE(untouched_signature_is_valid_and_trusted) {
    VerifyReport r = verify(signed_pdf());
    BOOST_REQUIRE(r.signatures.size() == 1u);
    const auto& s = r.signatures[0];
    BOOST_TEST(s.integrity());
    BOOST_TEST(s.chain_trusted);
    BOOST_TEST(s.valid_at_claimed_time);
    BOOST_TEST(s.signer.subject.find("张三") != std::string::npos);
    BOOST_TEST(s.chain.size() == 2u); // signer + root
    BOOST_TEST(s.digest_algorithm == "SHA256");
    BOOST_TEST(r.all_valid_and_trusted());
    BOOST_TEST(r.text().find("VALID and trusted") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_issuer_is_valid_but_not_trusted) {
    VerifyReport r = verify(signed_pdf(), {pki().other_ca.cert_file});
    BOOST_TEST(r.signatures[0].valid());
    BOOST_TEST(!r.signatures[0].trusted());
    BOOST_TEST(!r.all_valid_and_trusted());
    VerifyReport none = verify(signed_pdf(), {});
    BOOST_TEST(none.signatures[0].chain_problem == "no trust anchors configured");
}

BOOST_AUTO_TEST_CASE(a_changed_byte_in_the_signed_range_breaks_integrity) {
    std::string pdf = signed_pdf();
    std::size_t pos = pdf.find("approved as submitted");
    pdf[pos] = 'A';
    VerifyReport r = verify(pdf);
    BOOST_REQUIRE(r.signatures.size() == 1u);
    BOOST_TEST(!r.signatures[0].digest_ok);
    BOOST_TEST(!r.signatures[0].valid());
    BOOST_TEST(!r.all_valid_and_trusted());
}

BOOST_AUTO_TEST_CASE(content_changed_in_a_later_revision_is_detected) {
    std::string changed = append_content_change(signed_pdf(), "Refused instead");
    VerifyReport r = verify(changed);
    BOOST_REQUIRE(r.signatures.size() == 1u);
    const auto& s = r.signatures[0];
    BOOST_TEST(s.integrity()); // the signed bytes are intact...
    BOOST_TEST(!s.covers_whole_file);
    BOOST_TEST(s.revision == 2);
    BOOST_TEST(r.revisions == 3);
    BOOST_TEST(static_cast<int>(s.changes_after) == static_cast<int>(ChangeLevel::Other));
    BOOST_TEST(!s.valid()); // ...but what is shown is no longer what was signed
    BOOST_TEST(r.text().find("NOT allowed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(content_change_after_certification_is_refused_even_if_signed_again) {
    SignOptions c;
    c.certify = DocMdp::FormFilling;
    std::string changed = append_content_change(signed_pdf(1, c), "Changed");
    auto s = signer(pki().ec);
    std::string resigned = str(PadesSigner(*s).sign_memory(bytes(changed), {}));
    VerifyReport r = verify(resigned);
    BOOST_REQUIRE(r.signatures.size() == 2u);
    BOOST_TEST(!r.signatures[0].changes_allowed);
    BOOST_TEST(r.signatures[1].valid());
    BOOST_TEST(!r.all_valid_and_trusted());
}

BOOST_AUTO_TEST_CASE(lying_byte_range_is_reported_not_crashed) {
    std::string pdf = signed_pdf();
    auto arrays = number_arrays(pdf, "/ByteRange");
    BOOST_REQUIRE(arrays.size() == 1u);
    const NumberArray& br = arrays[0];
    std::string orig = pdf.substr(br.key_pos, br.end_pos + 1 - br.key_pos);
    long long b = static_cast<long long>(br.values[1]), c = static_cast<long long>(br.values[2]),
              d = static_cast<long long>(br.values[3]);
    auto with = [&](long long b2, long long c2, long long d2) {
        std::string repl = "/ByteRange [0 " + std::to_string(b2) + " " + std::to_string(c2) + " " +
                           std::to_string(d2) + "]";
        std::string out = pdf;
        if (repl.size() > orig.size()) {
            // Room for the longer numbers: take it from the zero padding at the end of /Contents,
            // so that every object after the two keeps its offset.
            std::size_t extra = repl.size() - orig.size();
            extra += extra % 2; // whole hex bytes
            // The /Contents of the same dictionary: the last one before the key, or the first
            // after.
            std::size_t contents = out.rfind("/Contents", br.key_pos);
            if (contents == std::string::npos || br.key_pos - contents > 200)
                contents = out.find("/Contents", br.key_pos);
            BOOST_REQUIRE(contents != std::string::npos);
            const std::size_t open = out.find('<', contents);
            const std::size_t close = out.find('>', open);
            BOOST_REQUIRE(close - open > extra + 2);
            BOOST_REQUIRE(out.compare(close - extra, extra, std::string(extra, '0')) == 0);
            out.erase(close - extra, extra);
            const std::size_t key = contents < br.key_pos ? br.key_pos - extra : br.key_pos;
            repl.resize(orig.size() + extra, ' ');
            out.replace(key, orig.size(), repl);
            BOOST_REQUIRE(out.size() == pdf.size());
            return out;
        }
        repl.resize(orig.size(), ' ');
        out.replace(br.key_pos, orig.size(), repl);
        return out;
    };
    // Gap shifted off the /Contents, past the end, overlapping, absurd, overflowing (a sum of
    // these numbers beyond 64 bits once made the gap point outside the file).
    constexpr long long kMax = std::numeric_limits<long long>::max();
    for (auto [b2, c2, d2] : std::vector<std::array<long long, 3>>{{b - 10, c, d},
                                                                   {b, c, d + 5000},
                                                                   {b, b - 5, d},
                                                                   {b, c + 2, d - 2},
                                                                   {99999999, 99999999, 9},
                                                                   {kMax, 100, 0},
                                                                   {kMax - 1, kMax, 0},
                                                                   {b, c, kMax},
                                                                   {b, -kMax, d}}) {
        VerifyReport r = verify(with(b2, c2, d2));
        BOOST_REQUIRE(r.signatures.size() == 1u);
        BOOST_TEST(!r.signatures[0].valid());
        BOOST_TEST(!r.signatures[0].problems.empty());
    }
}

BOOST_AUTO_TEST_CASE(hostile_files_give_clear_errors) {
    std::string pdf = signed_pdf();
    BOOST_TEST(code_of("") == static_cast<int>(ErrorCode::MalformedPdf));
    BOOST_TEST(code_of("GIF89a garbage garbage garbage garbage") ==
               static_cast<int>(ErrorCode::MalformedPdf));
    BOOST_TEST(code_of(std::string(4096, '\0')) == static_cast<int>(ErrorCode::MalformedPdf));
    for (std::size_t cut : {std::size_t(20), pdf.size() / 2, pdf.size() - 40}) {
        int c = code_of(pdf.substr(0, cut));
        // Truncated: refused as malformed, or parsed with the signature reported broken.
        if (c == -1) {
            VerifyReport r = verify(pdf.substr(0, cut));
            BOOST_TEST(!r.all_valid_and_trusted());
        } else {
            BOOST_TEST(c == static_cast<int>(ErrorCode::MalformedPdf));
        }
    }
    // Random bytes after a PDF header, with an %%EOF.
    std::string junk = "%PDF-1.7\n";
    unsigned x = 12345;
    for (int i = 0; i < 5000; ++i) {
        x = x * 1103515245 + 12345;
        junk.push_back(static_cast<char>(x >> 16));
    }
    junk += "\n%%EOF\n";
    BOOST_TEST(code_of(junk) == static_cast<int>(ErrorCode::MalformedPdf));
    BOOST_CHECK_THROW(PadesVerifier().verify_file("/nonexistent.pdf"), SigningError);
}

BOOST_AUTO_TEST_CASE(huge_contents_is_refused) {
    // An incremental update adding a signature whose /Contents is 2 MB.
    std::string doc = make_pdf(1);
    std::size_t prev = std::stoul(doc.substr(doc.rfind("startxref") + 10));
    std::size_t sig_off = doc.size();
    std::string head = "9 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter "
                       "/ETSI.CAdES.detached /ByteRange [0 ";
    std::size_t br_at = doc.size() + head.size();
    doc += head + std::string(40, ' ') + "] /Contents <";
    std::size_t gap_start = doc.size() - 1;
    doc += std::string(4 * 1024 * 1024, '0') + "> >>\nendobj\n";
    std::size_t gap_end = doc.size() - std::string(" >>\nendobj\n").size();
    std::size_t f_off = doc.size();
    doc += "10 0 obj\n<< /FT /Sig /T (Big) /V 9 0 R /Type /Annot /Subtype /Widget /Rect [0 0 0 0] "
           "/P 4 0 R >>\nendobj\n";
    std::size_t c_off = doc.size();
    doc += "11 0 obj\n<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [10 0 R] >> >>\nendobj\n";
    std::size_t xref = doc.size();
    char line[32];
    doc += "xref\n9 3\n";
    for (std::size_t off : {sig_off, f_off, c_off}) {
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", off);
        doc += line;
    }
    doc += "trailer\n<< /Size 12 /Root 11 0 R /Prev " + std::to_string(prev) + " >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    std::string br = std::to_string(gap_start) + " " + std::to_string(gap_end) + " " +
                     std::to_string(doc.size() - gap_end);
    doc.replace(br_at, br.size(), br);
    VerifyReport r = verify(doc);
    BOOST_REQUIRE(r.signatures.size() == 1u);
    BOOST_TEST(!r.signatures[0].valid());
    BOOST_REQUIRE(!r.signatures[0].problems.empty());
    BOOST_TEST(r.signatures[0].problems[0].find("larger than") != std::string::npos,
               r.signatures[0].problems[0]);
}

BOOST_AUTO_TEST_CASE(oversized_file_is_refused_before_parsing) {
    VerifyOptions o;
    o.max_file_size = 1024;
    try {
        PadesVerifier(o).verify_memory(bytes(signed_pdf()), "big.pdf");
        BOOST_FAIL("accepted a file over the limit");
    } catch (const SigningError& e) {
        BOOST_TEST(e.code() == ErrorCode::MalformedPdf);
        BOOST_TEST(std::string(e.what()).find("accepted for verification") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(unsigned_document_has_no_valid_signatures) {
    VerifyReport r = verify(make_pdf(1));
    BOOST_TEST(r.signatures.empty());
    BOOST_TEST(!r.all_valid_and_trusted());
}

BOOST_AUTO_TEST_CASE(json_report_has_the_facts) {
    auto s = signer(pki().ec);
    std::string two = str(PadesSigner(*s).sign_memory(bytes(signed_pdf()), {}));
    auto j = nlohmann::json::parse(verify(two).json());
    BOOST_TEST(j["all_valid_and_trusted"].get<bool>());
    BOOST_TEST(j["revisions"].get<int>() == 3);
    BOOST_REQUIRE(j["signatures"].size() == 2u);
    BOOST_TEST(j["signatures"][0]["coverage"]["whole_file"].get<bool>() == false);
    BOOST_TEST(j["signatures"][0]["coverage"]["changes_after"].get<std::string>() == "signing");
    BOOST_TEST(j["signatures"][1]["coverage"]["whole_file"].get<bool>());
    BOOST_TEST(j["signatures"][1]["signature_algorithm"].get<std::string>() == "ecdsa-with-SHA256");
    BOOST_TEST(j["signatures"][1]["level"].get<std::string>() == "B-B");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(robustness)

// Mutated signed files (flipped bytes, truncations, duplicated tails): the verifier and the signer
// answer with a report or a SigningError, never a crash (run under ASan in CI).
BOOST_AUTO_TEST_CASE(mutated_files_never_crash) {
    std::string base = signed_pdf(2);
    auto s = signer(pki().ec);
    unsigned x = 2026;
    auto rnd = [&] {
        x = x * 1664525u + 1013904223u;
        return x >> 8;
    };
    int reports = 0, errors = 0;
    for (int i = 0; i < 150; ++i) {
        std::string m = base;
        switch (i % 3) {
        case 0:
            for (int k = 0; k < 8; ++k)
                m[rnd() % m.size()] = static_cast<char>(rnd());
            break;
        case 1:
            m.resize(rnd() % m.size());
            break;
        default:
            m += m.substr(rnd() % m.size());
            break;
        }
        try {
            VerifyReport r = verify(m);
            ++reports;
            (void)r.text();
            (void)r.json();
            // Flipped or cut bytes: every byte lies in the last signature's range or its /Contents.
            if (i % 3 != 2 && m != base)
                BOOST_TEST(!r.all_valid_and_trusted(), "mutation " << i << " still verifies");
        } catch (const SigningError&) {
            ++errors;
        }
        try {
            PadesSigner(*s).sign_memory(bytes(m), {});
        } catch (const SigningError&) {
        }
    }
    BOOST_TEST(reports > 0);
    BOOST_TEST(errors > 0);
}

BOOST_AUTO_TEST_SUITE_END()
