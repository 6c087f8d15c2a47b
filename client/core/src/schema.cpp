#include "ow/core/schema.h"

#include "ow/core/database.h"
#include "ow/core/error.h"
#include "ow/core/reference_data.h"

#include <array>
#include <string_view>

namespace ow::core {
namespace {

// Append new versions at the end; never edit a released one.
constexpr std::array<std::string_view, 8> kMigrations = {
    // 1: workstation metadata, users, settings, the audit log.
    R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('clerk', 'officer', 'admin')),
  active INTEGER NOT NULL DEFAULT 1,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL);
CREATE TABLE user_settings(
  user_id INTEGER NOT NULL REFERENCES users(id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (user_id, key));
CREATE TABLE audit_events(
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  details TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL);
CREATE TABLE audit_anchor(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL);
)sql",
    // 2: reference data cached from the population, legal-entity and e-license libraries
    //    (the persons table is kPersonsTableSql, shared with the cache benchmark).
    R"sql(
CREATE TABLE entities(
  uscc TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  legal_representative TEXT NOT NULL,
  address TEXT NOT NULL,
  established TEXT NOT NULL,
  source TEXT NOT NULL,
  updated_at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX entities_by_name ON entities(name);
CREATE TABLE licenses(
  license_id TEXT PRIMARY KEY,
  type_code TEXT NOT NULL,
  type_name TEXT NOT NULL,
  holder_id TEXT NOT NULL,
  holder_name TEXT NOT NULL,
  issuer TEXT NOT NULL,
  issue_date TEXT NOT NULL,
  valid_until TEXT NOT NULL,
  face_data TEXT NOT NULL,
  issuer_signature BLOB,
  source TEXT NOT NULL,
  updated_at TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX licenses_by_holder ON licenses(holder_id);
)sql",
    // 3: cases (办件), their materials and documents, and the sync outbox.
    R"sql(
CREATE TABLE cases(
  id TEXT PRIMARY KEY,
  case_number TEXT NOT NULL UNIQUE,
  applicant_kind TEXT NOT NULL CHECK (applicant_kind IN ('person', 'entity')),
  applicant_id TEXT NOT NULL,
  applicant_name TEXT NOT NULL,
  items TEXT NOT NULL,
  catalog_version TEXT NOT NULL,
  form_data TEXT NOT NULL,
  state TEXT NOT NULL,
  note TEXT NOT NULL,
  received_by INTEGER NOT NULL REFERENCES users(id),
  received_at TEXT NOT NULL,
  promised_date TEXT NOT NULL,
  revision INTEGER NOT NULL DEFAULT 1,
  updated_at TEXT NOT NULL);
CREATE INDEX cases_by_applicant ON cases(applicant_id);
CREATE INDEX cases_by_state ON cases(state);
CREATE TABLE case_sequence(day TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE materials(
  case_id TEXT NOT NULL REFERENCES cases(id),
  material_key TEXT NOT NULL,
  name TEXT NOT NULL,
  necessity TEXT NOT NULL,
  status TEXT NOT NULL,
  pages INTEGER NOT NULL DEFAULT 0,
  blob_id TEXT,
  license_id TEXT,
  PRIMARY KEY (case_id, material_key));
CREATE TABLE documents(
  id TEXT PRIMARY KEY,
  case_id TEXT NOT NULL REFERENCES cases(id),
  kind TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  signed INTEGER NOT NULL DEFAULT 0);
CREATE TABLE outbox(
  mutation_id TEXT PRIMARY KEY,
  entity_kind TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  last_error TEXT);
CREATE INDEX outbox_by_state ON outbox(state, created_at);
)sql",
    // 4: encrypted blobs (their keys live here, the ciphertext in DIR/blobs).
    R"sql(
CREATE TABLE blobs(
  id TEXT PRIMARY KEY,
  blob_key BLOB NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  media_type TEXT NOT NULL,
  created_at TEXT NOT NULL);
)sql",
    // 5: sync state — the server's identity and this workstation's certificate (the private key
    //    lives only here, in the encrypted cache), pull cursors per kind, dead letters, blob
    //    upload progress, server-owned reference records without a table of their own.
    R"sql(
CREATE TABLE sync_identity(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  server_url TEXT NOT NULL,
  ca_pem TEXT NOT NULL,
  pin TEXT NOT NULL DEFAULT '',
  workstation_id TEXT NOT NULL DEFAULT '',
  client_cert_pem TEXT NOT NULL DEFAULT '',
  client_key_pem BLOB,
  enrolled_at TEXT);
CREATE TABLE sync_cursors(
  kind TEXT PRIMARY KEY,
  phase TEXT NOT NULL,
  position TEXT NOT NULL,
  updated_at TEXT NOT NULL);
CREATE TABLE sync_dead_letters(
  mutation_id TEXT PRIMARY KEY,
  entity_kind TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  reason TEXT NOT NULL,
  dead_at TEXT NOT NULL);
CREATE TABLE sync_blob_uploads(
  sha256 TEXT PRIMARY KEY,
  length INTEGER NOT NULL,
  confirmed_offset INTEGER NOT NULL DEFAULT 0,
  sent_bytes INTEGER NOT NULL DEFAULT 0,
  complete INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL);
CREATE TABLE sync_records(
  kind TEXT NOT NULL,
  id TEXT NOT NULL,
  data TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (kind, id)) WITHOUT ROWID;
CREATE TABLE sync_status(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_attempt_at TEXT,
  last_success_at TEXT,
  last_error TEXT NOT NULL DEFAULT '',
  online INTEGER NOT NULL DEFAULT 0);
)sql",
    // 6: the officer's decisions (行政许可决定) with their reasons, one per case; the decision
    //    document (决定书) is rendered from it and sealed.
    R"sql(
CREATE TABLE decisions(
  case_id TEXT PRIMARY KEY REFERENCES cases(id),
  decision TEXT NOT NULL CHECK (decision IN ('approve', 'return', 'refuse')),
  reasons TEXT NOT NULL,
  decided_by INTEGER NOT NULL REFERENCES users(id),
  decided_at TEXT NOT NULL);
)sql",
    // 7: the pages of scanned materials (encrypted page images and thumbnails, in order).
    R"sql(
CREATE TABLE scan_pages(
  case_id TEXT NOT NULL REFERENCES cases(id),
  material_key TEXT NOT NULL,
  page_no INTEGER NOT NULL,
  image_blob_id TEXT NOT NULL,
  thumbnail_blob_id TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  resolution INTEGER NOT NULL,
  rotation INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (case_id, material_key, page_no));
)sql",
    // 8: certificate restoration (证照还原): the trusted e-license issuers, the service center's
    //    seal for restored copies (a software seal key, only ever inside the encrypted cache) and
    //    the restored copies made here (the sealed PDF is a blob).
    R"sql(
CREATE TABLE license_issuers(
  name TEXT PRIMARY KEY,
  certificate BLOB NOT NULL,
  source TEXT NOT NULL,
  added_at TEXT NOT NULL);
CREATE TABLE center_seal(
  id INTEGER PRIMARY KEY CHECK (id = 1),
  name TEXT NOT NULL,
  key_pem TEXT NOT NULL,
  certificate_pem TEXT NOT NULL,
  chain_pem TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE TABLE restorations(
  id TEXT PRIMARY KEY,
  license_id TEXT NOT NULL,
  reason TEXT NOT NULL,
  case_id TEXT REFERENCES cases(id),
  material_key TEXT,
  clerk TEXT NOT NULL,
  blob_id TEXT NOT NULL,
  qr_payload TEXT NOT NULL,
  created_at TEXT NOT NULL);
CREATE INDEX restorations_by_license ON restorations(license_id);
)sql",
};

} // namespace

int latest_schema_version() {
    return static_cast<int>(kMigrations.size());
}

void migrate(Database& db, int target) {
    if (target < 0)
        target = latest_schema_version();
    int current = db.user_version();
    if (current > latest_schema_version())
        throw CoreError(ErrorCode::CacheRefused,
                        N_("The workstation cache was written by a newer OneWindow (schema "
                           "{found}, this program knows {known}). Install the newer version."),
                        {{"found", std::to_string(current)},
                         {"known", std::to_string(latest_schema_version())}});
    for (int version = current + 1; version <= target; ++version) {
        Transaction tx(db);
        if (version == 2)
            db.exec(kPersonsTableSql);
        db.exec(kMigrations[static_cast<std::size_t>(version - 1)]);
        db.set_user_version(version);
        tx.commit();
    }
}

} // namespace ow::core
