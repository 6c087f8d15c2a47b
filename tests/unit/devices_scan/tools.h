// Outside validators (qpdf, pdfimages, pdftoppm, pdftotext) run on files in a private temp dir.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ow::test {

struct TempDir {
    TempDir();
    ~TempDir();
    std::filesystem::path path;
};

struct ToolResult {
    int status = -1;
    std::string output; // stdout and stderr
};
ToolResult run_tool(const std::string& command);

void write_bytes(const std::filesystem::path& path, const std::vector<unsigned char>& bytes);

// Renders page `page` (1-based) of the PDF with pdftoppm as 8-bit grey at `dpi`; returns the mean.
double rendered_mean(const std::filesystem::path& pdf, int page, int dpi);

} // namespace ow::test
