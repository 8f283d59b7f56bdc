// install: put the embedded pgq schema into the database, or upgrade ours.
#include "pgqadm/cli/commands.hpp"
#include "pgqadm/pgq/session.hpp"
#include "pgqadm/schema/embedded_sql.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <thread>

namespace pgqadm::cli {
namespace {

struct ExistingPgq {
    bool schema = false;
    bool extension = false;
    bool ours = false;
    std::string version; ///< pgq.version(), or "unknown"
};

ExistingPgq inspect(db::Connection& conn)
{
    db::Result r =
        conn.exec("select exists (select 1 from pg_catalog.pg_namespace where nspname = 'pgq'),"
                  "       (select extversion from pg_catalog.pg_extension where extname = 'pgq'),"
                  "       to_regprocedure('pgq._pgqadm_schema_version()') is not null,"
                  "       to_regprocedure('pgq.version()') is not null");
    ExistingPgq found;
    found.schema = r.as_bool(0, 0);
    found.extension = !r.is_null(0, 1);
    found.ours = r.as_bool(0, 2);
    found.version = found.extension ? r.get(0, 1) : "unknown";
    if (r.as_bool(0, 3) && !found.extension) {
        db::Result v = conn.exec("select pgq.version()");
        found.version = v.is_null(0, 0) ? "NULL" : v.get(0, 0);
    }
    return found;
}

/// Runs the whole script in one transaction.
void run_install_script(db::Connection& conn, bool force)
{
    db::Transaction tx(conn);
    // The script itself refuses a foreign pgq unless told so for this transaction.
    if (force)
        conn.exec("select set_config('pgqadm.force_install', 'on', true)");
    conn.exec(schema::install_sql());
    tx.commit();
}

} // namespace

int cmd_install(CommandContext& ctx)
{
    db::Connection conn = pgq::open_db(ctx.config);
    ExistingPgq found = inspect(conn);
    if (found.extension)
        throw Error("database already has the pgq extension (version " + found.version +
                    "); pgqadm leaves it alone (use it as it is, or DROP EXTENSION pgq first)");
    if (found.schema && !found.ours && !ctx.options.force)
        throw Error("schema pgq exists but was not installed by pgqadm (pgq.version() = " +
                    found.version + "); rerun with --force to replace its functions");

    if (found.schema)
        spdlog::info("Upgrading pgq (installed version {})", found.version);
    else
        spdlog::info("Installing pgq");
    // An upgrade that must ALTER a table another session is reading gives up
    // after a short lock wait (lock_not_available) instead of stalling the
    // producers queued behind its lock request; it is tried again a few times.
    constexpr int attempts = 4;
    for (int attempt = 1;; ++attempt) {
        try {
            run_install_script(conn, ctx.options.force);
            break;
        } catch (const db::DbError& e) {
            if (e.sqlstate() != "55P03")
                throw;
            if (attempt == attempts)
                throw Error("install gave up after " + std::to_string(attempts) +
                            " attempts: " + e.what());
            spdlog::warn("{}; trying again in {} s (attempt {} of {})", e.what(), attempt,
                         attempt + 1, attempts);
            std::this_thread::sleep_for(std::chrono::seconds(attempt));
        }
    }
    db::Result v = conn.exec("select pgq.version()");
    spdlog::info("pgq is installed (version {})", v.get(0, 0));
    return 0;
}

} // namespace pgqadm::cli
