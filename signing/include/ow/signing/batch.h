// Batch sealing: many documents, one login. Log the Pkcs11Signer in once before the batch; keys
// with CKA_ALWAYS_AUTHENTICATE ask their PinCallback before each document. A bad document is
// recorded and the batch goes on; a token failure (card pulled, PIN locked) stops the batch and
// marks the rest as not signed.
#pragma once

#include "ow/signing/error.h"
#include "ow/signing/pades_signer.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ow::signing {

struct BatchItem {
    std::filesystem::path input, output;
    SignOptions options; // per document: page, position, field, certification...
};

enum class BatchStatus { Signed, Failed, Skipped, Cancelled };

struct BatchItemResult {
    std::filesystem::path input, output;
    BatchStatus status = BatchStatus::Skipped;
    std::optional<ErrorCode> error;
    std::string message;
    SignResult result; // when Signed
};

struct BatchProgress {
    std::size_t index = 0; // of the document about to be signed (0-based)
    std::size_t total = 0;
    std::filesystem::path input;
};

// Return false to cancel the rest of the batch.
using BatchProgressFn = std::function<bool(const BatchProgress&)>;

std::vector<BatchItemResult> sign_batch(Signer& signer, const std::vector<BatchItem>& items,
                                        const BatchProgressFn& progress = {});

} // namespace ow::signing
