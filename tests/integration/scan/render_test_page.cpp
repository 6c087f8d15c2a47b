// Writes a rendered document page as PNG for the CLI end-to-end test: an ID-card copy with a name
// and ID number, or a text page. Usage: render_test_page OUT.png (id NAME ID | text N)
#include "ow/devices/page_pipeline.h"
#include "page_render.h"

#include <cstdio>
#include <fstream>
#include <string>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s OUT.png (id NAME ID | text N)\n", argv[0]);
        return 2;
    }
    ow::test::PageSpec spec;
    if (std::string(argv[2]) == "id") {
        spec.width_mm = 100;
        spec.height_mm = 60;
        spec.font_pt = 12;
        spec.paragraphs = {std::string("姓名 ") + argv[3], "性别 女  民族 汉",
                           std::string("公民身份号码 ") + argv[4]};
    } else {
        spec.paragraphs = ow::test::sample_paragraphs(std::stoi(argv[3]));
        spec.angle_deg = 0.6;
    }
    auto png = ow::devices::PageImage::from_raw(ow::test::render_page(spec)).png();
    std::ofstream(argv[1], std::ios::binary)
        .write(reinterpret_cast<const char*>(png.data()), static_cast<std::streamsize>(png.size()));
    return 0;
}
