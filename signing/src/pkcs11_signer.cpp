#include "ow/signing/pkcs11_signer.h"

#include "der.h"
#include "ossl.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <p11-kit/pkcs11.h>

namespace ow::signing {

using namespace detail;

// ------------------------------------------------------------------------------------ URI

namespace {

std::string pct_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            int hi = i + 2 < s.size() ? hex_digit_value(s[i + 1]) : -1;
            int lo = i + 2 < s.size() ? hex_digit_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                throw SigningError(ErrorCode::InvalidArgument, "bad %-escape in PKCS#11 URI");
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string pct_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '(' ||
            c == ')' || c == '&' || c == '+' || c == ',' || c == '=' || c == ':' || c == '@' ||
            c == '!' || c == '$' || c == '\'' || c == '*') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

std::string fixed(const unsigned char* p, std::size_t n) {
    std::string s(reinterpret_cast<const char*>(p), n);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\0'))
        s.pop_back();
    return s;
}

} // namespace

Pkcs11Uri Pkcs11Uri::parse(std::string_view uri) {
    constexpr std::string_view scheme = "pkcs11:";
    if (uri.size() < scheme.size() || uri.substr(0, scheme.size()) != scheme)
        throw SigningError(ErrorCode::InvalidArgument,
                           "a PKCS#11 key URI must start with 'pkcs11:' (RFC 7512)");
    uri.remove_prefix(scheme.size());
    std::string_view path = uri, query;
    if (auto q = uri.find('?'); q != std::string_view::npos) {
        path = uri.substr(0, q);
        query = uri.substr(q + 1);
    }
    Pkcs11Uri out;
    auto each = [](std::string_view list, char sep, auto fn) {
        while (!list.empty()) {
            auto end = list.find(sep);
            std::string_view item = list.substr(0, end);
            if (!item.empty()) {
                auto eq = item.find('=');
                if (eq == std::string_view::npos)
                    throw SigningError(ErrorCode::InvalidArgument,
                                       "PKCS#11 URI attribute without '=': " + std::string(item));
                fn(item.substr(0, eq), pct_decode(item.substr(eq + 1)));
            }
            if (end == std::string_view::npos)
                break;
            list.remove_prefix(end + 1);
        }
    };
    each(path, ';', [&](std::string_view k, std::string v) {
        if (k == "token")
            out.token = v;
        else if (k == "manufacturer")
            out.manufacturer = v;
        else if (k == "serial")
            out.serial = v;
        else if (k == "model")
            out.model = v;
        else if (k == "object")
            out.object = v;
        else if (k == "type")
            out.type = v;
        else if (k == "id")
            out.id = Bytes(v.begin(), v.end());
        else if (k == "slot-id") {
            try {
                out.slot_id = std::stoul(v);
            } catch (const std::exception&) {
                throw SigningError(ErrorCode::InvalidArgument, "bad slot-id in PKCS#11 URI");
            }
        }
    });
    each(query, '&', [&](std::string_view k, std::string v) {
        if (k == "pin-value") {
            OPENSSL_cleanse(v.data(), v.size());
            throw SigningError(ErrorCode::InvalidArgument,
                               "PINs are not accepted inside PKCS#11 URIs; enter the PIN instead");
        }
    });
    return out;
}

std::string Pkcs11Uri::to_string() const {
    std::string out = "pkcs11:";
    auto add = [&](const char* k, const std::optional<std::string>& v) {
        if (!v)
            return;
        if (out.back() != ':')
            out += ';';
        out += k;
        out += '=';
        out += pct_encode(*v);
    };
    add("token", token);
    add("manufacturer", manufacturer);
    add("serial", serial);
    add("model", model);
    add("object", object);
    if (id) {
        if (out.back() != ':')
            out += ';';
        out += "id=";
        static const char* hex = "0123456789ABCDEF";
        for (auto b : *id) {
            out += '%';
            out += hex[b >> 4];
            out += hex[b & 15];
        }
    }
    add("type", type);
    if (slot_id)
        out += (out.back() == ':' ? "" : ";") + std::string("slot-id=") + std::to_string(*slot_id);
    return out;
}

// ------------------------------------------------------------------------------------ module

struct Pkcs11Module::Impl {
    void* handle = nullptr;
    CK_FUNCTION_LIST* f = nullptr;
    bool initialized_by_us = false;
};

namespace {

std::string rv_name(CK_RV rv) {
    switch (rv) {
    case CKR_GENERAL_ERROR:
        return "CKR_GENERAL_ERROR";
    case CKR_FUNCTION_FAILED:
        return "CKR_FUNCTION_FAILED";
    case CKR_DEVICE_ERROR:
        return "CKR_DEVICE_ERROR";
    case CKR_DEVICE_REMOVED:
        return "CKR_DEVICE_REMOVED";
    case CKR_TOKEN_NOT_PRESENT:
        return "CKR_TOKEN_NOT_PRESENT";
    case CKR_TOKEN_NOT_RECOGNIZED:
        return "CKR_TOKEN_NOT_RECOGNIZED";
    case CKR_SESSION_HANDLE_INVALID:
        return "CKR_SESSION_HANDLE_INVALID";
    case CKR_SESSION_CLOSED:
        return "CKR_SESSION_CLOSED";
    case CKR_PIN_INCORRECT:
        return "CKR_PIN_INCORRECT";
    case CKR_PIN_LOCKED:
        return "CKR_PIN_LOCKED";
    case CKR_USER_NOT_LOGGED_IN:
        return "CKR_USER_NOT_LOGGED_IN";
    case CKR_MECHANISM_INVALID:
        return "CKR_MECHANISM_INVALID";
    case CKR_KEY_FUNCTION_NOT_PERMITTED:
        return "CKR_KEY_FUNCTION_NOT_PERMITTED";
    default: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "CKR 0x%lX", static_cast<unsigned long>(rv));
        return buf;
    }
    }
}

TokenDescription describe(CK_FUNCTION_LIST* f, CK_SLOT_ID slot) {
    TokenDescription d;
    d.slot_id = slot;
    CK_SLOT_INFO si{};
    if (f->C_GetSlotInfo(slot, &si) == CKR_OK) {
        d.slot_description = fixed(si.slotDescription, sizeof si.slotDescription);
        d.token_present = (si.flags & CKF_TOKEN_PRESENT) != 0;
    }
    if (!d.token_present)
        return d;
    CK_TOKEN_INFO ti{};
    CK_RV rv = f->C_GetTokenInfo(slot, &ti);
    if (rv != CKR_OK) // CKR_TOKEN_NOT_RECOGNIZED: a bank card or eID in another reader
        return d;
    d.token_recognized = true;
    d.label = fixed(ti.label, sizeof ti.label);
    d.manufacturer = fixed(ti.manufacturerID, sizeof ti.manufacturerID);
    d.model = fixed(ti.model, sizeof ti.model);
    d.serial = fixed(ti.serialNumber, sizeof ti.serialNumber);
    d.pin_count_low = (ti.flags & CKF_USER_PIN_COUNT_LOW) != 0;
    d.pin_final_try = (ti.flags & CKF_USER_PIN_FINAL_TRY) != 0;
    d.pin_locked = (ti.flags & CKF_USER_PIN_LOCKED) != 0;
    Pkcs11Uri u;
    u.token = d.label;
    u.manufacturer = d.manufacturer;
    u.serial = d.serial;
    u.model = d.model;
    d.uri = u.to_string();
    return d;
}

std::vector<CK_SLOT_ID> slots_with_token(CK_FUNCTION_LIST* f) {
    CK_ULONG n = 0;
    CK_RV rv = f->C_GetSlotList(CK_TRUE, nullptr, &n);
    if (rv != CKR_OK)
        throw SigningError(ErrorCode::TokenError, "C_GetSlotList failed: " + rv_name(rv));
    std::vector<CK_SLOT_ID> slots(n);
    if (n && (rv = f->C_GetSlotList(CK_TRUE, slots.data(), &n)) != CKR_OK)
        throw SigningError(ErrorCode::TokenError, "C_GetSlotList failed: " + rv_name(rv));
    slots.resize(n);
    return slots;
}

bool token_matches(const Pkcs11Uri& u, const TokenDescription& t) {
    if (!t.token_recognized)
        return false;
    if (u.slot_id && *u.slot_id != t.slot_id)
        return false;
    return (!u.token || *u.token == t.label) &&
           (!u.manufacturer || *u.manufacturer == t.manufacturer) &&
           (!u.serial || *u.serial == t.serial) && (!u.model || *u.model == t.model);
}

Bytes get_attr(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t) {
    CK_ATTRIBUTE a{t, nullptr, 0};
    if (f->C_GetAttributeValue(s, o, &a, 1) != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
        return {};
    Bytes v(a.ulValueLen);
    a.pValue = v.data();
    if (f->C_GetAttributeValue(s, o, &a, 1) != CKR_OK)
        return {};
    v.resize(a.ulValueLen);
    return v;
}

std::vector<CK_OBJECT_HANDLE> find(CK_FUNCTION_LIST* f, CK_SESSION_HANDLE s,
                                   std::vector<CK_ATTRIBUTE> templ) {
    std::vector<CK_OBJECT_HANDLE> out;
    if (f->C_FindObjectsInit(s, templ.data(), templ.size()) != CKR_OK)
        return out;
    CK_OBJECT_HANDLE h[16];
    CK_ULONG n = 0;
    while (f->C_FindObjects(s, h, 16, &n) == CKR_OK && n > 0)
        out.insert(out.end(), h, h + n);
    f->C_FindObjectsFinal(s);
    return out;
}

} // namespace

std::shared_ptr<Pkcs11Module> Pkcs11Module::load(const std::filesystem::path& module_path) {
    std::shared_ptr<Pkcs11Module> m(new Pkcs11Module());
    m->path_ = module_path;
    m->impl_ = std::make_unique<Impl>();
    m->impl_->handle = dlopen(module_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!m->impl_->handle) {
        const char* e = dlerror();
        throw SigningError(ErrorCode::ModuleLoadFailed, "cannot load the PKCS#11 module '" +
                                                            module_path.string() +
                                                            "': " + (e ? e : "unknown error"));
    }
    auto get = reinterpret_cast<CK_C_GetFunctionList>(dlsym(m->impl_->handle, "C_GetFunctionList"));
    if (!get || get(&m->impl_->f) != CKR_OK || !m->impl_->f)
        throw SigningError(ErrorCode::ModuleLoadFailed,
                           "'" + module_path.string() + "' is not a PKCS#11 module");
    CK_C_INITIALIZE_ARGS args{};
    args.flags = CKF_OS_LOCKING_OK;
    CK_RV rv = m->impl_->f->C_Initialize(&args);
    if (rv == CKR_OK)
        m->impl_->initialized_by_us = true;
    else if (rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
        throw SigningError(ErrorCode::ModuleLoadFailed,
                           "C_Initialize of '" + module_path.string() + "' failed: " + rv_name(rv));
    return m;
}

Pkcs11Module::~Pkcs11Module() {
    if (!impl_)
        return;
    if (impl_->f && impl_->initialized_by_us)
        impl_->f->C_Finalize(nullptr);
    if (impl_->handle)
        dlclose(impl_->handle);
}

std::vector<TokenDescription> Pkcs11Module::tokens() const {
    CK_ULONG n = 0;
    auto* f = impl_->f;
    if (f->C_GetSlotList(CK_FALSE, nullptr, &n) != CKR_OK)
        return {};
    std::vector<CK_SLOT_ID> slots(n);
    if (n && f->C_GetSlotList(CK_FALSE, slots.data(), &n) != CKR_OK)
        return {};
    slots.resize(n);
    std::vector<TokenDescription> out;
    for (auto s : slots)
        out.push_back(describe(f, s));
    return out;
}

std::vector<KeyDescription> Pkcs11Module::certificates(std::string_view uri_text) const {
    Pkcs11Uri uri = Pkcs11Uri::parse(uri_text);
    auto* f = impl_->f;
    std::vector<KeyDescription> out;
    for (auto slot : slots_with_token(f)) {
        TokenDescription t = describe(f, slot);
        if (!token_matches(uri, t))
            continue;
        CK_SESSION_HANDLE s = 0;
        if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &s) != CKR_OK)
            continue;
        CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
        for (auto h : find(f, s, {{CKA_CLASS, &cls, sizeof cls}})) {
            KeyDescription k;
            Bytes label = get_attr(f, s, h, CKA_LABEL);
            k.label.assign(label.begin(), label.end());
            k.id = get_attr(f, s, h, CKA_ID);
            k.certificate = get_attr(f, s, h, CKA_VALUE);
            if (!k.certificate.empty()) {
                const unsigned char* p = k.certificate.data();
                X509Ptr c(d2i_X509(nullptr, &p, static_cast<long>(k.certificate.size())));
                if (c)
                    k.subject = x509_name(X509_get_subject_name(c.get()));
                ERR_clear_error();
            }
            Pkcs11Uri ku;
            ku.token = t.label;
            ku.object = k.label;
            if (!k.id.empty())
                ku.id = k.id;
            ku.type = "private";
            k.uri = ku.to_string();
            out.push_back(std::move(k));
        }
        f->C_CloseSession(s);
    }
    return out;
}

// ------------------------------------------------------------------------------------ signer

std::unique_ptr<Pkcs11Signer> Pkcs11Signer::open(const Pkcs11Options& options) {
    if (options.module.empty())
        throw SigningError(ErrorCode::InvalidArgument, "no PKCS#11 module configured");
    return open(Pkcs11Module::load(options.module), options.key_uri, options.certificate);
}

std::unique_ptr<Pkcs11Signer> Pkcs11Signer::open(std::shared_ptr<Pkcs11Module> module,
                                                 std::string_view key_uri, const Bytes& cert) {
    if (key_uri.empty() && cert.empty())
        throw SigningError(ErrorCode::InvalidArgument,
                           "choose the key by a PKCS#11 URI or by its certificate");
    std::unique_ptr<Pkcs11Signer> p(new Pkcs11Signer());
    p->module_ = std::move(module);
    p->uri_ = Pkcs11Uri::parse(key_uri.empty() ? std::string_view("pkcs11:") : key_uri);
    auto* f = p->module_->impl().f;
    std::size_t seen = 0;
    for (auto slot : slots_with_token(f)) {
        TokenDescription t = describe(f, slot);
        if (!token_matches(p->uri_, t))
            continue;
        ++seen;
        CK_SESSION_HANDLE s = 0;
        if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &s) != CKR_OK)
            continue;
        CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
        std::vector<CK_ATTRIBUTE> templ{{CKA_CLASS, &cls, sizeof cls}};
        std::string label = p->uri_.object.value_or("");
        Bytes id = p->uri_.id.value_or(Bytes{});
        Bytes want = cert;
        if (!want.empty())
            templ.push_back({CKA_VALUE, want.data(), want.size()});
        if (p->uri_.object)
            templ.push_back({CKA_LABEL, label.data(), label.size()});
        if (p->uri_.id)
            templ.push_back({CKA_ID, id.data(), id.size()});
        auto found = find(f, s, templ);
        if (found.empty() && p->uri_.object && want.empty()) {
            // The certificate may carry another label than the key: go through the key's ID.
            for (CK_OBJECT_CLASS kc : {CKO_PUBLIC_KEY, CKO_PRIVATE_KEY}) {
                std::vector<CK_ATTRIBUTE> kt{{CKA_CLASS, &kc, sizeof kc},
                                             {CKA_LABEL, label.data(), label.size()}};
                for (auto h : find(f, s, kt)) {
                    Bytes kid = get_attr(f, s, h, CKA_ID);
                    if (kid.empty())
                        continue;
                    found = find(f, s,
                                 {{CKA_CLASS, &cls, sizeof cls}, {CKA_ID, kid.data(), kid.size()}});
                    if (!found.empty())
                        break;
                }
                if (!found.empty())
                    break;
            }
        }
        if (found.empty()) {
            f->C_CloseSession(s);
            continue;
        }
        p->session_ = s;
        p->token_ = t;
        p->cert_ = get_attr(f, s, found[0], CKA_VALUE);
        p->key_id_ = get_attr(f, s, found[0], CKA_ID);
        Bytes l = get_attr(f, s, found[0], CKA_LABEL);
        p->key_label_ = p->uri_.object.value_or(std::string(l.begin(), l.end()));
        break;
    }
    if (p->cert_.empty()) {
        if (seen == 0)
            throw SigningError(ErrorCode::TokenNotFound,
                               "no token matches '" + std::string(key_uri) +
                                   "' (is the card inserted and recognised?)");
        throw SigningError(ErrorCode::CertificateNotFound,
                           "the token holds no certificate for the key '" + std::string(key_uri) +
                               "'");
    }
    X509Ptr c = x509_from_der(p->cert_);
    EVP_PKEY* pub = X509_get0_pubkey(c.get());
    int base = pub ? EVP_PKEY_get_base_id(pub) : 0;
    if (base == EVP_PKEY_RSA)
        p->algorithm_ = KeyAlgorithm::Rsa;
    else if (base == EVP_PKEY_EC)
        p->algorithm_ = KeyAlgorithm::Ecdsa;
    else
        throw SigningError(ErrorCode::UnsupportedKey, "the token key is neither RSA nor ECDSA");
    p->bits_ = EVP_PKEY_get_bits(pub);
    return p;
}

Pkcs11Signer::~Pkcs11Signer() {
    if (!module_ || !session_)
        return;
    auto* f = module_->impl().f;
    if (logged_in_)
        f->C_Logout(session_);
    f->C_CloseSession(session_);
}

bool Pkcs11Signer::login_required() const {
    CK_TOKEN_INFO ti{};
    if (module_->impl().f->C_GetTokenInfo(token_.slot_id, &ti) != CKR_OK)
        return true;
    return (ti.flags & CKF_LOGIN_REQUIRED) != 0;
}

void Pkcs11Signer::raise(unsigned long rv, const char* call) {
    auto* f = module_->impl().f;
    std::string where = std::string(call) + " on token '" + token_.label + "'";
    switch (rv) {
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_SESSION_HANDLE_INVALID:
    case CKR_SESSION_CLOSED:
        throw SigningError(ErrorCode::TokenRemoved,
                           "the card was removed (" + where + ": " + rv_name(rv) + ")");
    default:
        break;
    }
    // OpenSC on some cards answers CKR_GENERAL_ERROR when the card was pulled: look at the slot.
    CK_SLOT_INFO si{};
    if (f->C_GetSlotInfo(token_.slot_id, &si) != CKR_OK || !(si.flags & CKF_TOKEN_PRESENT))
        throw SigningError(ErrorCode::TokenRemoved,
                           "the card was removed (" + where + ": " + rv_name(rv) + ")");
    throw SigningError(ErrorCode::TokenError, where + " failed: " + rv_name(rv));
}

void Pkcs11Signer::login(std::span<const char> pin) {
    auto* f = module_->impl().f;
    std::vector<unsigned char> copy(pin.begin(), pin.end());
    CK_RV rv = f->C_Login(session_, CKU_USER, copy.data(), copy.size());
    OPENSSL_cleanse(copy.data(), copy.size());
    if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN) {
        logged_in_ = true;
        find_key();
        return;
    }
    if (rv == CKR_PIN_LOCKED)
        throw SigningError(ErrorCode::PinLocked,
                           "the PIN of token '" + token_.label +
                               "' is locked; ask an administrator to unblock it");
    bool wrong = rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE;
    if (rv == CKR_GENERAL_ERROR) {
        // Some cards (OpenSC + CAC emulation) report a refused PIN as a general error. If the card
        // is still there, that is what it was.
        CK_SLOT_INFO si{};
        wrong = f->C_GetSlotInfo(token_.slot_id, &si) == CKR_OK && (si.flags & CKF_TOKEN_PRESENT);
    }
    if (!wrong)
        raise(rv, "C_Login");
    TokenDescription now = describe(f, token_.slot_id);
    if (now.pin_locked)
        throw SigningError(ErrorCode::PinLocked,
                           "wrong PIN: the PIN of token '" + token_.label + "' is now locked");
    std::optional<int> tries;
    std::string msg = "wrong PIN for token '" + token_.label + "'";
    if (now.pin_final_try) {
        tries = 1;
        msg += "; 1 try left before the PIN locks";
    } else if (now.pin_count_low) {
        msg += "; few tries left before the PIN locks";
    }
    throw SigningError(ErrorCode::WrongPin, msg, tries);
}

void Pkcs11Signer::logout() {
    if (logged_in_)
        module_->impl().f->C_Logout(session_);
    logged_in_ = false;
    have_key_ = false;
}

void Pkcs11Signer::find_key() {
    auto* f = module_->impl().f;
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    std::vector<CK_ATTRIBUTE> templ{{CKA_CLASS, &cls, sizeof cls}};
    std::string label = key_label_;
    if (!key_id_.empty())
        templ.push_back({CKA_ID, key_id_.data(), key_id_.size()});
    else
        templ.push_back({CKA_LABEL, label.data(), label.size()});
    auto found = find(f, session_, templ);
    if (found.empty())
        throw SigningError(ErrorCode::KeyNotFound,
                           "no private key for the certificate on token '" + token_.label + "'");
    key_ = found[0];
    have_key_ = true;
    Bytes aa = get_attr(f, session_, key_, CKA_ALWAYS_AUTHENTICATE);
    always_authenticate_ = !aa.empty() && aa[0] != 0;
}

bool Pkcs11Signer::pin_per_signature() const {
    return always_authenticate_;
}

Bytes Pkcs11Signer::sign_digest(DigestAlgorithm alg, std::span<const std::uint8_t> dg) {
    auto* f = module_->impl().f;
    if (dg.size() != digest_size(alg))
        throw SigningError(ErrorCode::InvalidArgument,
                           "digest length does not match its algorithm");
    if (!have_key_) {
        if (!logged_in_ && login_required())
            throw SigningError(ErrorCode::PinRequired,
                               "log in to token '" + token_.label + "' with the PIN first");
        find_key();
    }
    // CKM_RSA_PKCS pads and signs what it is given: the DigestInfo. CKM_ECDSA signs the digest.
    CK_MECHANISM mech{};
    mech.mechanism = algorithm_ == KeyAlgorithm::Rsa ? CKM_RSA_PKCS : CKM_ECDSA;
    Bytes data =
        algorithm_ == KeyAlgorithm::Rsa ? der::digest_info(alg, dg) : Bytes(dg.begin(), dg.end());
    CK_RV rv = f->C_SignInit(session_, &mech, key_);
    if (rv != CKR_OK)
        raise(rv, "C_SignInit");
    if (always_authenticate_) {
        std::vector<char> pin;
        bool ok = pin_callback_ && pin_callback_(pin);
        if (!ok || pin.empty()) {
            OPENSSL_cleanse(pin.data(), pin.size());
            Bytes dummy(1024);
            CK_ULONG n = dummy.size();
            f->C_Sign(session_, data.data(), data.size(), dummy.data(), &n); // ends the operation
            throw SigningError(ErrorCode::PinRequired,
                               "this key asks for the PIN before every signature");
        }
        rv = f->C_Login(session_, CKU_CONTEXT_SPECIFIC,
                        reinterpret_cast<unsigned char*>(pin.data()), pin.size());
        OPENSSL_cleanse(pin.data(), pin.size());
        if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID)
            throw SigningError(ErrorCode::WrongPin, "wrong PIN for token '" + token_.label + "'");
        if (rv == CKR_PIN_LOCKED)
            throw SigningError(ErrorCode::PinLocked,
                               "the PIN of token '" + token_.label + "' is locked");
        if (rv != CKR_OK)
            raise(rv, "C_Login(context-specific)");
    }
    Bytes sig(1024);
    CK_ULONG n = sig.size();
    rv = f->C_Sign(session_, data.data(), data.size(), sig.data(), &n);
    if (rv != CKR_OK)
        raise(rv, "C_Sign");
    sig.resize(n);
    if (algorithm_ == KeyAlgorithm::Ecdsa) {
        // PKCS#11 gives r || s; CMS wants the DER Ecdsa-Sig-Value.
        if (n % 2 != 0 || n == 0)
            throw SigningError(ErrorCode::TokenError,
                               "the token returned a malformed ECDSA signature");
        ECDSA_SIG* es = ECDSA_SIG_new();
        BIGNUM* r = BN_bin2bn(sig.data(), static_cast<int>(n / 2), nullptr);
        BIGNUM* s = BN_bin2bn(sig.data() + n / 2, static_cast<int>(n / 2), nullptr);
        ECDSA_SIG_set0(es, r, s);
        int len = i2d_ECDSA_SIG(es, nullptr);
        Bytes der(static_cast<std::size_t>(len));
        unsigned char* p = der.data();
        i2d_ECDSA_SIG(es, &p);
        ECDSA_SIG_free(es);
        return der;
    }
    return sig;
}

} // namespace ow::signing
