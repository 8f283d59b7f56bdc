#include "pgqadm/fleet/supervisor.hpp"

#include "pgqadm/db/conninfo.hpp"
#include "pgqadm/log/log.hpp"

#include <spdlog/spdlog.h>

#include <set>

namespace pgqadm::fleet {

config::Config Member::settings_for(const NamedDatabase& spec, const config::Config& cfg)
{
    config::Config out = cfg;
    out.db = spec.connstr;
    // As pgqd: one unreachable database never ends the daemon.
    out.max_failures = 0;
    return out;
}

Member::Member(NamedDatabase spec, const config::Config& cfg)
    : spec_(std::move(spec)), control_(settings_for(spec_, cfg)), ticker_(control_, true),
      maintenance_(control_)
{
    auto body = [this](auto job) {
        return [this, job] {
            log::set_thread_context(spec_.name);
            try {
                job();
            } catch (const std::exception& e) {
                spdlog::critical("thread ended: {}", e.what());
            }
            --running_;
        };
    };
    ticker_thread_ = std::thread(body([this] { ticker_.run(); }));
    maint_thread_ = std::thread(body([this] { maintenance_.run(); }));
}

Member::~Member()
{
    request_stop();
    join();
}

void Member::update(const config::Config& cfg)
{
    control_.update(settings_for(spec_, cfg));
}

void Member::join()
{
    if (ticker_thread_.joinable())
        ticker_thread_.join();
    if (maint_thread_.joinable())
        maint_thread_.join();
}

void Supervisor::apply(const std::vector<NamedDatabase>& wanted)
{
    std::map<std::string, const NamedDatabase*> want;
    for (const auto& d : wanted)
        want.emplace(d.name, &d);
    for (auto it = members_.begin(); it != members_.end();) {
        auto w = want.find(it->first);
        if (w == want.end()) {
            spdlog::info("database {} is gone from the list; no longer served", it->first);
            retire(it++);
        } else if (w->second->connstr != it->second->spec().connstr) {
            spdlog::info("database {}: connection string changed; reconnecting", it->first);
            retire(it++);
        } else {
            ++it;
        }
    }
    for (const auto& d : wanted) {
        if (members_.count(d.name))
            continue;
        spdlog::info("serving database {} ({})", d.name, db::mask_password(d.connstr));
        members_.emplace(d.name, std::make_unique<Member>(d, cfg_));
    }
}

void Supervisor::retire(std::map<std::string, std::unique_ptr<Member>>::iterator it)
{
    std::unique_ptr<Member> m = std::move(it->second);
    members_.erase(it);
    m->request_stop();
    ticker::Stats::Counts c = m->control().stats.take_interval();
    retired_counts_.ticks += c.ticks;
    retired_counts_.maint += c.maint;
    retired_counts_.retry += c.retry;
    // Joined later (reap): a thread stuck in a query must not hold up the rest.
    retiring_.push_back(std::move(m));
}

void Supervisor::update(const config::Config& cfg)
{
    cfg_ = cfg;
    for (auto& [name, m] : members_)
        m->update(cfg);
}

void Supervisor::reap()
{
    for (auto it = retiring_.begin(); it != retiring_.end();) {
        if ((*it)->finished()) {
            (*it)->join();
            it = retiring_.erase(it);
        } else {
            ++it;
        }
    }
}

void Supervisor::stop_all()
{
    for (auto& [name, m] : members_)
        m->request_stop();
    for (auto& m : retiring_)
        m->request_stop();
    for (auto& [name, m] : members_)
        m->join();
    members_.clear();
    retiring_.clear();
}

void Supervisor::log_stats()
{
    ticker::Stats::Counts total = retired_counts_;
    retired_counts_ = {};
    for (auto& [name, m] : members_) {
        ticker::Stats::Counts c = m->control().stats.take_interval();
        if (c.ticks || c.maint || c.retry)
            spdlog::info("{}: {{ticks: {}, maint: {}, retry: {}}}", name, c.ticks, c.maint,
                         c.retry);
        total.ticks += c.ticks;
        total.maint += c.maint;
        total.retry += c.retry;
    }
    spdlog::info("{{ticks: {}, maint: {}, retry: {}}}", total.ticks, total.maint, total.retry);
}

std::vector<std::string> Supervisor::names() const
{
    std::vector<std::string> out;
    for (const auto& [name, m] : members_)
        out.push_back(name);
    return out;
}

std::size_t Supervisor::leading() const
{
    std::size_t n = 0;
    for (const auto& [name, m] : members_)
        if (m->control().active)
            ++n;
    return n;
}

} // namespace pgqadm::fleet
