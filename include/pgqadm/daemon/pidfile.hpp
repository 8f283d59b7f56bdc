// The pidfile: who is running, and a lock so that two starts cannot both win.
#pragma once
#include <sys/types.h>
#include <unistd.h>

#include <optional>
#include <string>

namespace pgqadm::daemon {

/// Pid stored in `path`; nullopt if the file does not exist. An empty file
/// (a daemon between taking the lock and writing its pid) is read again for
/// a moment. Throws Error("Corrupt pidfile: <path>") when the content is not a pid.
std::optional<pid_t> read_pidfile(const std::string& path);

/// Holds an exclusively locked pidfile for the life of the process.
class PidFile {
  public:
    /// Takes the pidfile over (a stale one is ignored with a log line) or
    /// throws Error("Pidfile exists, another process running?"). With
    /// write_pid false the file is locked and emptied but the pid is written
    /// later (by the daemon child after fork), so it never names the parent.
    static PidFile acquire(const std::string& path, bool write_pid = true);

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
    PidFile(std::string path, int fd) : path_(std::move(path)), fd_(fd), acquired_by_(getpid()) {}
    std::string path_;
    int fd_ = -1;
    pid_t written_pid_ = 0;
    pid_t acquired_by_ = 0;
};

enum class SignalOutcome { sent, no_pidfile_key, no_pidfile, not_running };

/// -r/-s/-k: send `sig` to the process named in `path`, as the original did.
SignalOutcome signal_pidfile(const std::string& path, int sig);

} // namespace pgqadm::daemon
