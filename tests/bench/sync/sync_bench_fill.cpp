// Fills a workstation for the sync benchmark: N cases, each with B synthetic documents of S bytes
// stored encrypted through BlobStore (exactly what intake stores), written in the same transaction
// as the case and its outbox entry. With --export DIR the same synthetic bytes are also written
// there (they are random test data, not personal data) so that curl can upload them as the peer.
//
// usage: sync_bench_fill DATA_DIR CLERK PASSWORD CASES BLOBS_PER_CASE BLOB_BYTES [--export DIR]
#include "ow/core/blob_store.h"
#include "ow/core/case_service.h"
#include "ow/core/database.h"
#include "ow/core/util.h"
#include "ow/core/workstation.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

int main(int argc, char** argv) {
    if (argc < 7) {
        std::cerr << "usage: sync_bench_fill DATA_DIR CLERK PASSWORD CASES BLOBS_PER_CASE "
                     "BLOB_BYTES [--export DIR]\n";
        return 2;
    }
    std::filesystem::path dir = argv[1];
    int cases = std::atoi(argv[4]);
    int blobs = std::atoi(argv[5]);
    std::size_t size = std::strtoull(argv[6], nullptr, 10);
    std::string export_dir = argc >= 9 && std::string(argv[7]) == "--export" ? argv[8] : "";
    try {
        auto session = ow::core::Workstation::login(dir, argv[2], ow::core::SecretString(argv[3]));
        ow::core::CaseService service(*session);
        ow::core::BlobStore store(*session);
        std::mt19937_64 random(20261128);
        for (int c = 0; c < cases; ++c) {
            ow::core::CaseDraft draft;
            draft.applicant_kind = "person";
            draft.applicant_id = "11010519491231002X";
            draft.applicant_name = "基准测试" + std::to_string(c);
            draft.items = {"BENCH-1"};
            draft.catalog_version = "bench";
            draft.promised_date = "2026-12-31";
            service.create(draft, [&](const ow::core::CaseSummary& stored) {
                for (int b = 0; b < blobs; ++b) {
                    std::vector<unsigned char> bytes(size);
                    for (std::size_t i = 0; i + 8 <= size; i += 8) {
                        std::uint64_t v = random();
                        std::copy_n(reinterpret_cast<unsigned char*>(&v), 8, bytes.data() + i);
                    }
                    auto info = store.put(bytes, "application/octet-stream");
                    session->db()
                        .prepare("INSERT INTO documents(id, case_id, kind, blob_id, created_at) "
                                 "VALUES (?, ?, 'scan', ?, ?)")
                        .bind(1, ow::core::new_uuid())
                        .bind(2, stored.id)
                        .bind(3, info.id)
                        .bind(4, ow::core::now_utc_iso())
                        .run();
                    if (!export_dir.empty()) {
                        std::ofstream out(std::filesystem::path(export_dir) / info.id,
                                          std::ios::binary);
                        out.write(reinterpret_cast<const char*>(bytes.data()),
                                  static_cast<std::streamsize>(bytes.size()));
                        std::ofstream(std::filesystem::path(export_dir) / (info.id + ".sha256"))
                            << info.sha256;
                    }
                }
            });
        }
        std::cout << cases << " case(s) with " << blobs << " blob(s) of " << size << " bytes\n";
    } catch (const std::exception& e) {
        std::cerr << "sync_bench_fill: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
