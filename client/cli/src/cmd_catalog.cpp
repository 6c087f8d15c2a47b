// onewindow-cli catalog list|show CODE|validate FILE — the service-item catalog of ow_forms.
//   list [--search TEXT] [--dir DIR | --user NAME]   items and bundles (code, kind, name)
//   show CODE [--dir DIR | --user NAME]              one item or bundle with its fields, materials
//   validate FILE                      load and validate a catalog file; exit 1 with the error
// With --user (a login): the catalog intake uses on this workstation — synced from the server,
// else the shipped one. Otherwise the catalog directory: --dir, else $OW_CATALOG_DIR, else the
// source tree's forms/data/catalog for a binary run from its build tree, else
// <prefix>/share/onewindow/catalog.
#include "cli_support.h"
#include "command.h"
#include "ow/core/workstation.h"
#include "ow/forms/catalog.h"
#include "ow/forms/error.h"
#include "ow/forms/merge.h"

#include <ostream>

namespace {

using ow::forms::Catalog;

std::shared_ptr<const Catalog> load_catalog(ow::cli::Context& ctx) {
    if (ctx.args.has("user")) {
        if (ctx.args.has("dir"))
            throw ow::cli::UsageError("--dir and --user exclude each other");
        auto session = ow::cli::login(ctx);
        const auto reference = session->reference().current();
        if (!reference.catalog)
            throw std::runtime_error(reference.problems.back());
        return reference.catalog;
    }
    const std::filesystem::path dir = ctx.args.get("dir")
                                          ? std::filesystem::path(*ctx.args.get("dir"))
                                          : ow::forms::default_catalog_dir();
    return std::make_shared<const Catalog>(Catalog::load_directory(dir));
}

std::string limit_text(const ow::forms::TimeLimit& l) {
    if (l.amount == 0) {
        return "即办";
    }
    return std::to_string(l.amount) +
           (l.unit == ow::forms::TimeUnit::WorkingDays ? "个工作日" : "个自然日");
}

int list(ow::cli::Context& ctx) {
    const auto loaded = load_catalog(ctx);
    const auto& catalog = *loaded;
    const auto search = ctx.args.get("search");
    if (search) {
        const auto hits = catalog.search(*search, 50);
        for (const auto& h : hits) {
            if (h.item != nullptr) {
                ctx.out << h.item->code << "\t" << catalog.label(h.item->item_type) << "\t"
                        << h.item->name.zh << "\n";
            } else {
                ctx.out << h.bundle->code << "\t一件事\t" << h.bundle->name.zh << "\n";
            }
        }
        return hits.empty() ? ow::cli::kExitFailed : ow::cli::kExitOk;
    }
    ctx.out << "# catalog " << catalog.version() << ": " << catalog.items().size() << " items, "
            << catalog.bundles().size() << " bundles\n";
    for (const auto& item : catalog.items()) {
        ctx.out << item.code << "\t" << catalog.label(item.item_type) << "\t" << item.name.zh
                << "\n";
    }
    for (const auto& b : catalog.bundles()) {
        ctx.out << b.code << "\t一件事\t" << b.name.zh << "\n";
    }
    return ow::cli::kExitOk;
}

int show(ow::cli::Context& ctx, const std::string& code) {
    const auto loaded = load_catalog(ctx);
    const auto& catalog = *loaded;
    if (const auto* b = catalog.find_bundle(code)) {
        ctx.out << b->code << "  " << b->name.zh << " (" << b->name.en << ")\n"
                << "  一件事: " << b->description << "\n";
        const auto form = ow::forms::merge_bundle(catalog, code);
        for (const auto& c : b->items) {
            ctx.out << "  item " << c << "  " << catalog.find_item(c)->name.zh << "\n";
        }
        ctx.out << "  merged form: " << form.fields.size() << " fields, " << form.materials.size()
                << " materials\n";
        return ow::cli::kExitOk;
    }
    const auto* item = catalog.find_item(code);
    if (item == nullptr) {
        ctx.err << "onewindow-cli catalog: no item or bundle " << code << " in catalog "
                << catalog.version() << "\n";
        return ow::cli::kExitFailed;
    }
    const auto* dept = catalog.find_department(item->department);
    ctx.out << item->code << "  " << item->name.zh << " (" << item->name.en << ")\n"
            << "  basic code:     " << item->basic_code << "  version " << item->version << "\n"
            << "  type:           " << catalog.label(item->item_type) << " ("
            << item->item_type.code << ")\n"
            << "  department:     " << (dept ? dept->name.zh + " " + dept->uscc : item->department)
            << "\n"
            << "  case type:      " << catalog.label(item->case_type) << "\n"
            << "  legal limit:    " << limit_text(item->legal_limit) << "\n"
            << "  promised limit: " << limit_text(item->promised_limit) << "\n"
            << "  legal basis:    " << item->legal_basis << "\n"
            << "  result:         " << catalog.label(item->result_type)
            << (item->result_name.empty() ? "" : " " + item->result_name) << "\n"
            << "  fees:           " << (item->charged ? "" : "不收费");
    for (const auto& f : item->fees) {
        ctx.out << f.name << " (" << f.standard << ") ";
    }
    ctx.out << "\n  fields (" << item->fields.size() << "):\n";
    for (const auto& f : item->fields) {
        ctx.out << "    " << f.key << "\t" << ow::forms::to_string(f.type) << "\t" << f.label.zh
                << (f.rules.required               ? "\trequired"
                    : !f.rules.required_if.empty() ? "\trequired if"
                                                   : "")
                << "\n";
    }
    ctx.out << "  materials (" << item->materials.size() << "):\n";
    for (const auto& m : item->materials) {
        ctx.out << "    " << m.key << "\t" << m.name.zh << "\t" << catalog.label(m.necessity)
                << "\t原件" << m.originals << " 复印件" << m.copies << "\n";
    }
    return ow::cli::kExitOk;
}

int validate(ow::cli::Context& ctx, const std::string& file) {
    try {
        const auto catalog = Catalog::load(file);
        ctx.out << "valid: catalog " << catalog.version() << ", " << catalog.items().size()
                << " items, " << catalog.bundles().size() << " bundles, "
                << catalog.departments().size() << " departments\n";
        return ow::cli::kExitOk;
    } catch (const ow::forms::FormsError& e) {
        if (e.code() == ow::forms::FormsErrorCode::DataFile) {
            throw ow::cli::UsageError(e.what());
        }
        ctx.out << "invalid: " << e.what() << "\n";
        return ow::cli::kExitFailed;
    }
}

int run(ow::cli::Context& ctx) {
    const auto sub = ctx.args.positional_at(0, "a sub-command (list, show CODE, validate FILE)");
    if (sub == "list") {
        ctx.args.allow_only({"dir", "search", "user", "password-stdin"});
        return list(ctx);
    }
    if (sub == "show") {
        ctx.args.allow_only({"dir", "user", "password-stdin"});
        return show(ctx, ctx.args.positional_at(1, "the item or bundle code"));
    }
    if (sub == "validate") {
        ctx.args.allow_only({});
        return validate(ctx, ctx.args.positional_at(1, "the catalog file"));
    }
    throw ow::cli::UsageError("unknown sub-command '" + sub + "'; use list, show or validate");
}

const ow::cli::Registration reg{
    {"catalog",
     "catalog list [--search TEXT] | show CODE | validate FILE [--dir DIR | --user NAME "
     "[--password-stdin]]",
     {"password-stdin"},
     &run}};

} // namespace
