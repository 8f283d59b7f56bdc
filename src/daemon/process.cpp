#include "pgqadm/daemon/process.hpp"

#include "pgqadm/error.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>

namespace pgqadm::daemon {

void detach()
{
    pid_t pid = fork();
    if (pid < 0)
        throw Error(std::string("fork failed: ") + std::strerror(errno));
    if (pid > 0)
        _exit(0);
    if (setsid() < 0)
        throw Error(std::string("setsid failed: ") + std::strerror(errno));
    int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        if (null > STDERR_FILENO)
            close(null);
    }
}

namespace {
sigset_t control_set()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}
} // namespace

void block_control_signals()
{
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t set = control_set();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::optional<ControlSignal> wait_for_signal(std::chrono::milliseconds timeout)
{
    sigset_t set = control_set();
    timespec ts{};
    ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
    int sig = sigtimedwait(&set, nullptr, &ts);
    switch (sig) {
    case SIGHUP:
        return ControlSignal::reload;
    case SIGINT:
        return ControlSignal::safe_stop;
    case SIGTERM:
        return ControlSignal::fast_stop;
    default:
        return std::nullopt;
    }
}

void die_by_sigterm()
{
    std::signal(SIGTERM, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
    raise(SIGTERM);
    _exit(143);
}

} // namespace pgqadm::daemon
