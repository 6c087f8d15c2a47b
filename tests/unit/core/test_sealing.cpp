// Sealing decision documents: role checks in core, one transaction (document, blob, audit,
// outbox), nothing written when the key fails, the batch, the officer's presenters.
#include "fixture.h"
#include "ow/core/approval_service.h"
#include "ow/core/card_status.h"
#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/intake_service.h"
#include "ow/core/officer_presenters.h"
#include "ow/core/sealing_service.h"
#include "ow/core/util.h"
#include "ow/signing/error.h"
#include "ow/signing/signer.h"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

using namespace ow::core;
using ow::test::catalog;
using ow::test::count;
using ow::test::restaurant;

namespace {

// A self-signed EC key made with the openssl tool, in the fixture's directory.
std::unique_ptr<ow::signing::SoftwareSigner> test_signer(const std::filesystem::path& dir) {
    const auto key = dir / "seal.key";
    const auto cert = dir / "seal.crt";
    const std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
                            "-keyout '" +
                            key.string() + "' -out '" + cert.string() +
                            "' -days 30 -subj '/CN=Test Seal' 2>/dev/null";
    BOOST_REQUIRE(std::system(cmd.c_str()) == 0);
    return ow::signing::SoftwareSigner::from_files(key, cert);
}

// A key that fails like a card pulled out of the reader.
class PulledCard final : public ow::signing::Signer {
public:
    explicit PulledCard(ow::signing::Signer& real) : real_(real) {}
    const ow::signing::Bytes& certificate() const override { return real_.certificate(); }
    const std::vector<ow::signing::Bytes>& chain() const override { return real_.chain(); }
    ow::signing::KeyAlgorithm algorithm() const override { return real_.algorithm(); }
    int key_bits() const override { return real_.key_bits(); }
    ow::signing::Bytes sign_digest(ow::signing::DigestAlgorithm,
                                   std::span<const std::uint8_t>) override {
        throw ow::signing::SigningError(ow::signing::ErrorCode::TokenRemoved, "card removed");
    }

private:
    ow::signing::Signer& real_;
};

std::vector<std::string> take_in(ow::test::WorkstationFixture& f, int n) {
    auto c = f.clerk();
    IntakeService service(*c, catalog(), ow::forms::WorkingCalendar::builtin());
    std::vector<std::string> numbers;
    for (int i = 0; i < n; ++i)
        numbers.push_back(service.submit(restaurant()).stored.case_number);
    return numbers;
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(sealing, ow::test::WorkstationFixture)

BOOST_AUTO_TEST_CASE(clerks_cannot_reach_any_officer_service) {
    auto numbers = take_in(*this, 1);
    auto signer = test_signer(dir.path);
    auto c = clerk();
    auto expect_denied = [](auto&& f) {
        try {
            f();
            BOOST_FAIL("a clerk got through");
        } catch (const CoreError& e) {
            BOOST_TEST((e.code() == ErrorCode::PermissionDenied));
        }
    };
    SealingService sealing(*c, &catalog());
    expect_denied([&] { sealing.awaiting_seal(); });
    expect_denied([&] { sealing.seal(numbers[0], *signer); });
    expect_denied([&] { sealing.seal_batch(numbers, *signer); });
    expect_denied([&] { sealing.render_decision(numbers[0]); });
    expect_denied([&] { ApprovalService(*c).queue(); });
    ApprovalQueuePresenter queue(*c, ow::forms::WorkingCalendar::builtin());
    expect_denied([&] { queue.rows(); });
    expect_denied([&] { queue.seal_rows(); });
    BOOST_TEST(count(*c, "SELECT count(*) FROM documents WHERE signed = 1") == 0);
}

BOOST_AUTO_TEST_CASE(sealing_stores_document_audit_and_outbox_together) {
    auto numbers = take_in(*this, 2);
    auto signer = test_signer(dir.path);
    auto o = officer();
    ApprovalService approvals(*o);
    SealingService sealing(*o, &catalog());
    // Not decided yet: nothing to seal.
    BOOST_CHECK_THROW(sealing.seal(numbers[0], *signer), CoreError);
    approvals.decide(numbers[0], Decision::Approve, {});
    approvals.decide(numbers[1], Decision::Refuse, {"经营场所与申请材料不符"});
    BOOST_TEST(sealing.awaiting_seal().size() == 2u);

    const auto outbox_before = count(*o, "SELECT count(*) FROM outbox");
    auto sealed = sealing.seal(numbers[1], *signer);
    BOOST_TEST(sealed.kind == "denial-decision");
    BOOST_TEST(count(*o, "SELECT count(*) FROM documents WHERE signed = 1 AND kind = "
                         "'denial-decision'") == 1);
    BOOST_TEST(count(*o, "SELECT count(*) FROM outbox") == outbox_before + 1);
    BOOST_TEST(count(*o, "SELECT count(*) FROM outbox WHERE entity_kind = 'document' AND "
                         "operation = 'create'") == 1);
    BOOST_TEST(count(*o, "SELECT count(*) FROM audit_events WHERE action = 'document.seal'") == 1);
    BOOST_TEST(o->audit().verify().ok());
    BOOST_TEST(sealing.awaiting_seal().size() == 1u);

    // The stored document is the sealed PDF (decrypted in memory), not in plaintext on disk.
    auto pdf = sealing.sealed_document(numbers[1]);
    const std::string text(pdf.begin(), pdf.end());
    BOOST_TEST(text.rfind("%PDF-", 0) == 0u);
    BOOST_TEST(text.find("ETSI.CAdES.detached") != std::string::npos);
    BOOST_TEST(text.find("/DocMDP") != std::string::npos);
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path)) {
        if (!entry.is_regular_file())
            continue;
        BOOST_TEST(ow::test::slurp(entry.path()).find("ETSI.CAdES.detached") == std::string::npos,
                   entry.path());
    }
    // Twice is refused.
    BOOST_CHECK_THROW(sealing.seal(numbers[1], *signer), CoreError);
    // Returned cases have no decision document to seal.
}

BOOST_AUTO_TEST_CASE(a_pulled_card_writes_nothing_and_stops_the_batch) {
    auto numbers = take_in(*this, 3);
    auto signer = test_signer(dir.path);
    auto o = officer();
    ApprovalService approvals(*o);
    for (const auto& n : numbers)
        approvals.decide(n, Decision::Approve, {});
    SealingService sealing(*o, &catalog());
    PulledCard pulled(*signer);
    const auto outbox = count(*o, "SELECT count(*) FROM outbox");
    const auto audit = count(*o, "SELECT count(*) FROM audit_events");
    const auto blobs = count(*o, "SELECT count(*) FROM blobs");
    try {
        sealing.seal(numbers[0], pulled);
        BOOST_FAIL("sealing with a pulled card succeeded");
    } catch (const CoreError& e) {
        BOOST_TEST(e.message_template().find("card was removed") != std::string::npos);
    }
    auto outcomes = sealing.seal_batch(numbers, pulled);
    BOOST_REQUIRE(outcomes.size() == 3u);
    BOOST_TEST(!outcomes[0].sealed);
    BOOST_TEST(outcomes[0].error.has_value());
    BOOST_TEST(outcomes[1].cancelled); // the batch stops at a token failure
    BOOST_TEST(outcomes[2].cancelled);
    BOOST_TEST(count(*o, "SELECT count(*) FROM outbox") == outbox);
    BOOST_TEST(count(*o, "SELECT count(*) FROM audit_events") == audit);
    BOOST_TEST(count(*o, "SELECT count(*) FROM blobs") == blobs);
    BOOST_TEST(sealing.awaiting_seal().size() == 3u);

    // With a good key: progress for each, cancel after the second.
    std::vector<std::string> seen;
    outcomes =
        sealing.seal_batch(numbers, *signer, [&](std::size_t i, std::size_t, const std::string& n) {
            seen.push_back(n);
            return i < 2;
        });
    BOOST_TEST(outcomes[0].sealed);
    BOOST_TEST(outcomes[1].sealed);
    BOOST_TEST(outcomes[2].cancelled);
    BOOST_TEST(seen.size() == 3u);
    BOOST_TEST(sealing.awaiting_seal().size() == 1u);
}

BOOST_AUTO_TEST_CASE(wrong_pin_message_says_tries_left) {
    auto e = seal_error(ow::signing::SigningError(ow::signing::ErrorCode::WrongPin, "x", 2));
    BOOST_TEST((e.code() == ErrorCode::WrongPassword));
    BOOST_TEST(e.arguments().at("tries") == "2");
    auto locked = seal_error(ow::signing::SigningError(ow::signing::ErrorCode::PinLocked, "x"));
    BOOST_TEST(locked.message_template().find("locked") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(queue_shows_time_left_with_warnings) {
    auto numbers = take_in(*this, 1);
    auto o = officer();
    const auto& cal = ow::forms::WorkingCalendar::builtin();
    ApprovalQueuePresenter queue(*o, cal, 2);
    auto rows = queue.rows();
    BOOST_REQUIRE(rows.size() == 1u);
    BOOST_TEST(rows[0].working_days_left > 0);
    CaseSummary s = rows[0].summary;
    s.promised_date = ow::forms::format_date(cal.add_working_days(ow::forms::today(), 1));
    BOOST_TEST((queue.row_for(s).urgency == Urgency::Warning));
    s.promised_date = ow::forms::format_date(cal.add_working_days(ow::forms::today(), 10));
    BOOST_TEST((queue.row_for(s).urgency == Urgency::Normal));
    BOOST_TEST(queue.row_for(s).time_left.arguments.at("days") == "10");
    s.promised_date = "2020-01-02";
    auto late = queue.row_for(s);
    BOOST_TEST((late.urgency == Urgency::Overdue));
    BOOST_TEST(late.time_left.message_template.find("overdue") != std::string::npos);

    auto review = CaseReviewPresenter(*o).load(numbers[0]);
    BOOST_TEST(!review.form.empty());
    BOOST_TEST(!review.materials.empty());
    BOOST_TEST(review.documents.size() == 1u); // the receipt
}

BOOST_AUTO_TEST_CASE(settings_keep_module_and_key_and_refuse_pins) {
    auto o = officer();
    auto s = SealKeySettings::load(*o);
    BOOST_TEST(s.module_path.find("opensc-pkcs11") != std::string::npos);
    s.key_uri = "pkcs11:token=seal;object=officer;type=private";
    s.module_path = "/opt/vendor/pkcs11.so";
    s.save(*o);
    auto again = SealKeySettings::load(*o);
    BOOST_TEST(again.key_uri == s.key_uri);
    BOOST_TEST(again.module_path == s.module_path);
    s.key_uri = "pkcs11:token=seal;pin-value=1234";
    BOOST_CHECK_THROW(s.save(*o), CoreError);
}

BOOST_AUTO_TEST_CASE(card_status_texts) {
    ow::devices::CardPresence p;
    BOOST_TEST(card_status_view(p).text.message_template == "Card service not running");
    p.service = ow::devices::CardService::Running;
    BOOST_TEST(card_status_view(p).text.message_template == "No card reader");
    ow::devices::CardReader r;
    r.name = "Reader 0";
    p.readers.push_back(r);
    BOOST_TEST(card_status_view(p).text.message_template == "No card in {reader}");
    p.readers[0].card_present = true;
    p.readers[0].atr = {0x3B, 0x00};
    auto v = card_status_view(p);
    BOOST_TEST((v.level == CardStatusView::Level::Ready));
    BOOST_TEST(v.details.find("ATR 3B 00") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
