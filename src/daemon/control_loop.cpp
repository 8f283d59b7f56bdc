#include "pgqadm/daemon/control_loop.hpp"

#include "pgqadm/daemon/process.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace pgqadm::daemon {

void start_daemon_process(std::optional<PidFile>& pidfile, bool detach)
{
    if (detach) {
        daemon::detach();
        pidfile->write_current_pid();
    }
    // Before any thread exists, so that only the main thread sees the signals.
    block_control_signals();
}

int run_control_loop(std::optional<PidFile>& pidfile, const ControlHooks& hooks)
{
    double wait_seconds = 0;
    while (true) {
        if (auto failed = hooks.failed())
            return *failed;
        auto timeout =
            std::chrono::milliseconds(static_cast<long>(std::clamp(wait_seconds, 0.0, 0.2) * 1000));
        auto sig = wait_for_signal(timeout);
        wait_seconds = hooks.tick();
        if (!sig)
            continue;
        if (*sig == ControlSignal::reload) {
            spdlog::info("Got SIGHUP, re-reading config");
            hooks.reload();
        } else if (*sig == ControlSignal::safe_stop) {
            spdlog::info("Got SIGINT, shutting down");
            return 0;
        } else {
            spdlog::info("Got SIGTERM, fast exit");
            if (pidfile)
                pidfile->remove();
            die_by_sigterm();
        }
    }
}

} // namespace pgqadm::daemon
