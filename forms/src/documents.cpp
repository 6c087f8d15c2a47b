#include "ow/forms/documents.h"

#include "ow/forms/error.h"
#include "render_api.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>

namespace ow::forms {

namespace {

const detail::RenderApi& render() {
    return detail::render_api();
}

constexpr double kPageWidth = 595.2756; // A4 in points
constexpr double kPageHeight = 841.8898;
constexpr double kMargin = 56.7; // 20 mm
constexpr double kContentWidth = kPageWidth - 2 * kMargin;
constexpr double kQrSize = 72.0; // about 25 mm
constexpr double kFooterTop = kPageHeight - kMargin + 14;

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
}

const char* status_label(MaterialStatus s) {
    switch (s) {
    case MaterialStatus::Received:
        return "已收取";
    case MaterialStatus::ELicense:
        return "电子证照免提交";
    case MaterialStatus::Missing:
        return "缺少";
    case MaterialStatus::Deferred:
        return "容缺后补";
    case MaterialStatus::NotApplicable:
        return "不适用";
    }
    return "";
}

struct Column {
    const char* title;
    double width; // fraction of the content width
};

class Page {
public:
    Page(const CaseDocument& doc, const RenderOptions& options, std::string& out)
        : doc_(doc), out_(out), image_dpi_(options.image_dpi) {
        if (image_dpi_ > 0) {
            // The preview: every page on one unbounded recording, rasterised at finish().
            surface_ = render().cairo_recording_surface_create(CAIRO_CONTENT_COLOR, nullptr);
        } else {
            surface_ = render().cairo_pdf_surface_create_for_stream(append_to_string, &out_,
                                                                    kPageWidth, kPageHeight);
            render().cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE,
                                                    document_title(doc.kind));
            render().cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_SUBJECT,
                                                    doc.case_number.c_str());
            render().cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR,
                                                    "OneWindow");
        }
        cr_ = render().cairo_create(surface_);
        ctx_ = render().pango_cairo_create_context(cr_);
        render().pango_cairo_context_set_resolution(ctx_, 72);
        render().pango_context_set_language(
            ctx_, render().pango_language_from_string(options.language.c_str()));
        font_ = render().pango_font_description_from_string(options.font_family.c_str());
        begin_page();
    }

    ~Page() {
        render().pango_font_description_free(font_);
        render().g_object_unref(ctx_);
        render().cairo_destroy(cr_);
        render().cairo_surface_destroy(surface_);
    }

    Page(const Page&) = delete;
    Page& operator=(const Page&) = delete;

    // Lays out text; returns its height. Draws it when draw is true.
    double text(const std::string& s, double x, double y, double width, double size,
                PangoAlignment align = PANGO_ALIGN_LEFT, bool draw = true, double gray = 0.0) {
        PangoLayout* layout = render().pango_layout_new(ctx_);
        render().pango_font_description_set_size(font_, static_cast<int>(size * PANGO_SCALE));
        render().pango_layout_set_font_description(layout, font_);
        render().pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
        render().pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
        render().pango_layout_set_alignment(layout, align);
        render().pango_layout_set_text(layout, s.c_str(), -1);
        int w = 0;
        int h = 0;
        render().pango_layout_get_size(layout, &w, &h);
        if (draw) {
            render().cairo_set_source_rgb(cr_, gray, gray, gray);
            render().cairo_move_to(cr_, x, y);
            render().pango_cairo_show_layout(cr_, layout);
        }
        render().g_object_unref(layout);
        return static_cast<double>(h) / PANGO_SCALE;
    }

    // A paragraph at the cursor; breaks the page first when it does not fit.
    void paragraph(const std::string& s, double size = 11.5, double indent = 0,
                   double space_after = 6) {
        const double h =
            text(s, kMargin + indent, 0, kContentWidth - indent, size, PANGO_ALIGN_LEFT, false);
        ensure(h);
        text(s, kMargin + indent, y_, kContentWidth - indent, size);
        y_ += h + space_after;
    }

    void heading(const std::string& s) {
        ensure(40);
        y_ += 4;
        text(s, kMargin, y_, kContentWidth, 12.5);
        y_ += 20;
    }

    void table(const std::vector<Column>& cols, const std::vector<std::vector<std::string>>& rows) {
        const double pad = 4;
        auto row_height = [&](const std::vector<std::string>& cells, double size) {
            double h = 0;
            for (std::size_t i = 0; i < cols.size(); ++i) {
                h = std::max(h, text(cells[i], 0, 0, cols[i].width * kContentWidth - 2 * pad, size,
                                     PANGO_ALIGN_LEFT, false));
            }
            return h + 2 * pad;
        };
        auto draw_row = [&](const std::vector<std::string>& cells, double size, bool shaded) {
            const double h = row_height(cells, size);
            double x = kMargin;
            if (shaded) {
                render().cairo_set_source_rgb(cr_, 0.92, 0.92, 0.92);
                render().cairo_rectangle(cr_, kMargin, y_, kContentWidth, h);
                render().cairo_fill(cr_);
            }
            render().cairo_set_source_rgb(cr_, 0, 0, 0);
            render().cairo_set_line_width(cr_, 0.75);
            for (std::size_t i = 0; i < cols.size(); ++i) {
                const double w = cols[i].width * kContentWidth;
                render().cairo_set_source_rgb(cr_, 0, 0, 0);
                render().cairo_rectangle(cr_, x, y_, w, h);
                render().cairo_stroke(cr_);
                text(cells[i], x + pad, y_ + pad, w - 2 * pad, size);
                x += w;
            }
            y_ += h;
        };
        std::vector<std::string> header;
        for (const auto& c : cols) {
            header.push_back(c.title);
        }
        ensure(row_height(header, 10) + (rows.empty() ? 0 : row_height(rows.front(), 10)));
        draw_row(header, 10, true);
        for (const auto& r : rows) {
            if (y_ + row_height(r, 10) > kPageHeight - kMargin) {
                next_page();
                draw_row(header, 10, true);
            }
            draw_row(r, 10, false);
        }
        y_ += 10;
    }

    void space(double h) { y_ += h; }
    double y() const { return y_; }
    int page_number() const { return page_; }

    void ensure(double h) {
        if (y_ + h > kPageHeight - kMargin) {
            next_page();
        }
    }

    std::string finish() {
        footer();
        if (image_dpi_ > 0)
            return rasterise();
        render().cairo_show_page(cr_);
        render().cairo_surface_finish(surface_);
        const auto st = render().cairo_surface_status(surface_);
        if (st != CAIRO_STATUS_SUCCESS) {
            throw FormsError(FormsErrorCode::Render,
                             N_("Rendering the {document} failed: {detail}."),
                             {{"document", document_title(doc_.kind)},
                              {"detail", render().cairo_status_to_string(st)}});
        }
        return out_;
    }

private:
    static constexpr double kPreviewGap = 12; // between pages in the preview, in points

    std::string rasterise() {
        const double scale = image_dpi_ / 72.0;
        const double height = page_ * (kPageHeight + kPreviewGap) - kPreviewGap;
        cairo_surface_t* image = render().cairo_image_surface_create(
            CAIRO_FORMAT_RGB24, static_cast<int>(kPageWidth * scale + 0.5),
            static_cast<int>(height * scale + 0.5));
        cairo_t* cr = render().cairo_create(image);
        render().cairo_set_source_rgb(cr, 0.55, 0.55, 0.55); // the gap between pages
        render().cairo_paint(cr);
        render().cairo_scale(cr, scale, scale);
        render().cairo_set_source_surface(cr, surface_, 0, 0);
        render().cairo_paint(cr);
        render().cairo_destroy(cr);
        const auto st = render().cairo_surface_write_to_png_stream(image, append_to_string, &out_);
        render().cairo_surface_destroy(image);
        if (st != CAIRO_STATUS_SUCCESS) {
            throw FormsError(FormsErrorCode::Render,
                             N_("Rendering the {document} failed: {detail}."),
                             {{"document", document_title(doc_.kind)},
                              {"detail", render().cairo_status_to_string(st)}});
        }
        return out_;
    }

    void begin_page() {
        ++page_;
        y_ = kMargin;
        if (image_dpi_ > 0) {
            // The preview's page: white paper below the previous one.
            render().cairo_identity_matrix(cr_);
            render().cairo_translate(cr_, 0, (page_ - 1) * (kPageHeight + kPreviewGap));
            render().cairo_set_source_rgb(cr_, 1, 1, 1);
            render().cairo_rectangle(cr_, 0, 0, kPageWidth, kPageHeight);
            render().cairo_fill(cr_);
        }
        // Header: center name, QR code with the case number under it.
        qr(kPageWidth - kMargin - kQrSize, kMargin - 20);
        text("办件编号：" + doc_.case_number, kPageWidth - kMargin - 190,
             kMargin - 20 + kQrSize + 2, 190, 8, PANGO_ALIGN_RIGHT);
        text(doc_.center_name, kMargin, y_ - 20, kContentWidth - kQrSize - 10, 9, PANGO_ALIGN_LEFT,
             true, 0.3);
        if (page_ == 1) {
            y_ += 20;
            const double h =
                text(document_title(doc_.kind), kMargin, y_, kContentWidth, 22, PANGO_ALIGN_CENTER);
            y_ += h + 4;
            if (!doc_.document_number.empty()) {
                y_ += text(doc_.document_number, kMargin, y_, kContentWidth, 10.5,
                           PANGO_ALIGN_CENTER) +
                      14;
            }
        } else {
            y_ += kQrSize;
        }
    }

    void next_page() {
        footer();
        if (image_dpi_ <= 0)
            render().cairo_show_page(cr_);
        begin_page();
    }

    void footer() {
        text("第 " + std::to_string(page_) + " 页    办件编号 " + doc_.case_number, kMargin,
             kFooterTop, kContentWidth, 8, PANGO_ALIGN_CENTER, true, 0.4);
    }

    void qr(double x, double y) {
        const std::string payload = doc_.query_url.empty() ? doc_.case_number : doc_.query_url;
        QRcode* code = render().QRcode_encodeString(payload.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
        if (code == nullptr) {
            throw FormsError(FormsErrorCode::Render,
                             N_("The QR code of {payload} could not be encoded."),
                             {{"payload", payload}});
        }
        const int n = code->width;
        const double module = kQrSize / (n + 8); // 4-module quiet zone on each side
        render().cairo_set_source_rgb(cr_, 1, 1, 1);
        render().cairo_rectangle(cr_, x, y, kQrSize, kQrSize);
        render().cairo_fill(cr_);
        render().cairo_set_source_rgb(cr_, 0, 0, 0);
        for (int row = 0; row < n; ++row) {
            int col = 0;
            while (col < n) {
                if ((code->data[row * n + col] & 1) == 0) {
                    ++col;
                    continue;
                }
                const int start = col;
                while (col < n && (code->data[row * n + col] & 1) != 0) {
                    ++col;
                }
                render().cairo_rectangle(cr_, x + (start + 4) * module, y + (row + 4) * module,
                                         (col - start) * module, module);
            }
        }
        render().cairo_fill(cr_);
        render().QRcode_free(code);
    }

    const CaseDocument& doc_;
    std::string& out_;
    double image_dpi_ = 0;
    cairo_surface_t* surface_ = nullptr;
    cairo_t* cr_ = nullptr;
    PangoContext* ctx_ = nullptr;
    PangoFontDescription* font_ = nullptr;
    double y_ = kMargin;
    int page_ = 0;
};

void require(bool ok, const char* what, DocumentKind kind) {
    if (!ok) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("Cannot render the {document}: {missing} is missing."),
                         {{"document", document_title(kind)}, {"missing", what}});
    }
}

std::string item_names(const CaseDocument& doc) {
    std::string s;
    for (const auto& i : doc.items) {
        s += (s.empty() ? "“" : "”、“") + i.name;
    }
    return s + "”";
}

std::string applicant_line(const CaseDocument& doc) {
    std::string s = "申请人：" + doc.applicant.name;
    if (!doc.applicant.id_number.empty()) {
        s += "    " +
             (doc.applicant.id_label.empty() ? std::string("证件号码") : doc.applicant.id_label) +
             "：" + doc.applicant.id_number;
    }
    if (!doc.applicant.phone.empty()) {
        s += "    联系电话：" + doc.applicant.phone;
    }
    if (!doc.agent.name.empty()) {
        s += "\n经办人：" + doc.agent.name;
        if (!doc.agent.id_number.empty()) {
            s += "    证件号码：" + doc.agent.id_number;
        }
        if (!doc.agent.phone.empty()) {
            s += "    联系电话：" + doc.agent.phone;
        }
    }
    if (!doc.applicant.address.empty()) {
        s += "\n地址：" + doc.applicant.address;
    }
    return s;
}

void signature_block(Page& page, const CaseDocument& doc) {
    page.ensure(110);
    page.space(10);
    std::string who = "受理人：" + doc.clerk_name;
    if (!doc.contact_phone.empty()) {
        who += "        咨询电话：" + doc.contact_phone;
    }
    page.paragraph(who, 10.5);
    page.paragraph("办理进度查询：扫描右上角二维码，或凭办件编号 " + doc.case_number +
                       " 在政务服务网、自助终端或窗口查询。",
                   10);
    page.space(6);
    page.paragraph(doc.organ_name + "（专用章）", 11.5, kContentWidth * 0.55, 2);
    page.paragraph(doc.issue_date, 11.5, kContentWidth * 0.55, 12);
    page.paragraph("申请人（经办人）签收：____________________        签收日期：______________",
                   10.5);
}

std::string render_receipt(const CaseDocument& doc, const RenderOptions& options) {
    std::string out;
    Page page(doc, options, out);
    page.paragraph(doc.applicant.name + "：");
    page.paragraph(
        "您（单位）于" + doc.received_at + "提交的" + item_names(doc) +
            "申请，经审查，申请材料齐全、符合法定形式（或已按容缺受理办理），根据《中华人民共和国"
            "行政许可法》第三十二条等规定，本机关决定予以受理。下列申请材料本机关已收到：",
        11.5, 0);
    page.paragraph(applicant_line(doc), 10);
    page.heading("一、受理事项");
    std::vector<std::vector<std::string>> items;
    int n = 0;
    for (const auto& i : doc.items) {
        items.push_back({std::to_string(++n), i.name, i.code, i.time_limit,
                         i.promised_date.empty() ? "—" : i.promised_date});
    }
    page.table({{"序号", 0.07},
                {"事项名称", 0.38},
                {"事项编码", 0.2},
                {"承诺时限", 0.15},
                {"承诺办结日期", 0.2}},
               items);
    page.heading("二、材料接收凭证");
    std::vector<std::vector<std::string>> rows;
    n = 0;
    bool deferred = false;
    for (const auto& m : doc.materials) {
        if (m.status == MaterialStatus::NotApplicable) {
            continue;
        }
        deferred = deferred || m.status == MaterialStatus::Deferred;
        rows.push_back({std::to_string(++n), m.name, std::to_string(m.originals),
                        std::to_string(m.copies), m.form, status_label(m.status), m.note});
    }
    page.table({{"序号", 0.06},
                {"材料名称", 0.27},
                {"原件", 0.06},
                {"复印件", 0.08},
                {"形式", 0.12},
                {"收取情况", 0.17},
                {"备注", 0.24}},
               rows);
    if (deferred) {
        page.paragraph("标注“容缺后补”的材料，请于" +
                           (doc.supplement_deadline.empty() ? std::string("规定期限")
                                                            : doc.supplement_deadline) +
                           "前补交；逾期未补交的，按有关规定处理。",
                       10.5);
    }
    signature_block(page, doc);
    return page.finish();
}

std::string render_notice(const CaseDocument& doc, const RenderOptions& options) {
    std::string out;
    Page page(doc, options, out);
    page.paragraph(doc.applicant.name + "：");
    page.paragraph(
        "您（单位）于" + doc.received_at + "申请办理" + item_names(doc) +
            "，经审查，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条"
            "第一款第（四）项的规定，现一次性告知您需要补正的全部材料如下：",
        11.5);
    page.paragraph(applicant_line(doc), 10);
    std::vector<std::vector<std::string>> rows;
    int n = 0;
    for (const auto& m : doc.materials) {
        if (m.status != MaterialStatus::Missing) {
            continue;
        }
        rows.push_back({std::to_string(++n), m.name,
                        std::to_string(m.originals) + " / " + std::to_string(m.copies), m.form,
                        m.requirement.empty()
                            ? m.note
                            : m.requirement + (m.note.empty() ? "" : "；" + m.note)});
    }
    page.heading("需补正的材料（共" + std::to_string(rows.size()) + "项）");
    page.table(
        {{"序号", 0.07}, {"材料名称", 0.33}, {"原件/复印件", 0.13}, {"形式", 0.1}, {"要求", 0.37}},
        rows);
    std::string received;
    for (const auto& m : doc.materials) {
        if (m.status == MaterialStatus::Received || m.status == MaterialStatus::ELicense) {
            received += (received.empty() ? "" : "、") + m.name;
        }
    }
    if (!received.empty()) {
        page.paragraph("已收取的材料：" + received + "。", 10.5);
    }
    page.paragraph(
        "请" +
            (doc.supplement_deadline.empty() ? std::string("尽快")
                                             : "于" + doc.supplement_deadline + "前") +
            "将上述材料一次补齐后提交。补正的申请材料齐全、符合法定形式的，本机关将予以受理。"
            "本告知书是否受理的期限自收到全部补正材料之日起计算。",
        11.5);
    signature_block(page, doc);
    return page.finish();
}

std::string render_refusal(const CaseDocument& doc, const RenderOptions& options) {
    std::string out;
    Page page(doc, options, out);
    page.paragraph(doc.applicant.name + "：");
    page.paragraph("您（单位）于" + doc.received_at + "提出的" + item_names(doc) +
                       "申请，经审查，因下列原因，本机关决定不予受理：",
                   11.5);
    int n = 0;
    for (const auto& r : doc.refusal_reasons) {
        page.paragraph(std::to_string(++n) + ". " + r, 11.5, 22, 3);
    }
    page.space(4);
    page.paragraph("依据：" +
                       (doc.refusal_basis.empty()
                            ? std::string("《中华人民共和国行政许可法》第三十二条第一款")
                            : doc.refusal_basis) +
                       "。",
                   11.5);
    if (!doc.competent_organ.empty()) {
        page.paragraph("该申请事项依法不属于本机关职权范围，请向" + doc.competent_organ + "申请。",
                       11.5);
    }
    page.paragraph(applicant_line(doc), 10);
    page.heading("申请人的权利");
    page.paragraph(
        "如对本决定不服，可以自收到本通知书之日起六十日内向" +
            (doc.review_organ.empty() ? std::string("本机关的上一级行政机关或者本级人民政府")
                                      : doc.review_organ) +
            "申请行政复议；也可以自收到本通知书之日起六个月内依法向" +
            (doc.court.empty() ? std::string("有管辖权的人民法院") : doc.court) + "提起行政诉讼。",
        11.5);
    page.paragraph("申请材料已全部退还申请人。", 10.5);
    signature_block(page, doc);
    return page.finish();
}

// 行政许可决定书: the decision on the application, by the officer, sealed by the organ.
std::string render_decision(const CaseDocument& doc, const RenderOptions& options,
                            SealPlacement* seal) {
    std::string out;
    Page page(doc, options, out);
    page.paragraph(doc.applicant.name + "：");
    const bool approve = doc.kind == DocumentKind::Approval;
    page.paragraph("你（单位）于" + doc.received_at + "提出的" + item_names(doc) +
                       "申请，本机关已依法受理。经审查：",
                   11.5);
    if (approve) {
        page.paragraph("你（单位）的申请符合法定条件、标准。根据" +
                           (doc.decision_basis.empty()
                                ? std::string("《中华人民共和国行政许可法》第三十八条第一款")
                                : doc.decision_basis) +
                           "的规定，本机关决定准予行政许可。",
                       11.5);
        std::vector<std::vector<std::string>> items;
        int n = 0;
        for (const auto& i : doc.items)
            items.push_back({std::to_string(++n), i.name, i.code});
        page.heading("准予许可的事项");
        page.table({{"序号", 0.08}, {"事项名称", 0.62}, {"事项编码", 0.3}}, items);
        page.paragraph("请凭本决定书及有效身份证件领取相关证照。", 11.5);
    } else {
        page.paragraph("你（单位）的申请不符合法定条件、标准，理由如下：", 11.5);
        int n = 0;
        for (const auto& r : doc.refusal_reasons)
            page.paragraph(std::to_string(++n) + ". " + r, 11.5, 22, 3);
        page.space(4);
        page.paragraph("根据" +
                           (doc.decision_basis.empty()
                                ? std::string("《中华人民共和国行政许可法》第三十八条第二款")
                                : doc.decision_basis) +
                           "的规定，本机关决定不予行政许可。",
                       11.5);
        page.heading("申请人的权利");
        page.paragraph("如对本决定不服，可以自收到本决定书之日起六十日内向" +
                           (doc.review_organ.empty()
                                ? std::string("本机关的上一级行政机关或者本级人民政府")
                                : doc.review_organ) +
                           "申请行政复议；也可以自收到本决定书之日起六个月内依法向" +
                           (doc.court.empty() ? std::string("有管辖权的人民法院") : doc.court) +
                           "提起行政诉讼。",
                       11.5);
    }
    page.paragraph(applicant_line(doc), 10);
    page.ensure(170);
    page.space(10);
    page.paragraph("承办人：" + doc.officer_name +
                       (doc.contact_phone.empty() ? "" : "        咨询电话：" + doc.contact_phone),
                   10.5);
    page.space(30);
    SealPlacement placement;
    placement.page = page.page_number();
    placement.width = placement.height = 118; // a round official seal is about 42 mm across
    placement.x = kMargin + kContentWidth * 0.55 + 40 - placement.width / 2;
    placement.y = kPageHeight - (page.y() + 14) - placement.height / 2;
    if (seal != nullptr)
        *seal = placement;
    page.paragraph(doc.organ_name + "（印章）", 11.5, kContentWidth * 0.55, 2);
    page.paragraph(doc.decided_at.empty() ? doc.issue_date : doc.decided_at, 11.5,
                   kContentWidth * 0.55, 12);
    return page.finish();
}

} // namespace

const char* to_string(DocumentKind kind) {
    switch (kind) {
    case DocumentKind::Receipt:
        return "receipt";
    case DocumentKind::OneTimeNotice:
        return "one-time-notice";
    case DocumentKind::Refusal:
        return "refusal";
    case DocumentKind::Approval:
        return "approval-decision";
    case DocumentKind::Denial:
        return "denial-decision";
    }
    return "receipt";
}

const char* document_title(DocumentKind kind) {
    switch (kind) {
    case DocumentKind::Receipt:
        return "受理通知书（材料接收凭证）";
    case DocumentKind::OneTimeNotice:
        return "一次性告知书";
    case DocumentKind::Refusal:
        return "不予受理通知书";
    case DocumentKind::Approval:
        return "准予行政许可决定书";
    case DocumentKind::Denial:
        return "不予行政许可决定书";
    }
    return "";
}

std::string render_document(const CaseDocument& doc, const RenderOptions& options) {
    SealPlacement ignored;
    return render_document(doc, options, ignored);
}

std::string render_document(const CaseDocument& doc, const RenderOptions& options,
                            SealPlacement& seal) {
    require(!doc.case_number.empty(), "the case number", doc.kind);
    require(!doc.applicant.name.empty(), "the applicant's name", doc.kind);
    require(!doc.items.empty(), "at least one service item", doc.kind);
    require(!doc.organ_name.empty(), "the accepting organ", doc.kind);
    switch (doc.kind) {
    case DocumentKind::Receipt:
        return render_receipt(doc, options);
    case DocumentKind::OneTimeNotice: {
        const bool missing =
            std::any_of(doc.materials.begin(), doc.materials.end(), [](const DocumentMaterial& m) {
                return m.status == MaterialStatus::Missing;
            });
        require(missing, "a material with status Missing", doc.kind);
        return render_notice(doc, options);
    }
    case DocumentKind::Refusal:
        require(!doc.refusal_reasons.empty(), "the reason for not accepting", doc.kind);
        return render_refusal(doc, options);
    case DocumentKind::Approval:
        require(!doc.officer_name.empty(), "the officer's name", doc.kind);
        return render_decision(doc, options, &seal);
    case DocumentKind::Denial:
        require(!doc.officer_name.empty(), "the officer's name", doc.kind);
        require(!doc.refusal_reasons.empty(), "the reasons for the denial", doc.kind);
        return render_decision(doc, options, &seal);
    }
    return {};
}

std::string render_seal_png(const std::string& organ_name, const std::string& purpose, int pixels,
                            const RenderOptions& options) {
    const auto& api = render();
    if (organ_name.empty() || pixels < 64 || pixels > 4096)
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("A seal needs the organ's name and a size of 64 to 4096 pixels."));
    cairo_surface_t* surface = api.cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pixels, pixels);
    cairo_t* cr = api.cairo_create(surface);
    const double size = pixels;
    const double c = size / 2;
    const double ring = size * 0.035;
    api.cairo_set_source_rgba(cr, 0.85, 0.06, 0.06, 0.9); // seal red
    api.cairo_set_line_width(cr, ring);
    api.cairo_new_path(cr);
    api.cairo_arc(cr, c, c, c - ring, 0, 2 * M_PI);
    api.cairo_stroke(cr);
    // The star.
    const double outer = size * 0.15;
    const double inner = outer * 0.382;
    api.cairo_new_path(cr);
    for (int i = 0; i < 10; ++i) {
        const double r = i % 2 == 0 ? outer : inner;
        const double a = -M_PI / 2 + i * M_PI / 5;
        api.cairo_line_to(cr, c + r * std::cos(a), c + r * std::sin(a));
    }
    api.cairo_close_path(cr);
    api.cairo_fill(cr);

    PangoContext* ctx = api.pango_cairo_create_context(cr);
    api.pango_cairo_context_set_resolution(ctx, 72);
    api.pango_context_set_language(ctx, api.pango_language_from_string(options.language.c_str()));
    auto draw_text = [&](const std::string& text, double px, bool centre_at_origin) {
        PangoFontDescription* fd =
            api.pango_font_description_from_string(options.font_family.c_str());
        api.pango_font_description_set_absolute_size(fd, px * PANGO_SCALE);
        PangoLayout* layout = api.pango_layout_new(ctx);
        api.pango_layout_set_font_description(layout, fd);
        api.pango_layout_set_text(layout, text.c_str(), -1);
        int w = 0, h = 0;
        api.pango_layout_get_pixel_size(layout, &w, &h);
        if (centre_at_origin)
            api.cairo_move_to(cr, -w / 2.0, -h / 2.0);
        api.pango_cairo_show_layout(cr, layout);
        api.g_object_unref(layout);
        api.pango_font_description_free(fd);
        return w;
    };
    // The organ's name along the upper arc, one character at a time, over about 240 degrees.
    std::vector<std::string> chars;
    for (std::size_t i = 0; i < organ_name.size();) {
        const auto b = static_cast<unsigned char>(organ_name[i]);
        const std::size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
        chars.push_back(organ_name.substr(i, n));
        i += n;
    }
    const double span = std::min(240.0, 22.0 * static_cast<double>(chars.size())) * M_PI / 180;
    const double glyph = std::min(size * 0.13, (c - ring * 2) * span / chars.size() * 0.9);
    const double radius = c - ring * 1.5 - glyph * 0.75;
    for (std::size_t i = 0; i < chars.size(); ++i) {
        const double a = -M_PI / 2 - span / 2 +
                         span * (static_cast<double>(i) + 0.5) / static_cast<double>(chars.size());
        api.cairo_save(cr);
        api.cairo_translate(cr, c + radius * std::cos(a), c + radius * std::sin(a));
        api.cairo_rotate(cr, a + M_PI / 2);
        draw_text(chars[i], glyph, true);
        api.cairo_restore(cr);
    }
    if (!purpose.empty()) {
        api.cairo_save(cr);
        api.cairo_translate(cr, c, c + size * 0.27);
        draw_text(purpose, size * 0.075, true);
        api.cairo_restore(cr);
    }
    api.g_object_unref(ctx);
    api.cairo_destroy(cr);
    std::string png;
    const auto st = api.cairo_surface_write_to_png_stream(surface, append_to_string, &png);
    api.cairo_surface_destroy(surface);
    if (st != CAIRO_STATUS_SUCCESS)
        throw FormsError(FormsErrorCode::Render, N_("The seal image could not be drawn: {detail}."),
                         {{"detail", api.cairo_status_to_string(st)}});
    return png;
}

void warm_up_rendering(const RenderOptions& options) {
    CaseDocument doc;
    doc.kind = DocumentKind::Receipt;
    doc.case_number = "20260101-WARM-00001";
    doc.center_name = "政务服务中心";
    doc.organ_name = "政务服务中心";
    doc.applicant = {"张三", "公民身份号码", "11010519491231002X", "", ""};
    doc.items.push_back({"0", "预热 Warm-up", "1个工作日", "2026-01-02"});
    doc.materials.push_back({"身份证", MaterialStatus::Received, 1, 0, "纸质", "", ""});
    doc.received_at = doc.issue_date = "2026-01-01";
    doc.clerk_name = "一窗通";
    (void)render_document(doc, options);
}

std::string render_document_preview(const CaseDocument& doc, double dpi, RenderOptions options) {
    if (!(dpi > 0 && dpi <= 600)) {
        throw FormsError(FormsErrorCode::InvalidArgument,
                         N_("A preview resolution between 1 and 600 dpi is needed."));
    }
    options.image_dpi = dpi;
    return render_document(doc, options);
}

void render_document_to_file(const CaseDocument& doc, const std::filesystem::path& path,
                             const RenderOptions& options) {
    const auto bytes = render_document(doc, options);
    auto tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            throw FormsError(FormsErrorCode::Render, N_("Cannot write {path}."),
                             {{"path", tmp.string()}});
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        throw FormsError(FormsErrorCode::Render, N_("Cannot write {path}."),
                         {{"path", path.string()}});
    }
}

} // namespace ow::forms
