// The main thread of a running daemon (one database or many): it owns the
// pidfile and turns the control signals into calls, so that the ticker
// command and the daemon of many databases share one set of rules:
// SIGHUP reloads, SIGINT stops after the current step, SIGTERM removes the
// pidfile and dies at once.
#pragma once
#include "pgqadm/daemon/pidfile.hpp"

#include <functional>
#include <optional>

namespace pgqadm::daemon {

/// With `detach`, forks into the background and writes the child's pid into
/// `pidfile` (which must be held then); either way blocks the control
/// signals. Call it before any thread exists.
void start_daemon_process(std::optional<PidFile>& pidfile, bool detach);

struct ControlHooks {
    /// Runs after every wake-up (at least every 200 ms); returns how many
    /// seconds may pass until it wants to run again.
    std::function<double()> tick;
    /// SIGHUP: re-read the config.
    std::function<void()> reload;
    /// An exit code once the work has failed for good (checked every wake-up).
    std::function<std::optional<int>()> failed = [] { return std::nullopt; };
};

/// Waits for control signals until SIGINT (returns 0) or until the work has
/// failed (returns its exit code). SIGTERM removes the pidfile and dies.
int run_control_loop(std::optional<PidFile>& pidfile, const ControlHooks& hooks);

} // namespace pgqadm::daemon
