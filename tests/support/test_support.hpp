// Shared helpers for the integration tests: everything in harness.hpp (the
// throwaway cluster, running the real pgqadm binary, waiting on conditions)
// plus the GoogleTest fixture that gives each test a fresh database.
#pragma once
#include "pgqadm/db/connection.hpp"
#include "support/harness.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace pgqadm::test {

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
