// systemd's notification protocol (Type=notify): READY=1, WATCHDOG=1,
// STATUS=, RELOADING=1, STOPPING=1. Without NOTIFY_SOCKET (not started by
// systemd, or plain -d) nothing is sent.
#pragma once
#include <optional>
#include <string>

namespace pgqadm::observe {

class SystemdNotifier {
  public:
    SystemdNotifier();
    bool enabled() const { return enabled_; }
    /// Sends `state` (e.g. "READY=1\nSTATUS=leading"); errors are logged once.
    void send(const std::string& state);
    /// How often to send WATCHDOG=1 (half of WatchdogSec), if the unit asks for it.
    std::optional<double> watchdog_interval() const { return watchdog_interval_; }

  private:
    bool enabled_ = false;
    bool warned_ = false;
    std::optional<double> watchdog_interval_;
};

} // namespace pgqadm::observe
