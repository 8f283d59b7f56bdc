#include "support/test_support.hpp"

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <iostream>

namespace pgqadm::test {

void DbTest::SetUp()
{
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (auto& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            c = '_';
    dbname_ = ("t_" + name).substr(0, 40) + "_" + std::to_string(getpid()) + "_" +
              std::to_string(counter++);
    for (auto& c : dbname_)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto admin = db::Connection::open(Cluster::get().conninfo("postgres"), "pgqadm-test");
    admin.exec("drop database if exists " + admin.quote_ident(dbname_));
    admin.exec("create database " + admin.quote_ident(dbname_));
}

void DbTest::TearDown()
{
    if (HasFailure())
        std::cerr << "---- server log (tail) ----\n" << Cluster::get().log_tail() << "----\n";
    try {
        auto admin = db::Connection::open(Cluster::get().conninfo("postgres"), "pgqadm-test");
        admin.exec("drop database if exists " + admin.quote_ident(dbname_) + " with (force)");
    } catch (const std::exception& e) {
        std::cerr << "could not drop " << dbname_ << ": " << e.what() << "\n";
    }
}

std::optional<std::string> DbTest::scalar(const std::string& sql, const db::Params& params)
{
    auto conn = connect();
    db::Result r = conn.exec(sql, params);
    if (r.rows() == 0 || r.is_null(0, 0))
        return std::nullopt;
    return r.get(0, 0);
}

void DbTest::install_pgq()
{
    auto cfg = write_config();
    auto r = run_pgqadm({cfg.string(), "install"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
}

std::filesystem::path DbTest::write_config(const std::string& extra, const std::string& name)
{
    auto path = dir_ / name;
    write_file(path, "[pgqadm]\njob_name = test_" + dbname_ + "\ndb = " + dsn() + "\n" + extra +
                         (extra.empty() || extra.back() == '\n' ? "" : "\n"));
    return path;
}

} // namespace pgqadm::test
