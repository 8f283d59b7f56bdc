// The daemon's HTTP endpoint (metrics_listen): /metrics, /healthz, /readyz.
// cpp-httplib serves it from a small thread pool of its own; nothing here
// touches a ticker's connection.
#pragma once
#include "pgqadm/observe/health.hpp"
#include "pgqadm/observe/metrics.hpp"
#include "pgqadm/ticker/job_control.hpp"

#include <functional>
#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace pgqadm::observe {

/// What the endpoint answers, each callable from the server's threads.
struct Endpoints {
    std::function<std::string(Format)> metrics;
    std::function<Verdict()> alive; ///< /healthz
    std::function<Verdict()> ready; ///< /readyz
};

/// The endpoint of a daemon of one database: its ticker loop's reports and
/// a cached snapshot of the database (MetricsSource).
Endpoints single_database_endpoints(ticker::JobControl& control);

class HttpServer {
  public:
    explicit HttpServer(Endpoints endpoints);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds to `address` (HOST:PORT, port 0 = any free one) without serving
    /// yet, so that a daemon can bind before it detaches and report a bad
    /// address on the terminal. Empty: no endpoint. Throws Error.
    void bind(const std::string& address);
    /// Serves what bind() bound (in threads: call after blocking signals).
    void start();
    /// A reload: binds the new address (keeping the old endpoint if that
    /// fails, and throwing), or stops serving when it is empty.
    void rebind(const std::string& address);
    void stop();
    /// The address in force, as configured ("" when off), and the bound port.
    const std::string& address() const { return address_; }
    int port() const { return port_; }

  private:
    std::unique_ptr<httplib::Server> make_server();
    /// A server bound to `address`, its port in `port`; throws Error.
    std::unique_ptr<httplib::Server> bound_server(const std::string& address, int& port);

    Endpoints endpoints_;
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    std::string address_;
    int port_ = 0;
};

} // namespace pgqadm::observe
