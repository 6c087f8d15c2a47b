// The documents the counter issues (行政许可法 Art. 32), rendered to PDF with cairo + pango:
//   - Receipt:       受理通知书（材料接收凭证）— acceptance with the list of received materials,
//                    the promised completion date, deferred (容缺) materials and their deadline;
//   - OneTimeNotice: 一次性告知书 — every missing material, told in one go, with the deadline;
//   - Refusal:       不予受理通知书 — the reasons, and the applicant's rights to administrative
//                    review (行政复议) and lawsuit (行政诉讼).
//   - Approval:      准予行政许可决定书 — the officer's decision to grant (Art. 38 para. 1);
//   - Denial:        不予行政许可决定书 — the decision to deny, with the reasons and the
//   applicant's
//                    rights (Art. 38 para. 2). Both are sealed by the officer; the renderer says
//                    where the seal goes (SealPlacement).
// Every page carries the case number (办件编号) and a QR code of it (or of query_url). Fonts:
// "DejaVu Sans, Noto Sans CJK SC" with the pango language zh-cn, embedded as subsets by cairo.
//
// The input is a plain struct: the caller (client/core) fills it from the case; nothing here
// reads the catalog or the cache.
#pragma once

#include "ow/forms/merge.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ow::forms {

enum class DocumentKind { Receipt, OneTimeNotice, Refusal, Approval, Denial };

const char* to_string(DocumentKind kind);
// The document's Chinese title, e.g. "受理通知书".
const char* document_title(DocumentKind kind);

struct DocumentParty {
    std::string name;
    std::string id_label; // "公民身份号码", "统一社会信用代码" …
    std::string id_number;
    std::string phone;
    std::string address;
};

struct DocumentItem {
    std::string code;
    std::string name;
    std::string time_limit;    // "5个工作日", "即办件"
    std::string promised_date; // "2026-12-07" (承诺办结日期), "" for a refusal / notice
};

struct DocumentMaterial {
    std::string name;
    MaterialStatus status = MaterialStatus::Received;
    int originals = 0;
    int copies = 0;
    std::string form;        // "纸质", "电子" …
    std::string requirement; // 受理标准 / what is needed (shown in the one-time notice)
    std::string note;        // e.g. "电子证照 1.2.156.3005.2…", "请于2026-12-12前补交"
};

struct CaseDocument {
    DocumentKind kind = DocumentKind::Receipt;
    std::string case_number;     // 办件编号
    std::string document_number; // 受理文书编号 / 文号, e.g. "呼政服受〔2026〕0001号"
    std::string center_name;     // 呼和浩特市政务服务中心
    std::string organ_name;      // 受理机关 (the seal's owner)
    DocumentParty applicant;
    DocumentParty agent; // name empty = no agent
    std::vector<DocumentItem> items;
    std::vector<DocumentMaterial> materials;
    std::string received_at;   // "2026-11-28 10:32"
    std::string issue_date;    // "2026-11-28"
    std::string clerk_name;    // 受理人
    std::string contact_phone; // 咨询电话
    std::string query_url;     // QR payload; the case number when empty
    // Receipt: deadline for deferred (容缺) materials. Notice: deadline for the supplement.
    std::string supplement_deadline;
    // Refusal.
    std::vector<std::string> refusal_reasons;
    std::string refusal_basis;   // legal basis of the refusal
    std::string competent_organ; // where to apply instead (not this organ's competence)
    std::string review_organ;    // 行政复议机关
    std::string court;           // 人民法院
    // Approval / Denial (行政许可决定). refusal_reasons carry a denial's reasons.
    std::string decision_basis; // legal basis of the decision
    std::string officer_name;   // 承办人 (the approving officer)
    std::string decided_at;     // "2026-11-28"
};

// Where the organ's seal belongs on a rendered document: over "（专用章）" in the signature block.
// PDF points, origin at the bottom left of the page.
struct SealPlacement {
    int page = 1; // 1-based
    double x = 0, y = 0, width = 0, height = 0;
};

struct RenderOptions {
    std::string font_family = "DejaVu Sans,Noto Sans CJK SC";
    std::string language = "zh-cn";
    // > 0: render_document returns a PNG of every page stacked top to bottom at this resolution
    // (the on-screen preview, drawn by the same layout code as the PDF) instead of the PDF.
    double image_dpi = 0;
};

// Renders to PDF bytes. Throws FormsError(InvalidArgument) naming a missing required piece
// (case number, applicant name, items; reasons for a refusal; a missing material for a notice),
// FormsError(Render) if cairo or qrencode fails.
std::string render_document(const CaseDocument& doc, const RenderOptions& options = {});
// The same, and where the seal goes.
std::string render_document(const CaseDocument& doc, const RenderOptions& options,
                            SealPlacement& seal);
// The image of a round official seal (公章样式): a red ring, a five-pointed star, the organ's name
// along the upper arc and the seal's purpose (e.g. "行政许可专用章") under the star. PNG with a
// transparent background, `pixels` wide and high, for the visible electronic seal.
std::string render_seal_png(const std::string& organ_name, const std::string& purpose,
                            int pixels = 480, const RenderOptions& options = {});
// The on-screen preview: a PNG of all pages at `dpi` (see RenderOptions::image_dpi).
std::string render_document_preview(const CaseDocument& doc, double dpi,
                                    RenderOptions options = {});
// Loads what the first document of a process otherwise pays for (cairo and pango, fontconfig's
// configuration, the CJK font faces) by rendering a small receipt and discarding it. The GUI calls
// it once after login, so that the clerk's first receipt prints as fast as the next ones.
void warm_up_rendering(const RenderOptions& options = {});
// Writes the PDF atomically (temporary file in the same folder, then rename).
void render_document_to_file(const CaseDocument& doc, const std::filesystem::path& path,
                             const RenderOptions& options = {});

} // namespace ow::forms
