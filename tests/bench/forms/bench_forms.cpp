// Benchmark of libow_forms (issue 3): merge 10 items and validate the full form (target ≤ 5 ms),
// render a receipt PDF (target ≤ 100 ms). Prints min / median / p95 and, as the named peer measured
// in the same run, a plain nlohmann::json parse of the same form values (merge + validate) and a
// one-line pango PDF page (render), to separate our work from the libraries' fixed costs.
//
// usage: bench_forms [CATALOG_DIR] [ITERATIONS]
#include "ow/forms/documents.h"
#include "ow/forms/validation.h"

#include <algorithm>
#include <cairo-pdf.h>
#include <chrono>
#include <cstdio>
#include <functional>
#include <pango/pangocairo.h>
#include <string>
#include <vector>

using namespace ow::forms;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Stats {
    double min = 0, median = 0, p95 = 0;
};

Stats measure(int iterations, const std::function<void()>& fn) {
    std::vector<double> ms;
    ms.reserve(static_cast<std::size_t>(iterations));
    for (int i = 0; i < iterations; ++i) {
        const auto t0 = Clock::now();
        fn();
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    return {ms.front(), ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 95 / 100)]};
}

void print(const char* what, const Stats& s, double target) {
    std::printf("%-44s min %8.3f ms  median %8.3f ms  p95 %8.3f ms", what, s.min, s.median, s.p95);
    if (target > 0) {
        std::printf("  (target %.0f ms: %s)", target, s.median <= target ? "met" : "MISSED");
    }
    std::printf("\n");
}

// A plausible value for every field, so validation walks every check.
json sample_value(const FieldDef& f) {
    switch (f.type) {
    case FieldType::Text:
        return "测试内容";
    case FieldType::Number:
        return f.rules.min ? *f.rules.min : 1;
    case FieldType::Money:
        return "1,200.5";
    case FieldType::Date:
        return "2027-03-01";
    case FieldType::Boolean:
        return false;
    case FieldType::Choice:
        return f.rules.allowed ? f.rules.allowed->front() : f.options.front().code;
    case FieldType::MultiChoice:
        return json::array({f.options.front().code});
    case FieldType::Phone:
        return "13800138000";
    case FieldType::Email:
        return "zhang.san@example.cn";
    case FieldType::Address:
        return {{"region", "150102"}, {"detail", "新华大街1号"}};
    case FieldType::Region:
        return "150102";
    case FieldType::IdNumber:
        return "１１０１０５１９４９１２３１００２ｘ";
    case FieldType::Uscc:
        return "91350100M0001TGQXM";
    case FieldType::OrgCode:
        return "19220382-1";
    case FieldType::LicenseId:
        return "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U";
    case FieldType::Table: {
        json row = json::object();
        for (const auto& c : f.columns) {
            row[c.key] = sample_value(c);
        }
        return json::array({row, row, row});
    }
    case FieldType::Attachment:
        return "blob:0001";
    }
    return nullptr;
}

} // namespace

// The receipt of the restaurant bundle (开办餐饮店).
CaseDocument restaurant_receipt(const Catalog& catalog) {
    CaseDocument doc;
    doc.kind = DocumentKind::Receipt;
    doc.case_number = "150100-20261128-W03-000123";
    doc.document_number = "呼政服受〔2026〕0123号";
    doc.center_name = "呼和浩特市政务服务中心";
    doc.organ_name = "呼和浩特市市场监督管理局";
    doc.applicant = {"张三", "公民身份号码", "11010519491231002X", "13800138000",
                     "新城区新华大街1号"};
    const auto bundle = merge_bundle(catalog, "OW-YJS-0001");
    for (const auto& c : bundle.items) {
        doc.items.push_back({c, catalog.find_item(c)->name.zh, "5个工作日", "2026-12-07"});
    }
    for (const auto& m : bundle.materials) {
        doc.materials.push_back({m.material.name.zh, MaterialStatus::Received, m.material.originals,
                                 m.material.copies, catalog.label(m.material.form), "", ""});
    }
    doc.received_at = "2026年11月28日10时32分";
    doc.issue_date = "2026年11月28日";
    doc.clerk_name = "王五";
    return doc;
}

// A fresh process's first receipt, optionally after warm_up_rendering() (what the GUI does at
// login): prints "WARM_UP_MS FIRST_MS".
int first_receipt_only(const std::string& dir, bool warm_up) {
    const auto catalog = Catalog::load_directory(dir);
    const auto doc = restaurant_receipt(catalog);
    double warm_ms = 0;
    auto t = Clock::now();
    if (warm_up) {
        warm_up_rendering();
        warm_ms = std::chrono::duration<double, std::milli>(Clock::now() - t).count();
    }
    t = Clock::now();
    (void)render_document(doc);
    std::printf("%.3f %.3f\n", warm_ms,
                std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    return 0;
}

// Median of `runs` fresh processes of this program in --first-receipt mode.
std::pair<double, double> fresh_process_first_receipt(const char* self, const std::string& dir,
                                                      bool warm_up, int runs) {
    std::vector<double> warm, first;
    for (int i = 0; i < runs; ++i) {
        const std::string cmd = std::string("'") + self + "' --first-receipt '" + dir + "'" +
                                (warm_up ? " --warm-up" : "");
        FILE* p = popen(cmd.c_str(), "r");
        double w = 0, f = 0;
        if (p && std::fscanf(p, "%lf %lf", &w, &f) == 2) {
            warm.push_back(w);
            first.push_back(f);
        }
        if (p)
            pclose(p);
    }
    auto median = [](std::vector<double> v) {
        if (v.empty())
            return 0.0;
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    return {median(warm), median(first)};
}

int main(int argc, char** argv) {
    if (argc > 2 && std::string(argv[1]) == "--first-receipt")
        return first_receipt_only(argv[2], argc > 3 && std::string(argv[3]) == "--warm-up");
    const std::string dir = argc > 1 ? argv[1] : OW_SOURCE_DIR "/forms/data/catalog";
    const int iterations = argc > 2 ? std::max(10, std::atoi(argv[2])) : 200;

    auto t0 = Clock::now();
    const auto catalog = Catalog::load_directory(dir);
    const double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    std::printf("catalog %s: %zu items, loaded and validated in %.1f ms\n",
                catalog.version().c_str(), catalog.items().size(), load_ms);

    // Ten items that merge (items for persons and for entities exclude each other).
    std::vector<std::string> codes;
    for (const auto& item : catalog.items()) {
        auto trial = codes;
        trial.push_back(item.code);
        try {
            merge_items(catalog, trial);
            codes = trial;
        } catch (const std::exception&) {
            continue;
        }
        if (codes.size() == 10) {
            break;
        }
    }
    const auto form = merge_items(catalog, codes);
    json values = json::object();
    values["applicant.type"] = "person";
    values["agent.present"] = true;
    values["delivery.method"] = "mail";
    for (const auto& f : form.fields) {
        if (!values.contains(f.field.key)) {
            values[f.field.key] = sample_value(f.field);
        }
    }
    const auto probe = validate_form(form, values);
    std::size_t item_fields = 0;
    for (const auto& c : codes) {
        item_fields += catalog.find_item(c)->fields.size();
    }
    std::printf("merged %zu items: %zu item fields → %zu form fields, %zu materials; "
                "validation gives %zu errors, %zu warnings\n",
                codes.size(), item_fields, form.fields.size(), form.materials.size(),
                probe.error_count(), probe.warning_count());

    const auto merge_validate = measure(iterations, [&] {
        const auto f = merge_items(catalog, codes);
        const auto r = validate_form(f, values);
        if (r.issues.size() > 100000) {
            std::puts("unreachable");
        }
    });
    const auto merge_only = measure(iterations, [&] { (void)merge_items(catalog, codes); });
    const auto validate_only = measure(iterations, [&] { (void)validate_form(form, values); });
    const std::string text = values.dump();
    const auto peer_parse = measure(iterations, [&] {
        const auto parsed = json::parse(text);
        if (parsed.size() > 100000) {
            std::puts("unreachable");
        }
    });
    print("merge 10 items + validate the full form", merge_validate, 5);
    print("  of which merge", merge_only, 0);
    print("  of which validate", validate_only, 0);
    print("peer: nlohmann::json::parse of the values", peer_parse, 0);
    std::printf("ratio merge+validate / peer parse: %.1fx\n\n",
                merge_validate.median / std::max(1e-6, peer_parse.median));

    const CaseDocument doc = restaurant_receipt(catalog);
    t0 = Clock::now();
    const auto first = render_document(doc);
    const double first_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    std::printf("receipt PDF: %zu bytes, %zu materials; first render in the process %.1f ms "
                "(font loading)\n",
                first.size(), doc.materials.size(), first_ms);
    const int render_iterations = std::max(10, iterations / 10);
    const auto render = measure(render_iterations, [&] { (void)render_document(doc); });
    const auto peer_page = measure(render_iterations, [&] {
        std::string out;
        auto* s = cairo_pdf_surface_create_for_stream(
            [](void* c, const unsigned char* d, unsigned int n) {
                static_cast<std::string*>(c)->append(reinterpret_cast<const char*>(d), n);
                return CAIRO_STATUS_SUCCESS;
            },
            &out, 595.28, 841.89);
        auto* cr = cairo_create(s);
        auto* ctx = pango_cairo_create_context(cr);
        pango_context_set_language(ctx, pango_language_from_string("zh-cn"));
        auto* layout = pango_layout_new(ctx);
        auto* font = pango_font_description_from_string("DejaVu Sans,Noto Sans CJK SC 12");
        pango_layout_set_font_description(layout, font);
        pango_layout_set_text(layout, "受理通知书 150100-20261128-W03-000123", -1);
        pango_cairo_show_layout(cr, layout);
        pango_font_description_free(font);
        g_object_unref(layout);
        g_object_unref(ctx);
        cairo_destroy(cr);
        cairo_surface_finish(s);
        cairo_surface_destroy(s);
    });
    print("render a receipt PDF (warm)", render, 100);
    print("peer: one-line pango page (warm)", peer_page, 0);
    std::printf("ratio receipt / one-line page: %.1fx\n",
                render.median / std::max(1e-6, peer_page.median));
    const auto cold = fresh_process_first_receipt(argv[0], dir, false, 7);
    const auto warmed = fresh_process_first_receipt(argv[0], dir, true, 7);
    std::printf("first receipt of a fresh process (median of 7): %.1f ms; after "
                "warm_up_rendering() at login (%.1f ms, off the clerk's path): %.1f ms\n",
                cold.second, warmed.first, warmed.second);
    return 0;
}
