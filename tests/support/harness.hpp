// The test harness without GoogleTest: the throwaway cluster, child
// processes, files, waiting on conditions. The integration tests (through
// test_support.hpp) and the fault driver (tests/fault/) share it.
#pragma once
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgqadm::test {

using namespace std::chrono_literals;

/// KEY=VALUE lines (the env file tests/support/pgcluster.sh writes).
/// Throws if the file cannot be read.
std::map<std::string, std::string> read_env_file(const std::string& path);

/// The cluster started by tests/support/pgcluster.sh.
struct Cluster {
    std::string host, port, user, pgdata, pgbin;
    /// The cluster of the env file in PGQADM_TEST_ENV (set by ctest).
    static const Cluster& get();
    /// The cluster of an env file; pgdata and pgbin are empty for an
    /// external server (PGQADM_TEST_DSN_HOST).
    static Cluster from_env_file(const std::string& path);
    /// libpq connection string for database `dbname`.
    std::string conninfo(const std::string& dbname) const;
    /// Last lines of the server log (printed when a test fails).
    std::string log_tail(int lines = 60) const;
    /// pg_ctl restart -m fast (fault tests). These three throw with
    /// pg_ctl's output when it fails.
    void restart() const;
    void stop() const;
    void start() const;
};

struct ProcResult {
    int exit_code = -1; ///< 128+N when killed by signal N
    std::string out;
    std::string err;
};

/// Runs a program to completion, capturing stdout and stderr.
ProcResult run(const std::vector<std::string>& argv,
               std::chrono::milliseconds timeout = std::chrono::seconds(120),
               const std::map<std::string, std::string>& env = {});
/// Runs the pgqadm binary under test with the given arguments.
ProcResult run_pgqadm(const std::vector<std::string>& args,
                      std::chrono::milliseconds timeout = std::chrono::seconds(120));
std::string pgqadm_binary();
std::string source_dir();
std::string install_sql_path();

/// A child process left running (ticker daemon in the foreground, consumers),
/// stdout and stderr appended to `output_file`. It starts with no signal
/// blocked or ignored, and is killed when the thread that started it ends
/// (a test killed by its timeout leaves no daemon behind), or by the
/// destructor if still running.
class Process {
  public:
    explicit Process(const std::vector<std::string>& argv,
                     const std::filesystem::path& output_file);
    ~Process();
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;
    pid_t pid() const { return pid_; }
    void signal(int sig) const;
    /// Waits for exit; returns the exit code (128+N for signal N), nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    bool running();
    /// The exit code once running() or wait() saw the exit.
    std::optional<int> exit_code() const { return status_; }

  private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

/// Polls `condition` every `interval` until it holds or `timeout` passes.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(50));

/// A temporary directory, readable by everybody, removed afterwards.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

void write_file(const std::filesystem::path& path, const std::string& text);
std::string read_file(const std::filesystem::path& path);

/// How often `needle` occurs in `text` (log lines, say).
std::size_t count_of(const std::string& text, const std::string& needle);
/// `text` split at newlines (no empty last line for a final newline).
std::vector<std::string> lines_of(const std::string& text);

} // namespace pgqadm::test
