#include "pgqadm/observe/http_server.hpp"

#include "pgqadm/error.hpp"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace pgqadm::observe {
namespace {

// Scrapes are short; a few threads answer a storm of them in turn.
constexpr std::size_t server_threads = 4;

void answer(httplib::Response& res, const Verdict& verdict)
{
    res.status = verdict.ok ? 200 : 503;
    res.set_content(verdict.reason + "\n", "text/plain; charset=utf-8");
}

} // namespace

Endpoints single_database_endpoints(ticker::JobControl& control)
{
    auto metrics = std::make_shared<MetricsSource>(control);
    return {[metrics](Format format) { return metrics->page(format); },
            [&control] { return alive(control.loop_status(), control.settings()->loop_delay); },
            [&control] { return ready(control.loop_status(), control.settings()->loop_delay); }};
}

HttpServer::HttpServer(Endpoints endpoints) : endpoints_(std::move(endpoints)) {}

HttpServer::~HttpServer()
{
    stop();
}

std::unique_ptr<httplib::Server> HttpServer::make_server()
{
    auto server = std::make_unique<httplib::Server>();
    server->new_task_queue = [] { return new httplib::ThreadPool(server_threads); };
    // A scraper that opens a connection and says nothing must not keep a
    // thread: the few threads are for scrapes that come and go.
    server->set_read_timeout(5, 0);
    server->set_write_timeout(5, 0);
    server->set_keep_alive_timeout(5);
    server->Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
        Format format = negotiate(req.get_header_value("Accept"));
        res.set_content(endpoints_.metrics(format), content_type(format));
    });
    server->Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
        answer(res, endpoints_.alive());
    });
    server->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
        answer(res, endpoints_.ready());
    });
    return server;
}

std::unique_ptr<httplib::Server> HttpServer::bound_server(const std::string& address, int& port)
{
    auto parsed = config::parse_listen_address(address);
    if (!parsed)
        throw Error("metrics_listen: bad address '" + address + "' (expected HOST:PORT)");
    auto server = make_server();
    port = parsed->port;
    bool bound = port == 0 ? (port = server->bind_to_any_port(parsed->host)) > 0
                           : server->bind_to_port(parsed->host, port);
    if (!bound)
        throw Error("metrics_listen: cannot listen on " + address +
                    " (address in use, not local, or not resolvable)");
    return server;
}

void HttpServer::bind(const std::string& address)
{
    stop();
    address_ = address;
    if (!address.empty())
        server_ = bound_server(address, port_);
}

void HttpServer::start()
{
    if (!server_ || thread_.joinable())
        return;
    httplib::Server* server = server_.get();
    thread_ = std::thread([server] { server->listen_after_bind(); });
    // stop() does nothing to a server that has not begun to listen.
    for (int i = 0; i < 500 && !server->is_running(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    spdlog::info("metrics: listening on {} (port {})", address_, port_);
}

void HttpServer::rebind(const std::string& address)
{
    if (address == address_)
        return;
    int port = 0;
    std::unique_ptr<httplib::Server> fresh;
    if (!address.empty())
        fresh = bound_server(address, port); // throws, and the running endpoint stays
    stop();
    server_ = std::move(fresh);
    address_ = address;
    port_ = port;
    if (server_)
        start();
    else
        spdlog::info("metrics: endpoint off");
}

void HttpServer::stop()
{
    if (server_)
        server_->stop();
    if (thread_.joinable())
        thread_.join();
    server_.reset();
    port_ = 0;
}

} // namespace pgqadm::observe
