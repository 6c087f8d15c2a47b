// Small helpers shared by the core services.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace ow::core {

std::string now_utc_iso(); // 2026-11-28T10:32:05.123Z
std::string today_local(); // 2026-11-28 (the counter's calendar day)
// The local time now in an strftime format, e.g. "%Y-%m-%d %H:%M".
std::string local_time(const char* strftime_format);
std::string new_uuid(); // random (version 4) UUID
// `text` without surrounding spaces, tabs and line ends.
std::string trim_whitespace(std::string_view text);

// Writes `content` to `path` atomically: temp file in the same directory, fsync, rename, fsync of
// the directory. The file is created with mode 0600. Throws CoreError(Storage) on failure.
void write_file_atomically(const std::filesystem::path& path, std::string_view content);
std::string read_file(const std::filesystem::path& path); // throws CoreError(Storage)

// The per-user data directory: $OW_DATA_DIR, else $XDG_DATA_HOME/onewindow, else
// ~/.local/share/onewindow (%LOCALAPPDATA%\OneWindow on Windows).
std::filesystem::path default_data_dir();

// Creates the directory (mode 0700) if needed.
void ensure_private_dir(const std::filesystem::path& dir);

// Called first thing by onewindow and onewindow-cli. No core dumps (one would hold the data key,
// PINs and decrypted records), and other processes of the same user may not attach to this one or
// read its memory (PR_SET_DUMPABLE 0); SIGPIPE is ignored, so a printer command that exits early is
// an error on the write, not the silent end of the process. Returns false when a step failed.
bool protect_process();

// Sends a PDF to the default printer through `lp` on a pipe: no copy in OneWindow's own files (the
// print spooler keeps its job file as CUPS is configured: PreserveJobFiles No, docs/deployment.md).
// False when no printer or no lp is set up, or the spooler refused the job.
bool send_to_printer(const unsigned char* pdf, std::size_t size);

} // namespace ow::core
