// Signing benchmark. Inputs made here: 1 page, 50 pages of text, 50 pages with one
// incompressible 200x200 RGB image each (~6 MB). Software RSA-2048 key from a throwaway CA.
// Peers, whole process each, same inputs and key, same run, runs of the two alternating:
//   sign:   onewindow-cli sign (PAdES B-B)      vs podofosign -digest sha256 (adbe.pkcs7.detached)
//   verify: onewindow-cli verify --trust CA     vs pdfsig
// Also: in-process PadesSigner::sign_file on the 1-page input, and peak RSS of the CLI.
// usage: bench_signing [--runs N] [--cli PATH] [--keep DIR]
#include "ow/signing/pades_signer.h"
#include "ow/signing/pades_verifier.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <vector>

extern char** environ;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Sample {
    double ms;     // wall clock
    double cpu_ms; // user + system time of the child
    long max_rss_kb;
    int rc;
};

Sample spawn(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    auto t0 = Clock::now();
    pid_t pid = 0;
    if (posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return {-1, 0, 0, -1};
    }
    int st = 0;
    rusage ru{};
    wait4(pid, &st, 0, &ru);
    auto t1 = Clock::now();
    posix_spawn_file_actions_destroy(&fa);
    auto ms = [](timeval t) {
        return t.tv_sec * 1e3 + t.tv_usec / 1e3;
    };
    return {std::chrono::duration<double, std::milli>(t1 - t0).count(),
            ms(ru.ru_utime) + ms(ru.ru_stime), ru.ru_maxrss, WIFEXITED(st) ? WEXITSTATUS(st) : -1};
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

struct Series {
    double median_ms = 0, min_ms = 0, cpu_ms = 0;
    long max_rss_kb = 0;
    int failures = 0;
};

// Runs the two commands alternately (a, b, a, b …) so that both see the same phases of a noisy
// machine; `out_*` is removed before each run of its command.
std::pair<Series, Series> measure_pair(const std::vector<std::string>& a,
                                       const std::vector<std::string>& b, int runs,
                                       const fs::path& out_a = {}, const fs::path& out_b = {}) {
    struct Acc {
        std::vector<double> t, cpu;
        Series s;
        void run(const std::vector<std::string>& args, const fs::path& out) {
            if (!out.empty())
                fs::remove(out);
            Sample x = spawn(args);
            if (x.rc != 0 && x.rc != 1)
                ++s.failures;
            t.push_back(x.ms);
            cpu.push_back(x.cpu_ms);
            s.max_rss_kb = std::max(s.max_rss_kb, x.max_rss_kb);
        }
        Series done() {
            s.median_ms = median(t);
            s.cpu_ms = median(cpu);
            s.min_ms = *std::min_element(t.begin(), t.end());
            return s;
        }
    } x, y;
    spawn(a); // warm the page cache
    spawn(b);
    for (int i = 0; i < runs; ++i) {
        x.run(a, out_a);
        y.run(b, out_b);
    }
    return {x.done(), y.done()};
}

// ---------------------------------------------------------------- inputs

std::string pdf(int pages, bool images) {
    std::string out = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
    std::vector<std::size_t> off;
    auto obj = [&](int n, const std::string& body) {
        if (off.size() < static_cast<std::size_t>(n + 1))
            off.resize(static_cast<std::size_t>(n + 1));
        off[static_cast<std::size_t>(n)] = out.size();
        out += std::to_string(n) + " 0 obj\n" + body + "\nendobj\n";
    };
    // 1 catalog, 2 pages, 3 font; page i: 4+3i page, 5+3i content, 6+3i image
    std::string kids;
    for (int i = 0; i < pages; ++i)
        kids += std::to_string(4 + 3 * i) + " 0 R ";
    obj(1, "<< /Type /Catalog /Pages 2 0 R >>");
    obj(2, "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>");
    obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
    std::string noise(200 * 200 * 3, '\0');
    for (int i = 0; i < pages; ++i) {
        std::string res = "/Font << /F1 3 0 R >>";
        if (images)
            res += " /XObject << /Im1 " + std::to_string(6 + 3 * i) + " 0 R >>";
        obj(4 + 3 * i, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << " + res +
                           " >> /Contents " + std::to_string(5 + 3 * i) + " 0 R >>");
        std::string text = "BT /F1 10 Tf 50 800 Td 12 TL";
        for (int l = 0; l < 46; ++l)
            text += " (Page " + std::to_string(i + 1) + ", line " + std::to_string(l + 1) +
                    ": the applicant submitted every required material; the case is approved.) '";
        text += " ET";
        if (images)
            text += " q 200 0 0 200 350 50 cm /Im1 Do Q";
        obj(5 + 3 * i,
            "<< /Length " + std::to_string(text.size()) + " >>\nstream\n" + text + "\nendstream");
        if (images) {
            RAND_bytes(reinterpret_cast<unsigned char*>(noise.data()),
                       static_cast<int>(noise.size()));
            obj(6 + 3 * i, "<< /Type /XObject /Subtype /Image /Width 200 /Height 200 /ColorSpace "
                           "/DeviceRGB /BitsPerComponent 8 /Length " +
                               std::to_string(noise.size()) + " >>\nstream\n" + noise +
                               "\nendstream");
        } else {
            obj(6 + 3 * i, "null");
        }
    }
    std::size_t xref = out.size();
    out += "xref\n0 " + std::to_string(off.size()) + "\n0000000000 65535 f \n";
    char line[32];
    for (std::size_t i = 1; i < off.size(); ++i) {
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", off[i]);
        out += line;
    }
    out += "trailer\n<< /Size " + std::to_string(off.size()) + " /Root 1 0 R >>\nstartxref\n" +
           std::to_string(xref) + "\n%%EOF\n";
    return out;
}

void write(const fs::path& p, const std::string& s) {
    std::ofstream(p, std::ios::binary) << s;
}

std::string pem(EVP_PKEY* k) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr);
    char* d;
    long n = BIO_get_mem_data(b, &d);
    std::string s(d, static_cast<std::size_t>(n));
    BIO_free(b);
    return s;
}
std::string pem(X509* c) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, c);
    char* d;
    long n = BIO_get_mem_data(b, &d);
    std::string s(d, static_cast<std::size_t>(n));
    BIO_free(b);
    return s;
}

X509* cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca) {
    X509* c = X509_new();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), ca ? 1 : 2);
    X509_gmtime_adj(X509_getm_notBefore(c), -3600);
    X509_gmtime_adj(X509_getm_notAfter(c), 86400L * 30);
    X509_set_pubkey(c, key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(c), "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
    X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(c));
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : c, c, nullptr, nullptr, 0);
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &ctx, NID_basic_constraints,
                                            ca ? "critical,CA:TRUE" : "CA:FALSE");
    X509_add_ext(c, e, -1);
    X509_EXTENSION_free(e);
    X509_sign(c, issuer_key ? issuer_key : key, EVP_sha256());
    return c;
}

} // namespace

int main(int argc, char** argv) {
    int runs = 15;
    std::string cli = OW_CLI_PATH;
    fs::path keep;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--runs")
            runs = std::max(3, std::atoi(argv[i + 1]));
        else if (a == "--cli")
            cli = argv[i + 1];
        else if (a == "--keep")
            keep = argv[i + 1];
    }
    std::string tmpl = (fs::temp_directory_path() / "ow-bench-signing.XXXXXX").string();
    fs::path dir = keep.empty() ? fs::path(mkdtemp(tmpl.data())) : keep;
    fs::create_directories(dir);

    EVP_PKEY* ca_key = EVP_RSA_gen(2048);
    X509* ca = cert(ca_key, "Bench Root CA", nullptr, nullptr, true);
    EVP_PKEY* key = EVP_RSA_gen(2048);
    X509* ee = cert(key, "Bench Officer (RSA-2048)", ca, ca_key, false);
    write(dir / "ca.crt", pem(ca));
    write(dir / "rsa.key", pem(key));
    write(dir / "rsa.crt", pem(ee));

    struct Input {
        std::string name;
        fs::path path;
        std::uintmax_t size;
    };
    std::vector<Input> inputs;
    write(dir / "p1.pdf", pdf(1, false));
    write(dir / "p50.pdf", pdf(50, false));
    write(dir / "p50img.pdf", pdf(50, true));
    for (auto [n, f] :
         std::vector<std::pair<std::string, std::string>>{{"1 page", "p1.pdf"},
                                                          {"50 pages text", "p50.pdf"},
                                                          {"50 pages + images", "p50img.pdf"}})
        inputs.push_back({n, dir / f, fs::file_size(dir / f)});

    std::printf("bench_signing: %d runs per series, median (min) ms, whole processes\n", runs);
    std::printf("CLI: %s\n\n", cli.c_str());
    std::printf("wall: median (min) ms; cpu: median user+system ms of the process\n\n");
    std::printf("%-18s %7s | %-22s %-22s %-11s | %-22s %-22s %-11s | %6s %6s\n", "input", "MB",
                "ow sign wall/cpu", "podofosign wall/cpu", "ratio w/c", "ow verify wall/cpu",
                "pdfsig wall/cpu", "ratio w/c", "RSS", "limit");
    bool ok = true;
    for (const auto& in : inputs) {
        int n = in.size > 1'000'000 ? std::max(3, runs / 2) : runs;
        fs::path ow_out = dir / ("ow-" + in.path.filename().string());
        fs::path pf_out = dir / ("podofo-" + in.path.filename().string());
        auto [ow, pf] =
            measure_pair({cli, "sign", in.path, ow_out, "--key-file", dir / "rsa.key", "--cert",
                          dir / "rsa.crt"},
                         {"podofosign", "-in", in.path, "-out", pf_out, "-cert", dir / "rsa.crt",
                          "-pkey", dir / "rsa.key", "-digest", "sha256"},
                         n, ow_out, pf_out);
        auto [ov, ps] =
            measure_pair({cli, "verify", ow_out, "--trust", dir / "ca.crt"}, {"pdfsig", ow_out}, n);
        double rss_mb = ow.max_rss_kb / 1024.0;
        double limit_mb = 1.5 * static_cast<double>(in.size) / (1024.0 * 1024.0) + 20;
        double sign_ratio = ow.median_ms / pf.median_ms, verify_ratio = ov.median_ms / ps.median_ms;
        double sign_cpu = ow.cpu_ms / pf.cpu_ms, verify_cpu = ov.cpu_ms / ps.cpu_ms;
        std::printf("%-18s %7.2f | %6.1f (%5.1f) %6.1f | %6.1f (%5.1f) %6.1f | %4.2f %4.2f | "
                    "%6.1f (%5.1f) %6.1f | %6.1f (%5.1f) %6.1f | %4.2f %4.2f | %6.1f %6.1f\n",
                    in.name.c_str(), static_cast<double>(in.size) / 1e6, ow.median_ms, ow.min_ms,
                    ow.cpu_ms, pf.median_ms, pf.min_ms, pf.cpu_ms, sign_ratio, sign_cpu,
                    ov.median_ms, ov.min_ms, ov.cpu_ms, ps.median_ms, ps.min_ms, ps.cpu_ms,
                    verify_ratio, verify_cpu, rss_mb, limit_mb);
        if (ow.failures || pf.failures || ov.failures)
            std::printf("  !! failures: ow sign %d, podofosign %d, ow verify %d\n", ow.failures,
                        pf.failures, ov.failures);
        ok = ok && sign_ratio <= 0.8 && verify_ratio <= 1.0 && rss_mb <= limit_mb;
    }

    // In-process, 1 page, after one warm-up: in memory (load + update + hash + sign + CMS), and
    // to a file (the same + temp file, fsync, rename, fsync of the directory).
    auto signer = ow::signing::SoftwareSigner::from_files(dir / "rsa.key", dir / "rsa.crt");
    ow::signing::PadesSigner pades(*signer);
    std::ifstream p1(inputs[0].path, std::ios::binary);
    ow::signing::Bytes p1_bytes((std::istreambuf_iterator<char>(p1)),
                                std::istreambuf_iterator<char>());
    std::vector<double> t, tm;
    pades.sign_file(inputs[0].path, dir / "inproc.pdf", {});
    for (int i = 0; i < runs * 2; ++i) {
        auto t0 = Clock::now();
        pades.sign_memory(p1_bytes, {});
        auto t1 = Clock::now();
        pades.sign_file(inputs[0].path, dir / "inproc.pdf", {});
        auto t2 = Clock::now();
        tm.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        t.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
    double inproc = median(tm);
    std::vector<double> tv;
    ow::signing::VerifyOptions vo;
    vo.trust_anchors = {dir / "ca.crt"};
    ow::signing::PadesVerifier verifier(vo);
    for (int i = 0; i < runs * 2; ++i) {
        auto t0 = Clock::now();
        verifier.verify_file(dir / "inproc.pdf");
        tv.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    std::printf("\nin-process 1 page: sign in memory %.2f ms (target <= 5 ms), sign to a file with "
                "fsync %.2f ms, verify %.2f ms\n",
                inproc, median(t), median(tv));
    ok = ok && inproc <= 5.0;
    std::printf(
        "targets: sign <= 0.8x podofosign, verify <= 1.0x pdfsig, RSS <= 1.5x input + 20 MB: "
        "%s\n",
        ok ? "all met" : "NOT all met");
    if (keep.empty())
        fs::remove_all(dir);
    return 0;
}
