// The HTTPS front of the server (cpp-httplib + OpenSSL 3): mTLS identity, the /v1 routes of
// docs/sync-protocol.md, graceful stop.
#pragma once

#include "blob_store.h"
#include "config.h"
#include "mutations.h"
#include "storage.h"

#include <memory>
#include <string>

namespace ow::server {

class HttpServer {
public:
    HttpServer(const ServerConfig& config, Storage& storage);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // Binds (port 0: any free port) and returns the port.
    int bind();
    // Serves until stop(); in-flight requests are finished before it returns.
    void serve();
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace ow::server
