#include "support/harness.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pgqadm::test {
namespace {

int decode_status(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env)
{
    for (const auto& [k, v] : env)
        setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // Children start clean: nothing blocked, SIGPIPE not ignored (the fault
    // driver ignores it), and they die with the thread that started them.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    execvp(args[0], args.data());
    std::fprintf(stderr, "exec %s failed: %s\n", args[0], std::strerror(errno));
    _exit(127);
}

/// pg_ctl -D PGDATA <args>, as the postgres user when we are root.
void pg_ctl(const Cluster& c, const std::string& what, std::vector<std::string> args)
{
    std::vector<std::string> argv;
    if (geteuid() == 0)
        argv = {"runuser", "-u", "postgres", "--"};
    argv.insert(argv.end(), {c.pgbin + "/pg_ctl", "-D", c.pgdata});
    argv.insert(argv.end(), args.begin(), args.end());
    ProcResult r = run(argv, std::chrono::seconds(90));
    if (r.exit_code != 0)
        throw std::runtime_error("pg_ctl " + what + " failed (exit " + std::to_string(r.exit_code) +
                                 "): " + r.err + r.out);
}

} // namespace

std::map<std::string, std::string> read_env_file(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read cluster env file " + path);
    std::map<std::string, std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find('=');
        if (eq != std::string::npos)
            out[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return out;
}

Cluster Cluster::from_env_file(const std::string& path)
{
    auto env = read_env_file(path);
    return Cluster{env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGDATA"], env["PGBIN"]};
}

const Cluster& Cluster::get()
{
    static const Cluster cluster = [] {
        const char* path = std::getenv("PGQADM_TEST_ENV");
        if (!path)
            throw std::runtime_error("PGQADM_TEST_ENV is not set: run the tests through ctest");
        return from_env_file(path);
    }();
    return cluster;
}

std::string Cluster::conninfo(const std::string& dbname) const
{
    return "host=" + host + " port=" + port + " user=" + user + " dbname=" + dbname;
}

std::string Cluster::log_tail(int lines) const
{
    if (pgdata.empty())
        return "(external server: no log)";
    auto r = run({"tail", "-n", std::to_string(lines), host + "/server.log"});
    return r.out;
}

void Cluster::restart() const
{
    pg_ctl(*this, "restart",
           {"-l", host + "/server.log", "-m", "fast", "-w", "-t", "60", "restart"});
}

void Cluster::stop() const
{
    pg_ctl(*this, "stop", {"-m", "fast", "-w", "stop"});
}

void Cluster::start() const
{
    pg_ctl(*this, "start", {"-l", host + "/server.log", "-w", "-t", "60", "start"});
}

ProcResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
               const std::map<std::string, std::string>& env)
{
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    pid_t pid = fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        int null = open("/dev/null", O_RDONLY);
        dup2(null, STDIN_FILENO);
        exec_child(argv, env);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    ProcResult result;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int open_fds = 2;
    bool killed = false;
    while (open_fds > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 && !killed) {
            kill(pid, SIGKILL);
            killed = true;
        }
        if (poll(fds, 2, killed ? 1000 : static_cast<int>(std::max<long>(left.count(), 1))) < 0)
            break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
                continue;
            char buf[4096];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    int status = 0;
    waitpid(pid, &status, 0);
    result.exit_code = decode_status(status);
    return result;
}

std::string pgqadm_binary()
{
    return PGQADM_BINARY;
}
std::string source_dir()
{
    return PGQADM_SOURCE_DIR;
}
std::string install_sql_path()
{
    return PGQADM_INSTALL_SQL;
}

ProcResult run_pgqadm(const std::vector<std::string>& args, std::chrono::milliseconds timeout)
{
    std::vector<std::string> argv{pgqadm_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv, timeout);
}

Process::Process(const std::vector<std::string>& argv, const std::filesystem::path& output_file)
{
    pid_ = fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int fd = open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        int null = open("/dev/null", O_RDONLY);
        dup2(null, STDIN_FILENO);
        exec_child(argv, {});
    }
}

Process::~Process()
{
    if (running()) {
        kill(pid_, SIGKILL);
        wait(std::chrono::seconds(10));
    }
}

void Process::signal(int sig) const
{
    kill(pid_, sig);
}

bool Process::running()
{
    if (status_)
        return false;
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
        status_ = decode_status(status);
        return false;
    }
    return r == 0;
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout)
{
    wait_until([this] { return !running(); }, timeout, std::chrono::milliseconds(10));
    return status_;
}

bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (condition())
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(interval);
    }
}

TempDir::TempDir()
{
    std::string templ = "/tmp/pgqadm-it.XXXXXX";
    if (!mkdtemp(templ.data()))
        throw std::runtime_error("mkdtemp failed");
    path_ = templ;
    std::filesystem::permissions(path_, std::filesystem::perms::all);
}

TempDir::~TempDir()
{
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

void write_file(const std::filesystem::path& path, const std::string& text)
{
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::string read_file(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::size_t count_of(const std::string& text, const std::string& needle)
{
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + needle.size()))
        ++n;
    return n;
}

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string::npos)
            nl = text.size();
        lines.push_back(text.substr(pos, nl - pos));
        pos = nl + 1;
    }
    return lines;
}

} // namespace pgqadm::test
