#include "pgqadm/observe/systemd_notify.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace pgqadm::observe {

SystemdNotifier::SystemdNotifier()
{
    const char* socket = std::getenv("NOTIFY_SOCKET");
    enabled_ = socket && *socket;
    std::uint64_t usec = 0;
    // Keeps WATCHDOG_USEC in the environment; a WATCHDOG_PID for another
    // process (a forked -d daemon) means the watchdog is not ours.
    if (enabled_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
        watchdog_interval_ = static_cast<double>(usec) / 1e6 / 2;
}

void SystemdNotifier::send(const std::string& state)
{
    if (!enabled_)
        return;
    int rc = sd_notify(0, state.c_str());
    if (rc < 0 && !warned_) {
        warned_ = true;
        spdlog::warn("systemd notification failed: {}", std::strerror(-rc));
    }
}

} // namespace pgqadm::observe
