// Crash injection for fault tests, in onewindow-server-faults only (the installed onewindow-server
// links fault_none.cpp): OW_SERVER_CRASH_AT=<point>[:<n>] makes the server kill itself
// with SIGKILL the n-th time (default 1st) it passes <point>. Points: chunk-written (chunk bytes
// written, before fdatasync and the new offset), chunk-committed (offset committed, before the
// answer), mutation-committed (a mutation's transaction committed, before the batch answer).
#pragma once

namespace ow::server {
void fault_point(const char* name);
}
