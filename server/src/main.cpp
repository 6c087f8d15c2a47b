// onewindow-server: the reference service-center server (docs/sync-protocol.md) and its admin
// commands.
//
//   onewindow-server init --dir DIR [--host NAME]... [--address A] [--port P] [--organization O]
//   onewindow-server [run] --config FILE
//   onewindow-server import --config FILE (--catalog catalog.json | --calendar FILE |
//                    --persons FILE | --entities FILE | --licenses FILE | --users FILE |
//                    --demo-persons N | --demo-entities N)...
//   onewindow-server enroll --config FILE --workstation NAME [--ttl-hours H]
//   onewindow-server enroll --config FILE --workstation NAME --csr FILE --out CERT
//   onewindow-server revoke --config FILE --workstation NAME
//   onewindow-server status --config FILE [--json]
//   onewindow-server requests --config FILE (list | accept ID [--force] | reject ID)
#include "config.h"
#include "http_server.h"
#include "pki.h"
#include "publication.h"
#include "storage.h"
#include "util.h"

#include <chrono>
#include <cstdio>
#include <fcntl.h>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using namespace ow::server;
using nlohmann::json;

constexpr const char* kDefaultConfig = "/etc/onewindow-server/server.conf";

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// --name value pairs (repeatable) and positional words.
struct Args {
    std::multimap<std::string, std::string> options;
    std::vector<std::string> flags;
    std::vector<std::string> words;

    bool has(const std::string& k) const {
        return options.count(k) || std::find(flags.begin(), flags.end(), k) != flags.end();
    }
    std::string get(const std::string& k, const std::string& fallback = "") const {
        auto it = options.find(k);
        return it == options.end() ? fallback : it->second;
    }
    std::vector<std::string> all(const std::string& k) const {
        std::vector<std::string> out;
        auto [b, e] = options.equal_range(k);
        for (auto it = b; it != e; ++it)
            out.push_back(it->second);
        return out;
    }
};

Args parse(int argc, char** argv, int first, const std::vector<std::string>& boolean_flags) {
    Args a;
    for (int i = first; i < argc; ++i) {
        std::string s = argv[i];
        if (s.rfind("--", 0) == 0) {
            if (std::find(boolean_flags.begin(), boolean_flags.end(), s) != boolean_flags.end()) {
                a.flags.push_back(s);
                continue;
            }
            if (i + 1 >= argc)
                throw UsageError(s + " needs a value");
            a.options.emplace(s, argv[++i]);
        } else {
            a.words.push_back(s);
        }
    }
    return a;
}

ServerConfig load_config(const Args& a) {
    if (a.has("--dir") && !a.has("--config"))
        return ServerConfig::load(std::filesystem::path(a.get("--dir")) / "server.conf");
    return ServerConfig::load(a.get("--config", kDefaultConfig));
}

std::unique_ptr<Storage> open_storage(const ServerConfig& c) {
    if (!std::filesystem::exists(c.database_file()))
        throw std::runtime_error("no database at " + c.database_file().string() +
                                 "; run `onewindow-server init` first");
    return open_sqlite_storage(c.database_file());
}

int cmd_init(const Args& a) {
    if (!a.has("--dir"))
        throw UsageError("init needs --dir DIR");
    std::filesystem::path dir = std::filesystem::absolute(a.get("--dir"));
    ServerConfig c;
    c.state_dir = dir;
    c.address = a.get("--address", "127.0.0.1");
    c.port = std::stoi(a.get("--port", "8443"));
    auto config_file = dir / "server.conf";
    if (std::filesystem::exists(config_file) || std::filesystem::exists(c.database_file()))
        throw std::runtime_error(dir.string() + " already holds a server; refusing to overwrite");
    ::umask(027);
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all |
                                          std::filesystem::perms::group_read |
                                          std::filesystem::perms::group_exec);
    std::filesystem::create_directories(c.tls_dir());
    std::filesystem::create_directories(c.blob_dir());
    std::filesystem::create_directories(dir / "log");
    std::vector<std::string> hosts = a.all("--host");
    create_pki(PkiFiles::in(c.tls_dir()), hosts,
               a.get("--organization", "OneWindow service center"));
    open_sqlite_storage(c.database_file());
    write_text_file(config_file, c.render(), 0640);
    std::cout << "initialised " << dir.string() << "\n  configuration " << config_file.string()
              << "\n  CA certificate " << (c.tls_dir() / "ca.crt").string()
              << " (give it to workstations)\n";
    return 0;
}

int cmd_import(const Args& a) {
    auto c = load_config(a);
    auto storage = open_storage(c);
    int done = 0;
    auto progress = [](std::size_t n) {
        std::cerr << "  " << n << " records\r" << std::flush;
    };
    for (const auto& f : a.all("--catalog")) {
        std::cout << "catalog " << import_catalog(*storage, f) << " published\n";
        ++done;
    }
    for (const auto& f : a.all("--calendar")) {
        std::cout << "calendar " << import_calendar(*storage, f) << " published\n";
        ++done;
    }
    const std::pair<const char*, const char*> files[] = {{"--persons", "person"},
                                                         {"--entities", "entity"},
                                                         {"--licenses", "license"},
                                                         {"--users", "user"}};
    for (const auto& [option, kind] : files)
        for (const auto& f : a.all(option)) {
            std::size_t n = import_records(*storage, kind, f, progress);
            std::cout << n << " " << kind << " records published\n";
            ++done;
        }
    for (const auto& [option, kind] :
         {std::pair{"--demo-persons", "person"}, std::pair{"--demo-entities", "entity"}})
        for (const auto& v : a.all(option)) {
            auto t0 = std::chrono::steady_clock::now();
            std::size_t n = import_demo(*storage, kind, std::stoul(v), 20261128, progress);
            double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::printf("%zu demo %s records published in %.2f s\n", n, kind, s);
            ++done;
        }
    if (!done)
        throw UsageError("import needs --catalog, --calendar, --persons, --entities, --licenses, "
                         "--users, --demo-persons or --demo-entities");
    return 0;
}

int cmd_enroll(const Args& a) {
    auto c = load_config(a);
    std::string ws = a.get("--workstation");
    if (!valid_identifier(ws))
        throw UsageError("enroll needs --workstation NAME (1-64 characters of [A-Za-z0-9._:-])");
    auto storage = open_storage(c);
    if (a.has("--csr")) {
        if (!a.has("--out"))
            throw UsageError("--csr needs --out CERT");
        auto files = PkiFiles::in(c.tls_dir());
        files.ca_cert = c.client_ca;
        files.ca_key = c.ca_key;
        auto cert = issue_client_certificate(files, read_text_file(a.get("--csr")), ws);
        auto tx = storage->begin(TxMode::Write);
        tx->exec("DELETE FROM workstations WHERE id = ?", {ws});
        tx->exec("INSERT INTO workstations(id, cert_serial, not_after, enrolled_at, revoked) "
                 "VALUES (?, ?, ?, ?, 0)",
                 {ws, cert.serial, cert.not_after, now_utc_iso()});
        tx->commit();
        write_text_file(a.get("--out"), cert.pem, 0644);
        write_text_file(a.get("--out") + ".ca.pem", read_text_file(c.client_ca), 0644);
        std::cout << "workstation " << ws << " enrolled; certificate " << a.get("--out")
                  << " (serial " << cert.serial << ", valid until " << cert.not_after << ")\n";
        return 0;
    }
    long hours = std::stol(a.get("--ttl-hours", "24"));
    if (hours < 1 || hours > 24 * 30)
        throw UsageError("--ttl-hours must be 1 to 720");
    std::string code = random_enrollment_code();
    auto tx = storage->begin(TxMode::Write);
    tx->exec("INSERT INTO enrollment_codes(code_hash, workstation, created_at, expires_at) "
             "VALUES (?, ?, ?, ?)",
             {sha256_hex(normalize_enrollment_code(code)), ws, now_utc_iso(),
              utc_iso_after_seconds(hours * 3600)});
    tx->commit();
    std::cout << code << "\n";
    std::cerr << "one-time enrolment code for workstation " << ws << ", valid " << hours
              << " h: onewindow-cli enroll https://HOST:" << c.port << " " << code << "\n";
    return 0;
}

int cmd_revoke(const Args& a) {
    auto c = load_config(a);
    auto storage = open_storage(c);
    auto tx = storage->begin(TxMode::Write);
    tx->exec("UPDATE workstations SET revoked = 1 WHERE id = ?", {a.get("--workstation")});
    if (tx->changes() != 1)
        throw std::runtime_error("no enrolled workstation " + a.get("--workstation"));
    tx->commit();
    std::cout << "workstation " << a.get("--workstation") << " revoked\n";
    return 0;
}

int cmd_status(const Args& a) {
    auto c = load_config(a);
    auto storage = open_storage(c);
    auto tx = storage->begin(TxMode::Read);
    json out;
    out["backend"] = storage->backend_name();
    out["state_dir"] = c.state_dir.string();
    json records = json::object();
    tx->query("SELECT kind, COUNT(*) FROM records GROUP BY kind", {},
              [&](const Row& r) { records[r.text(0)] = r.int64(1); });
    out["records"] = records;
    auto count = [&](const char* sql) {
        return tx->query_one(sql)->int64(0);
    };
    out["cases"] = count("SELECT COUNT(*) FROM cases");
    out["mutations"] = count("SELECT COUNT(*) FROM mutations");
    out["audit_events"] = count("SELECT COUNT(*) FROM audit_events");
    out["documents"] = count("SELECT COUNT(*) FROM documents");
    out["blobs_complete"] = count("SELECT COUNT(*) FROM blobs WHERE complete = 1");
    out["blobs_incomplete"] = count("SELECT COUNT(*) FROM blobs WHERE complete = 0");
    out["change_requests_pending"] =
        count("SELECT COUNT(*) FROM change_requests WHERE status = 'pending'");
    out["last_change_seq"] = count("SELECT COALESCE(MAX(seq), 0) FROM changes");
    json ws = json::array();
    tx->query(
        "SELECT id, cert_serial, not_after, enrolled_at, revoked FROM workstations ORDER BY id", {},
        [&](const Row& r) {
            ws.push_back({{"id", r.text(0)},
                          {"certificate_serial", r.text(1)},
                          {"not_after", r.text(2)},
                          {"enrolled_at", r.text(3)},
                          {"revoked", r.int64(4) != 0}});
        });
    out["workstations"] = ws;
    if (a.has("--json")) {
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::cout << "storage        " << out["backend"].get<std::string>() << " in "
              << c.state_dir.string() << "\n";
    for (auto it = records.begin(); it != records.end(); ++it)
        std::cout << "records        " << it.key() << ": " << it.value() << "\n";
    std::cout << "cases          " << out["cases"] << "\nmutations      " << out["mutations"]
              << "\naudit events   " << out["audit_events"] << "\ndocuments      "
              << out["documents"] << "\nblobs          " << out["blobs_complete"] << " complete, "
              << out["blobs_incomplete"] << " incomplete\nchange requests "
              << out["change_requests_pending"] << " pending\nlast change    "
              << out["last_change_seq"] << "\nworkstations   " << ws.size() << "\n";
    for (const auto& w : ws)
        std::cout << "  " << w["id"].get<std::string>() << "  enrolled "
                  << w["enrolled_at"].get<std::string>() << "  valid until "
                  << w["not_after"].get<std::string>()
                  << (w["revoked"].get<bool>() ? "  REVOKED" : "") << "\n";
    return 0;
}

int cmd_requests(const Args& a) {
    auto c = load_config(a);
    auto storage = open_storage(c);
    std::string action = a.words.empty() ? "list" : a.words[0];
    if (action == "list") {
        auto tx = storage->begin(TxMode::Read);
        tx->query("SELECT id, target_kind, target_id, fields, reason, workstation, status, "
                  "created_at FROM change_requests ORDER BY created_at",
                  {}, [](const Row& r) {
                      std::cout << r.text(0) << "  " << r.text(6) << "  " << r.text(1) << " "
                                << r.text(2) << "  " << r.text(3) << "  from " << r.text(5)
                                << " at " << r.text(7) << "  reason: " << r.text(4) << "\n";
                  });
        return 0;
    }
    if ((action == "accept" || action == "reject") && a.words.size() == 2) {
        std::cout << decide_change_request(*storage, a.words[1], action == "accept",
                                           a.has("--force"))
                  << "\n";
        return 0;
    }
    throw UsageError("requests list | accept ID [--force] | reject ID");
}

void setup_logging(const ServerConfig& c) {
    std::filesystem::create_directories(c.log_file.parent_path());
    auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        c.log_file.string(), static_cast<std::size_t>(c.log_max_size_mb) * 1024 * 1024,
        static_cast<std::size_t>(c.log_files));
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(spdlog::level::warn);
    auto logger =
        std::make_shared<spdlog::logger>("server", spdlog::sinks_init_list{file, console});
    logger->set_level(c.log_level == "debug"     ? spdlog::level::debug
                      : c.log_level == "warning" ? spdlog::level::warn
                      : c.log_level == "error"   ? spdlog::level::err
                                                 : spdlog::level::info);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

int cmd_run(const Args& a) {
    auto c = load_config(a);
    // SIGTERM / SIGINT are taken by one thread with sigwait: block them before any thread starts.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    setup_logging(c);
    // One server per state directory.
    auto lock_path = c.state_dir / "server.lock";
    int lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0)
        throw std::runtime_error("another onewindow-server is running on " + c.state_dir.string());
    auto storage = open_storage(c);
    HttpServer server(c, *storage);
    int port = server.bind();
    spdlog::info("onewindow-server {} listening on https://{}:{} ({})", OW_VERSION, c.address, port,
                 storage->backend_name());
    std::printf("listening on %s:%d\n", c.address.c_str(), port);
    std::fflush(stdout);
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&signals, &sig);
        spdlog::info("signal {}: no new connections; finishing the requests in flight", sig);
        server.stop();
    });
    server.serve();
    // serve() returned: either a signal stopped it, or listening failed.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    storage.reset();
    spdlog::info("stopped; database closed");
    spdlog::shutdown();
    ::close(lock_fd);
    return 0;
}

void usage() {
    std::cerr
        << "usage:\n"
           "  onewindow-server init --dir DIR [--host NAME]... [--address A] [--port P]\n"
           "  onewindow-server [run] --config FILE\n"
           "  onewindow-server import --config FILE --catalog catalog.json | --calendar FILE |\n"
           "      --persons FILE | --entities FILE | --licenses FILE | --users FILE |\n"
           "      --demo-persons N | --demo-entities N\n"
           "  onewindow-server enroll --config FILE --workstation NAME [--ttl-hours H]\n"
           "  onewindow-server enroll --config FILE --workstation NAME --csr FILE --out CERT\n"
           "  onewindow-server revoke --config FILE --workstation NAME\n"
           "  onewindow-server status --config FILE [--json]\n"
           "  onewindow-server requests --config FILE list | accept ID [--force] | reject ID\n"
           "  (--dir DIR stands for --config DIR/server.conf)\n";
}

} // namespace

int main(int argc, char** argv) {
    std::string command = argc > 1 ? argv[1] : "run";
    int first = 2;
    if (command.rfind("--", 0) == 0) {
        if (command == "--version") {
            std::cout << "onewindow-server " << OW_VERSION << "\n";
            return 0;
        }
        if (command == "--help") {
            usage();
            return 0;
        }
        command = "run";
        first = 1;
    }
    try {
        Args a = parse(argc, argv, first, {"--json", "--force"});
        if (command == "init")
            return cmd_init(a);
        if (command == "run")
            return cmd_run(a);
        if (command == "import")
            return cmd_import(a);
        if (command == "enroll")
            return cmd_enroll(a);
        if (command == "revoke")
            return cmd_revoke(a);
        if (command == "status")
            return cmd_status(a);
        if (command == "requests")
            return cmd_requests(a);
        usage();
        return 2;
    } catch (const UsageError& e) {
        std::cerr << "onewindow-server: " << e.what() << "\n";
        usage();
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "onewindow-server: " << e.what() << "\n";
        return 1;
    }
}
