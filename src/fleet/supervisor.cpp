#include "pgqadm/fleet/supervisor.hpp"

#include "pgqadm/db/conninfo.hpp"

#include <spdlog/spdlog.h>

namespace pgqadm::fleet {

config::Config Member::settings_for(const NamedDatabase& spec, const config::Config& cfg)
{
    config::Config out = cfg;
    out.db = spec.connstr;
    // A member serves one database: without this, each of N members would
    // hold the fleet's list of N.
    out.databases.clear();
    out.database_list.clear();
    // As pgqd: one unreachable database never ends the daemon.
    out.max_failures = 0;
    return out;
}

Member::Member(NamedDatabase spec, const config::Config& cfg)
    : spec_(std::move(spec)), control_(settings_for(spec_, cfg)), maintenance_(control_, false),
      ticker_(control_, true, &maintenance_)
{
}

void Member::update(const config::Config& cfg)
{
    control_.update(settings_for(spec_, cfg));
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
        auto m = std::make_unique<Member>(d, cfg_);
        tickers_.add(&m->ticker(), d.name);
        std::lock_guard guard(members_mutex_);
        members_.emplace(d.name, std::move(m));
    }
}

void Supervisor::retire(std::map<std::string, std::unique_ptr<Member>>::iterator it)
{
    std::unique_ptr<Member> m;
    {
        std::lock_guard guard(members_mutex_);
        m = std::move(it->second);
        members_.erase(it);
    }
    m->request_stop();
    tickers_.poke(&m->ticker());
    ticker::Stats::Counts c = m->control().stats.take_interval();
    retired_counts_.ticks += c.ticks;
    retired_counts_.maint += c.maint;
    retired_counts_.retry += c.retry;
    // Let go of later (reap): one stuck in a query must not hold up the rest.
    retiring_.push_back(std::move(m));
}

void Supervisor::update(const config::Config& cfg)
{
    cfg_ = cfg;
    for (auto& [name, m] : members_) {
        m->update(cfg);
        tickers_.poke(&m->ticker());
    }
}

void Supervisor::reap()
{
    for (auto it = retiring_.begin(); it != retiring_.end();) {
        Member& m = **it;
        if (tickers_.finished(&m.ticker())) {
            tickers_.remove(&m.ticker());
            it = retiring_.erase(it);
        } else {
            ++it;
        }
    }
}

void Supervisor::stop_all()
{
    for (auto& [name, m] : members_) {
        m->request_stop();
        tickers_.poke(&m->ticker());
    }
    for (auto& m : retiring_)
        m->request_stop();
    tickers_.wait_all_done(); // each hands its lead back
    for (auto& [name, m] : members_)
        tickers_.remove(&m->ticker());
    for (auto& m : retiring_)
        tickers_.remove(&m->ticker());
    {
        std::lock_guard guard(members_mutex_);
        members_.clear();
    }
    retiring_.clear();
}

observe::Verdict Supervisor::alive() const
{
    // The dispatcher waits at most a minute between rounds of its loop.
    constexpr double stuck_after = 120;
    double since = tickers_.since_dispatch();
    if (since > stuck_after)
        return {false, "ticker pool stuck: no dispatch for " +
                           std::to_string(static_cast<long>(since)) + " s"};
    return {true, "ticker pool alive"};
}

observe::Verdict Supervisor::ready() const
{
    std::size_t served = 0;
    {
        std::lock_guard guard(members_mutex_);
        served = members_.size();
    }
    std::size_t led = leading();
    if (served == 0)
        return {false, "no database served yet"};
    return {true,
            "serving " + std::to_string(served) + " databases, leading " + std::to_string(led)};
}

std::vector<observe::LoopFacts> Supervisor::loop_facts() const
{
    std::lock_guard guard(members_mutex_);
    std::vector<observe::LoopFacts> out;
    out.reserve(members_.size());
    for (const auto& [name, m] : members_)
        out.push_back({name, m->control().loop_status(), m->control().stats.totals()});
    return out;
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
    std::lock_guard guard(members_mutex_);
    std::size_t n = 0;
    for (const auto& [name, m] : members_)
        if (m->control().active)
            ++n;
    return n;
}

} // namespace pgqadm::fleet
