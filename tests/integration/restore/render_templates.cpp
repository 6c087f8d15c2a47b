// Renders every license layout template with fixed sample data (no clock, no key) so that the
// pictures can be compared with the committed reference renderings (tests/data/restore/*.png).
// usage: restore_render_templates TEMPLATE_DIR OUT_DIR  → OUT_DIR/<template id>.pdf, and one line
// per template on stdout: "<id> <QR payload>".
#include "ow/forms/error.h"
#include "ow/forms/license_document.h"

#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: restore_render_templates TEMPLATE_DIR OUT_DIR\n";
        return 2;
    }
    try {
        const auto set = ow::forms::LicenseTemplates::load_directory(argv[1]);
        for (const auto& t : set.all()) {
            ow::forms::LicenseFace face;
            face.license_id =
                "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U";
            face.type_name = t.type_name;
            face.holder_name = "示例持证主体有限公司";
            face.holder_id = "91350100M000100Y43";
            face.issuer = "示例市市场监督管理局";
            face.issue_date = "2026年11月28日";
            face.valid_until = "2031年11月27日";
            for (const auto& f : t.fields)
                if (f.key[0] != '$')
                    face.fields[f.key] = f.key + "示例内容";
            const ow::forms::LicenseAnnotation note{"办理示例事项使用（样张）", "2026-11-28 10:30",
                                                    "HS20261128-0001", "示例窗口人员",
                                                    "示例市政务服务中心"};
            const std::string payload =
                "OWLIC1;id=" + face.license_id + ";face-sha256=" + std::string(64, '0');
            std::ofstream(std::string(argv[2]) + "/" + t.id + ".pdf", std::ios::binary)
                << ow::forms::render_license_pdf(t, face, note, payload);
            std::cout << t.id << " " << payload << "\n";
        }
    } catch (const ow::forms::FormsError& e) {
        std::cerr << "restore_render_templates: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
