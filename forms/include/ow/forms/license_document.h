// Restored licenses (证照还原): an e-license's face data (照面信息) drawn into the official layout
// of its type, from a layout template (docs/license-templates.md), with the restoration annotation
// (加注: 用证事由, time, case number, clerk, a visible "还原件 / restored copy" mark) and a QR
// code. Rendered with cairo + pango to PDF (CJK fonts embedded as subsets) or to a bitmap for
// previews.
//
// The template says where everything goes; the caller (client/core) says what: the license
// record, the annotation and the QR payload. Nothing here reads the cache or knows about seals
// beyond leaving room for one (LicenseTemplate::seal, in PDF points for the signer).
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ow::forms {

// A box on the page in millimetres, origin top-left (as templates are written).
struct BoxMm {
    double x = 0, y = 0, width = 0, height = 0;
};

// One field of the face: where its label and value go.
struct LicenseField {
    std::string key; // face-data key ("名称"), or a record key starting with '$' ("$license_id")
    std::string label; // printed before the value; empty = no label
    BoxMm box;         // the value's box; the label sits left of it, label_width wide
    double label_width = 0;
    double size = 11;    // points
    double min_size = 7; // the value shrinks down to this before it is cut
    int max_lines = 1;   // wrapped within the box width
    std::string align = "left";
    std::string color = "#000000";
};

struct LicenseTemplate {
    std::string id;                      // file name without .json
    std::string type_name;               // 营业执照
    std::vector<std::string> type_codes; // GB/T 36904 license type codes this layout serves
    double width_mm = 297, height_mm = 210;
    nlohmann::json artwork; // array of drawing operations (docs/license-templates.md)
    std::vector<LicenseField> fields;
    BoxMm seal;       // where the service center's seal goes
    BoxMm qr;         // the QR code (square: the smaller side is used)
    BoxMm annotation; // the 加注 block
    std::filesystem::path source;

    // The seal box in PDF points, origin bottom-left (what PadesSigner's Rect wants).
    void seal_rect_points(double& x, double& y, double& width, double& height) const;

    // Parses one template document. Throws FormsError(Catalog) naming the file and the field.
    static LicenseTemplate parse(const nlohmann::json& doc, const std::string& id,
                                 const std::filesystem::path& source = {});
};

class LicenseTemplates {
public:
    // Every *.json in the directory, in name order. Throws FormsError(DataFile) when the
    // directory cannot be read or holds no template, FormsError(Catalog) for a bad template.
    static LicenseTemplates load_directory(const std::filesystem::path& dir);
    // Adds (or replaces, same id) the templates of another directory: a center's own layouts.
    void add_directory(const std::filesystem::path& dir);

    const std::vector<LicenseTemplate>& all() const { return templates_; }
    // The template for a license type: by type code first, else by type name; nullptr if none.
    const LicenseTemplate* for_type(const std::string& type_code,
                                    const std::string& type_name) const;
    const LicenseTemplate* by_id(const std::string& id) const;

private:
    std::vector<LicenseTemplate> templates_;
};

// $OW_LICENSE_TEMPLATE_DIR, else forms/data/license-templates next to the build tree, else the
// installed share/onewindow/license-templates.
std::filesystem::path default_license_template_dir();

// What is printed: the record's own fields and its face data.
struct LicenseFace {
    std::string license_id; // 电子证照标识
    std::string type_name;
    std::string holder_name, holder_id;
    std::string issuer, issue_date, valid_until;
    std::map<std::string, std::string> fields; // 照面信息, by key
    // The value of a template field key: "$license_id" … for record keys, else the face field.
    std::string value(const std::string& key) const;
};

// 加注 (annotation of the restored copy). Empty reason = no annotation (a preview).
struct LicenseAnnotation {
    std::string reason;      // 用证事由
    std::string time;        // "2026-11-28 10:32"
    std::string case_number; // may be empty
    std::string clerk;
    std::string center; // the sealing service center
};

struct LicenseRenderOptions {
    // One family, one face: each further face is one more CJK subset to embed per copy.
    std::string font_family = "Noto Serif CJK SC";
    bool bold_face = false; // draw "bold" texts with the bold face (a second embedded font)
    std::string language = "zh-cn";
};

// PDF bytes of one page. Throws FormsError(Render) when cairo or qrencode fails.
std::string render_license_pdf(const LicenseTemplate& tpl, const LicenseFace& face,
                               const LicenseAnnotation& annotation, const std::string& qr_payload,
                               const LicenseRenderOptions& options = {});

// A preview bitmap: RGB, 3 bytes per pixel, rows packed, at `dpi`.
struct LicenseBitmap {
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
};
LicenseBitmap render_license_bitmap(const LicenseTemplate& tpl, const LicenseFace& face,
                                    const LicenseAnnotation& annotation,
                                    const std::string& qr_payload, double dpi,
                                    const LicenseRenderOptions& options = {});

// A round red seal image (PNG with transparency, `size_px` square): the organisation's name along
// the upper arc, a star, the purpose ("证照还原专用章") below it. Drawn by us for the visible
// appearance of the center's seal; the legal force is the signature, not this picture.
std::vector<unsigned char> render_round_seal_png(const std::string& organisation,
                                                 const std::string& purpose, int size_px,
                                                 const LicenseRenderOptions& options = {});

} // namespace ow::forms
