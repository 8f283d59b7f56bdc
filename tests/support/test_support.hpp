// Shared helpers for the integration tests: the throwaway cluster, fresh
// databases, running the real pgqadm binary, and waiting on conditions.
#pragma once
#include "pgqadm/db/connection.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgqadm::test {

using namespace std::chrono_literals;

/// The cluster started by tests/support/pgcluster.sh (env file in PGQADM_TEST_ENV).
struct Cluster {
    std::string host, port, user, pgdata, pgbin;
    static const Cluster& get();
    /// libpq connection string for database `dbname`.
    std::string conninfo(const std::string& dbname) const;
    /// Last lines of the server log (printed when a test fails).
    std::string log_tail(int lines = 60) const;
    /// pg_ctl restart -m fast (fault tests).
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

/// A child process left running (ticker daemon in the foreground, consumers).
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

/// Test fixture: a fresh database per test, dropped afterwards; the server log
/// is printed when the test failed.
class DbTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;

    /// Connection string of this test's database.
    std::string dsn() const { return Cluster::get().conninfo(dbname_); }
    /// A connection as any client has it: db::Connection pins search_path
    /// for pgqadm's own queries; tests get the role's default back.
    db::Connection connect() const
    {
        db::Connection conn = db::Connection::open(dsn(), "pgqadm-test");
        conn.exec("reset search_path");
        return conn;
    }
    /// Runs SQL and returns the first column of the first row (nullopt for NULL / no row).
    std::optional<std::string> scalar(const std::string& sql, const db::Params& params = {});
    /// Installs our schema through `pgqadm install` (asserts success).
    void install_pgq();
    /// Writes a config file for this database with extra `key = value` lines.
    std::filesystem::path write_config(const std::string& extra = "",
                                       const std::string& name = "pgqadm.ini");

    TempDir dir_;
    std::string dbname_;
};

} // namespace pgqadm::test
