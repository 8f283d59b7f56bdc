// The pidfile: who is running, and a lock so that two starts cannot both win.
#pragma once
#include <sys/types.h>

#include <optional>
#include <string>

namespace pgqadm::daemon {

/// Pid stored in `path`; nullopt if the file does not exist.
/// Throws Error("Corrupt pidfile: <path>") when the content is not a pid.
std::optional<pid_t> read_pidfile(const std::string& path);

/// Holds an exclusively locked pidfile for the life of the process.
class PidFile {
  public:
    /// Takes the pidfile over (a stale one is ignored with a log line) or
    /// throws Error("Pidfile exists, another process running?").
    static PidFile acquire(const std::string& path);

    PidFile(PidFile&& other) noexcept;
    PidFile& operator=(PidFile&&) = delete;
    PidFile(const PidFile&) = delete;
    ~PidFile();

    /// (Re)writes the current pid: after fork() the child calls this.
    void write_current_pid();
    /// Removes the file if it still holds our pid. Idempotent.
    void remove();
    const std::string& path() const { return path_; }

  private:
    PidFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
    std::string path_;
    int fd_ = -1;
    pid_t written_pid_ = 0;
};

enum class SignalOutcome { sent, no_pidfile_key, no_pidfile, not_running };

/// -r/-s/-k: send `sig` to the process named in `path`, as the original did.
SignalOutcome signal_pidfile(const std::string& path, int sig);

} // namespace pgqadm::daemon
