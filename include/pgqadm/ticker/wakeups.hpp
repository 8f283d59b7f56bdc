// Wake-up ticks. Producers of queue_ticker_notify queues NOTIFY
// pgq_ticker_wakeup at commit; the ticker then ticks such a queue as soon as
// its ticker_max_lag allows instead of waiting for the next round.
//
// Wakeups is the bookkeeping (which queues were woken, when they are due),
// free of any database so it can be tested alone. WakeTicker makes the ticks:
// through pgq._wake_tick() where our schema has it, else through
// pgq.ticker(queue), which decides itself.
#pragma once
#include "pgqadm/db/connection.hpp"

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgqadm::ticker {

class Wakeups {
  public:
    // Any role may NOTIFY our channel, so what wake-ups leave behind is
    // bounded: woken queues are only queues we tick, and wake-ups naming no
    // queue on our list are kept, at most this many, only while the list
    // is about to be re-read (they are likely for a queue just created).
    static constexpr std::size_t max_unknown = 64;

    /// A wake-up for `queue`. `listed`: the queue is on our list.
    /// `list_stale`: a refresh of the list is due.
    void on_wakeup(std::string_view queue, bool listed, bool list_stale);

    bool empty() const { return woken_.empty() && unknown_.empty(); }
    /// Wake-ups for queues missing from the list are waiting for a refresh.
    bool waiting_for_refresh() const { return !unknown_.empty(); }
    std::size_t unknown_count() const { return unknown_.size(); }

    /// When a listed queue may be ticked: its last tick plus its max_lag;
    /// nullopt if the queue is no longer ticked by us.
    using DueAt = std::function<std::optional<double>(const std::string& queue)>;
    struct Due {
        std::vector<std::string> queues; ///< due now, removed from the woken set
        double next_due;                 ///< when the next still-waiting one is due
    };
    /// Takes the woken queues that are due at `now`; forgets those no
    /// longer ticked.
    Due take_due(double now, const DueAt& due_at);

    /// Wakes `queues` again (their tick must be retried another way).
    void wake_again(const std::vector<std::string>& queues);

    /// After the queue list was re-read: wake-ups that came before their
    /// queue was listed now count; the rest are dropped unless another
    /// refresh is pending (`keep_unknown`).
    void after_refresh(const std::function<bool(const std::string&)>& listed, bool keep_unknown);

    void clear();

  private:
    std::set<std::string, std::less<>> woken_;   ///< producers committed since the last tick
    std::set<std::string, std::less<>> unknown_; ///< wake-ups naming no listed queue
};

/// Makes wake-up ticks over one connection: one round trip for all due
/// queues, returning the queues that got a tick with the event-sequence
/// position each tick recorded.
class WakeTicker {
  public:
    /// Prepares the statements; uses pgq._wake_tick() when the schema has
    /// it (the C extension does not).
    void prepare(db::Connection& conn);

    using Ticks = std::vector<std::pair<std::string, long long>>;
    /// `event_seqs`: the oids (as text) of the queues' event sequences.
    Ticks tick(db::Connection& conn, const std::vector<std::string>& queues,
               const std::vector<std::string>& event_seqs);

    /// After tick() threw `error`: true if the ticks should be retried
    /// through pgq.ticker() from now on (pgq._wake_tick() refused with a
    /// class 42 error: no right to insert ticks, or a schema that differs).
    bool fall_back(const db::DbError& error);

    bool via_function() const { return via_function_; }

  private:
    bool via_function_ = false;
};

/// The rule WakeTicker::fall_back applies, for tests.
bool wake_tick_should_fall_back(bool via_function, const db::DbError& error);

} // namespace pgqadm::ticker
