#include "ow/signing/batch.h"

namespace ow::signing {

namespace {
bool stops_batch(ErrorCode c) {
    switch (c) {
    case ErrorCode::TokenRemoved:
    case ErrorCode::TokenError:
    case ErrorCode::TokenNotFound:
    case ErrorCode::PinLocked:
    case ErrorCode::WrongPin:
    case ErrorCode::PinRequired:
    case ErrorCode::ModuleLoadFailed:
        return true;
    default:
        return false;
    }
}
} // namespace

std::vector<BatchItemResult> sign_batch(Signer& signer, const std::vector<BatchItem>& items,
                                        const BatchProgressFn& progress) {
    std::vector<BatchItemResult> out(items.size());
    PadesSigner pades(signer);
    std::optional<SigningError> stop;
    bool cancelled = false;
    for (std::size_t i = 0; i < items.size(); ++i) {
        BatchItemResult& r = out[i];
        r.input = items[i].input;
        r.output = items[i].output;
        if (stop) {
            r.status = BatchStatus::Skipped;
            r.error = stop->code();
            r.message = std::string("not signed: ") + stop->what();
            continue;
        }
        if (!cancelled && progress && !progress({i, items.size(), items[i].input}))
            cancelled = true;
        if (cancelled) {
            r.status = BatchStatus::Cancelled;
            r.message = "cancelled";
            continue;
        }
        try {
            r.result = pades.sign_file(items[i].input, items[i].output, items[i].options);
            r.status = BatchStatus::Signed;
        } catch (const SigningError& e) {
            r.status = BatchStatus::Failed;
            r.error = e.code();
            r.message = e.what();
            if (stops_batch(e.code()))
                stop = e;
        } catch (const std::exception& e) {
            r.status = BatchStatus::Failed;
            r.error = ErrorCode::IoError;
            r.message = e.what();
        }
    }
    if (progress && !cancelled)
        progress({items.size(), items.size(), {}});
    return out;
}

} // namespace ow::signing
