// Batch sealing: per-document options, progress, bad files, a token failure mid-batch.
#include "fixtures.h"
#include "ow/signing/batch.h"
#include "ow/signing/pades_verifier.h"

#include <boost/test/unit_test.hpp>

using namespace ow::signing;
using namespace ow::signing::test;
namespace fs = std::filesystem;

namespace {
class CountingSigner : public Signer {
public:
    CountingSigner(Signer& real, int fail_at) : real_(real), fail_at_(fail_at) {}
    const Bytes& certificate() const override { return real_.certificate(); }
    const std::vector<Bytes>& chain() const override { return real_.chain(); }
    KeyAlgorithm algorithm() const override { return real_.algorithm(); }
    int key_bits() const override { return real_.key_bits(); }
    Bytes sign_digest(DigestAlgorithm a, std::span<const std::uint8_t> d) override {
        if (++calls == fail_at_)
            throw SigningError(ErrorCode::TokenRemoved, "the card was removed");
        return real_.sign_digest(a, d);
    }
    int calls = 0;

private:
    Signer& real_;
    int fail_at_;
};
} // namespace

BOOST_AUTO_TEST_SUITE(batch)

BOOST_AUTO_TEST_CASE(batch_goes_past_a_bad_file_and_reports_each_document) {
    fs::path dir = temp_dir();
    auto s = signer(pki().ec);
    std::vector<BatchItem> items;
    for (int i = 0; i < 4; ++i) {
        fs::path in = dir / ("in" + std::to_string(i) + ".pdf");
        write_file(in, i == 1 ? std::string("broken") : make_pdf(i + 1));
        BatchItem it{in, dir / ("out" + std::to_string(i) + ".pdf"), {}};
        it.options.seal = SealAppearance{};
        it.options.seal->page = i + 1 > 1 ? 2 : 1; // per-document page and position
        it.options.seal->rect = {50.0 + 10 * i, 50, 120, 60};
        it.options.seal->text_lines = {"批量签章 " + std::to_string(i)};
        items.push_back(it);
    }
    std::vector<std::size_t> seen;
    auto results = sign_batch(*s, items, [&](const BatchProgress& p) {
        seen.push_back(p.index);
        BOOST_TEST(p.total == 4u);
        return true;
    });
    BOOST_TEST((seen == std::vector<std::size_t>{0, 1, 2, 3, 4}));
    BOOST_REQUIRE(results.size() == 4u);
    BOOST_TEST(static_cast<int>(results[0].status) == static_cast<int>(BatchStatus::Signed));
    BOOST_TEST(static_cast<int>(results[1].status) == static_cast<int>(BatchStatus::Failed));
    BOOST_TEST(static_cast<int>(*results[1].error) == static_cast<int>(ErrorCode::MalformedPdf));
    BOOST_TEST(static_cast<int>(results[2].status) == static_cast<int>(BatchStatus::Signed));
    BOOST_TEST(static_cast<int>(results[3].status) == static_cast<int>(BatchStatus::Signed));
    BOOST_TEST(!fs::exists(dir / "out1.pdf"));
    VerifyOptions vo;
    vo.trust_anchors = {pki().ca.cert_file};
    for (int i : {0, 2, 3})
        BOOST_TEST(PadesVerifier(vo)
                       .verify_file(dir / ("out" + std::to_string(i) + ".pdf"))
                       .all_valid_and_trusted());
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(token_failure_stops_the_batch_and_cancel_works) {
    fs::path dir = temp_dir();
    auto real = signer(pki().rsa);
    CountingSigner s(*real, 2);
    std::vector<BatchItem> items;
    for (int i = 0; i < 3; ++i) {
        write_file(dir / ("in" + std::to_string(i) + ".pdf"), make_pdf(1));
        items.push_back({dir / ("in" + std::to_string(i) + ".pdf"),
                         dir / ("out" + std::to_string(i) + ".pdf"),
                         {}});
    }
    auto r = sign_batch(s, items);
    BOOST_TEST(static_cast<int>(r[0].status) == static_cast<int>(BatchStatus::Signed));
    BOOST_TEST(static_cast<int>(r[1].status) == static_cast<int>(BatchStatus::Failed));
    BOOST_TEST(static_cast<int>(r[2].status) == static_cast<int>(BatchStatus::Skipped));
    BOOST_TEST(s.calls == 2);
    BOOST_TEST(!fs::exists(dir / "out1.pdf"));
    BOOST_TEST(!fs::exists(dir / "out2.pdf"));

    auto c = sign_batch(*real, items, [](const BatchProgress& p) { return p.index < 1; });
    BOOST_TEST(static_cast<int>(c[0].status) == static_cast<int>(BatchStatus::Signed));
    BOOST_TEST(static_cast<int>(c[1].status) == static_cast<int>(BatchStatus::Cancelled));
    BOOST_TEST(static_cast<int>(c[2].status) == static_cast<int>(BatchStatus::Cancelled));
    fs::remove_all(dir);
}

BOOST_AUTO_TEST_SUITE_END()
