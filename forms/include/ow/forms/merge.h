// One merged form (一表填报): selecting several service items yields ONE form in which a semantic
// key appears once, with the stricter rule where items disagree, in a stable section order; each
// field and material knows which items need it. Rules: docs/catalog-format.md §"Merge rules".
#pragma once

#include "ow/forms/catalog.h"

#include <string>
#include <string_view>
#include <vector>

namespace ow::forms {

struct MergedField {
    FieldDef field;                     // rules already merged (the stricter wins)
    std::vector<std::string> needed_by; // item codes, in selection order
};

struct MergedMaterial {
    Material material;                  // necessity, counts and form merged (the stricter wins)
    std::vector<std::string> needed_by; // item codes, in selection order
};

struct MergedSection {
    Section section;
    std::vector<std::size_t> fields; // indices into MergedForm::fields, in display order
};

struct MergedForm {
    std::string catalog_version;
    std::vector<std::string> items; // item codes, in selection order, without duplicates
    std::vector<MergedSection> sections;
    std::vector<MergedField> fields; // in display order (section order, then field order)
    std::vector<MergedMaterial> materials;

    const MergedField* find_field(std::string_view key) const;
    const MergedMaterial* find_material(std::string_view key) const;
};

// Merges the items (codes; duplicates are ignored, order kept). Throws FormsError(NotFound) for an
// unknown code, FormsError(Merge) when two items give one key incompatible definitions (different
// types, disjoint choices, min above max) — the message names both items and the field.
MergedForm merge_items(const Catalog& catalog, const std::vector<std::string>& item_codes);
// The items of a bundle (一件事).
MergedForm merge_bundle(const Catalog& catalog, std::string_view bundle_code);

// Material status at intake, for the documents and the one-time notice.
enum class MaterialStatus {
    Received,     // 已收取 (paper or scan)
    ELicense,     // 免提交: replaced by an e-license the applicant holds
    Missing,      // 缺少
    Deferred,     // 容缺后补: accepted now, to be handed in later
    NotApplicable // required_if is false for this case
};

const char* to_string(MaterialStatus status);

// The materials that apply to this case, given the form values (required_if evaluated; a material
// without required_if always applies). Their necessity_kind tells which are mandatory, which may
// follow later (容缺后补) and which are optional.
std::vector<const MergedMaterial*> applicable_materials(const MergedForm& form,
                                                        const nlohmann::json& values);

} // namespace ow::forms
