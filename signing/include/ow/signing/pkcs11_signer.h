// PKCS#11 token access: the module is dlopen()ed (OpenSC's in production, SoftHSM2 in tests), the
// key is chosen by an RFC 7512 URI or by its certificate, the PIN goes straight to C_Login.
#pragma once

#include "ow/signing/signer.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ow::signing {

// RFC 7512 PKCS#11 URI, the parts we select on. Unknown attributes are ignored; pin-value is
// refused (PINs never travel in URIs here).
struct Pkcs11Uri {
    std::optional<std::string> token, manufacturer, serial, model, object, type;
    std::optional<Bytes> id;
    std::optional<unsigned long> slot_id;

    static Pkcs11Uri parse(std::string_view uri); // throws SigningError(InvalidArgument)
    std::string to_string() const;
};

struct TokenDescription {
    unsigned long slot_id = 0;
    std::string slot_description;
    bool token_present = false;
    bool token_recognized = false; // false for CKR_TOKEN_NOT_RECOGNIZED (e.g. a bank card)
    std::string label, manufacturer, model, serial;
    bool pin_count_low = false, pin_final_try = false, pin_locked = false;
    std::string uri; // pkcs11:token=...;manufacturer=...;serial=...;model=...
};

struct KeyDescription {
    std::string uri; // selects this key (token + object + id)
    std::string label;
    Bytes id;
    Bytes certificate; // DER, empty when the token holds no certificate for it
    std::string subject;
};

// A loaded PKCS#11 module. C_Initialize on load, C_Finalize and dlclose on destruction, so the
// teardown order is ours and not atexit's (SoftHSM crashes otherwise). Share it between signers.
class Pkcs11Module {
public:
    static std::shared_ptr<Pkcs11Module> load(const std::filesystem::path& module_path);
    ~Pkcs11Module();
    Pkcs11Module(const Pkcs11Module&) = delete;
    Pkcs11Module& operator=(const Pkcs11Module&) = delete;

    const std::filesystem::path& path() const { return path_; }
    // Every slot with its token; slots whose card is absent or not recognised are listed, not
    // fatal.
    std::vector<TokenDescription> tokens() const;
    // Certificates (public objects) on the tokens matching `uri` (default: all tokens).
    std::vector<KeyDescription> certificates(std::string_view uri = "pkcs11:") const;

    struct Impl;
    Impl& impl() const { return *impl_; }

private:
    Pkcs11Module() = default;
    std::filesystem::path path_;
    std::unique_ptr<Impl> impl_;
};

struct Pkcs11Options {
    std::filesystem::path module; // e.g. /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
    std::string key_uri;          // e.g. pkcs11:token=seal;object=officer;type=private
    Bytes certificate;            // or: the key whose certificate is this DER
};

class Pkcs11Signer final : public Signer {
public:
    // Called before each signature with a CKA_ALWAYS_AUTHENTICATE key. Put the PIN into `pin`
    // and return true, or return false to cancel. The signer wipes `pin` after use.
    using PinCallback = std::function<bool(std::vector<char>& pin)>;

    static std::unique_ptr<Pkcs11Signer> open(const Pkcs11Options& options);
    static std::unique_ptr<Pkcs11Signer> open(std::shared_ptr<Pkcs11Module> module,
                                              std::string_view key_uri,
                                              const Bytes& certificate = {});
    ~Pkcs11Signer() override;

    // C_Login(CKU_USER). The caller owns and wipes `pin`; our copies are wiped.
    // Throws WrongPin (with tries left when the token tells), PinLocked, TokenRemoved.
    void login(std::span<const char> pin);
    bool login_required() const;
    void logout();
    void set_pin_callback(PinCallback callback) { pin_callback_ = std::move(callback); }

    const Bytes& certificate() const override { return cert_; }
    const std::vector<Bytes>& chain() const override { return chain_; }
    KeyAlgorithm algorithm() const override { return algorithm_; }
    int key_bits() const override { return bits_; }
    Bytes sign_digest(DigestAlgorithm alg, std::span<const std::uint8_t> digest) override;
    bool pin_per_signature() const override;

    const TokenDescription& token() const { return token_; }
    const std::shared_ptr<Pkcs11Module>& module() const { return module_; }

private:
    Pkcs11Signer() = default;
    void find_key();
    [[noreturn]] void raise(unsigned long rv, const char* call);

    std::shared_ptr<Pkcs11Module> module_;
    Pkcs11Uri uri_;
    TokenDescription token_;
    unsigned long session_ = 0;
    unsigned long key_ = 0;
    bool have_key_ = false;
    bool logged_in_ = false;
    bool always_authenticate_ = false;
    Bytes key_id_;
    std::string key_label_;
    Bytes cert_;
    std::vector<Bytes> chain_;
    KeyAlgorithm algorithm_ = KeyAlgorithm::Rsa;
    int bits_ = 0;
    PinCallback pin_callback_;
};

} // namespace ow::signing
