#include "tools.h"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>

namespace ow::test {

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ow-scan-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
        throw std::runtime_error("mkdtemp failed");
    path = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;
    if (!std::getenv("OW_KEEP_TEST_FILES"))
        std::filesystem::remove_all(path, ec);
}

ToolResult run_tool(const std::string& command) {
    ToolResult result;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe)
        return result;
    std::array<char, 4096> buffer{};
    size_t n;
    while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
        result.output.append(buffer.data(), n);
    int status = pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

void write_bytes(const std::filesystem::path& path, const std::vector<unsigned char>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

double rendered_mean(const std::filesystem::path& pdf, int page, int dpi) {
    const auto base = pdf.parent_path() / ("render-" + std::to_string(page));
    auto r = run_tool("pdftoppm -gray -r " + std::to_string(dpi) + " -f " + std::to_string(page) +
                      " -l " + std::to_string(page) + " -singlefile '" + pdf.string() + "' '" +
                      base.string() + "'");
    if (r.status != 0)
        throw std::runtime_error("pdftoppm failed: " + r.output);
    std::ifstream in(base.string() + ".pgm", std::ios::binary);
    std::string magic;
    int w = 0, h = 0, max = 0;
    in >> magic >> w >> h >> max;
    in.get();
    std::vector<unsigned char> pixels(static_cast<size_t>(w) * static_cast<size_t>(h));
    in.read(reinterpret_cast<char*>(pixels.data()), static_cast<std::streamsize>(pixels.size()));
    double sum = 0;
    for (auto p : pixels)
        sum += p;
    return pixels.empty() ? 0 : sum / double(pixels.size());
}

} // namespace ow::test
