#include "pgqadm/daemon/pidfile.hpp"

#include "pgqadm/error.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sstream>

namespace pgqadm::daemon {
namespace {

bool process_alive(pid_t pid)
{
    if (kill(pid, 0) == 0)
        return true;
    return errno == EPERM; // exists, owned by someone else
}

std::string read_all(int fd)
{
    std::string out;
    char buf[64];
    lseek(fd, 0, SEEK_SET);
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    return out;
}

std::optional<pid_t> parse_pid(const std::string& text, const std::string& path)
{
    std::string first = text.substr(0, text.find('\n'));
    while (!first.empty() && (first.back() == ' ' || first.back() == '\r'))
        first.pop_back();
    if (first.empty())
        return std::nullopt; // an empty file holds no pid
    char* end = nullptr;
    errno = 0;
    long pid = std::strtol(first.c_str(), &end, 10);
    if (*end != '\0' || errno != 0 || pid <= 0 || pid > 4194304)
        throw Error("Corrupt pidfile: " + path);
    return static_cast<pid_t>(pid);
}

} // namespace

std::optional<pid_t> read_pidfile(const std::string& path)
{
    for (int attempt = 0;; ++attempt) {
        std::ifstream in(path);
        if (!in)
            return std::nullopt;
        std::stringstream ss;
        ss << in.rdbuf();
        if (auto pid = parse_pid(ss.str(), path))
            return pid;
        if (attempt == 20)
            throw Error("Corrupt pidfile: " + path);
        usleep(10000); // empty: a daemon that is just starting
    }
}

PidFile PidFile::acquire(const std::string& path, bool write_pid)
{
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error("cannot open pidfile " + path + ": " + std::strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        throw Error("Pidfile exists, another process running?");
    }
    std::optional<pid_t> old;
    try {
        old = parse_pid(read_all(fd), path);
    } catch (...) {
        close(fd);
        throw;
    }
    if (old && *old != getpid()) {
        if (process_alive(*old)) {
            close(fd);
            throw Error("Pidfile exists, another process running?");
        }
        spdlog::info("Ignoring stale pidfile");
    }
    PidFile pf(path, fd);
    if (write_pid) {
        pf.write_current_pid();
    } else if (ftruncate(fd, 0) != 0) {
        throw Error("cannot write pidfile " + path + ": " + std::strerror(errno));
    }
    return pf;
}

PidFile::PidFile(PidFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), written_pid_(other.written_pid_),
      acquired_by_(other.acquired_by_)
{
    other.fd_ = -1;
    other.written_pid_ = 0;
}

PidFile::~PidFile()
{
    remove();
}

void PidFile::write_current_pid()
{
    std::string pid = std::to_string(getpid()); // no trailing newline, as the original
    if (ftruncate(fd_, 0) != 0 || pwrite(fd_, pid.data(), pid.size(), 0) < 0)
        throw Error("cannot write pidfile " + path_ + ": " + std::strerror(errno));
    written_pid_ = getpid();
}

void PidFile::remove()
{
    if (fd_ < 0)
        return;
    // Emptied but never written (failed before the daemon child wrote it).
    if (written_pid_ == 0 && acquired_by_ == getpid())
        unlink(path_.c_str());
    // Only our own file: a racing successor may already have replaced it.
    if (written_pid_ == getpid()) {
        try {
            auto current = parse_pid(read_all(fd_), path_);
            if (current && *current == written_pid_)
                unlink(path_.c_str());
        } catch (const std::exception&) {
        }
    }
    close(fd_);
    fd_ = -1;
}

SignalOutcome signal_pidfile(const std::string& path, int sig)
{
    if (path.empty())
        return SignalOutcome::no_pidfile_key;
    auto pid = read_pidfile(path);
    if (!pid)
        return SignalOutcome::no_pidfile;
    if (kill(*pid, sig) != 0) {
        if (errno == ESRCH)
            return SignalOutcome::not_running;
        throw Error("cannot signal process " + std::to_string(*pid) + ": " + std::strerror(errno));
    }
    return SignalOutcome::sent;
}

} // namespace pgqadm::daemon
