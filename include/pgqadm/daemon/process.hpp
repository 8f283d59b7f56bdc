// Process-level plumbing for the daemon: detaching, and turning signals
// into events the main loop handles (never work inside a signal handler).
#pragma once
#include <chrono>
#include <optional>

namespace pgqadm::daemon {

/// fork(); the parent exits 0 at once; the child starts a new session and
/// points stdin/stdout/stderr at /dev/null.
void detach();

enum class ControlSignal { reload, safe_stop, fast_stop };

/// Blocks SIGHUP/SIGINT/SIGTERM (and ignores SIGPIPE) in this thread and every
/// thread started later, so that only wait_for_signal() receives them.
void block_control_signals();

/// Waits up to `timeout` for one of the blocked control signals.
std::optional<ControlSignal> wait_for_signal(std::chrono::milliseconds timeout);

/// Dies by SIGTERM's default action (as the original did), after cleanup.
[[noreturn]] void die_by_sigterm();

} // namespace pgqadm::daemon
