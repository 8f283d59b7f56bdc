#!/usr/bin/python3
"""Londiste 3 replicates between two databases on our pgq schema (issue 15).

Two identical setups run side by side on the test cluster, both on OUR pgq
schema with Debian's pgq_node and londiste SQL applied on top; only the
ticker differs:

  pgqadm  one `pgqadm <ini> ticker` per database (our daemon)
  pgqd    one `pgqd <ini>` ticking both databases (the C ticker)

Each setup: create-root, create-leaf, a worker per node, add-table for three
tables of a few thousand rows, the initial copy (timed: add-table on the
leaf until every table is 'ok'), then inserts, updates and deletes, a
TRUNCATE, a rolled-back transaction, rows with awkward values; the leaf must
end with exactly the root's rows and `londiste compare` must agree. Both copy
times are printed; ours must not be much slower than pgqd's.

Every wait polls a condition against a deadline. Every process the test
starts (tickers, workers, the copy processes the leaf worker spawns) is
stopped at the end, also on failure, and the databases are dropped.

Run with Debian's /usr/bin/python3 (python3-londiste, python3-psycopg2):
  londiste_replication.py --env ENVFILE --pgqadm BINARY
ENVFILE is written by tests/support/pgcluster.sh. Exits 77 (skip) when the
PgQ packages are missing outside CI.
"""

import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

try:
    import psycopg2
except ImportError:  # checked in main(): skip or fail
    psycopg2 = None

SKIP = 77
LONDISTE = ["/usr/bin/python3", "/usr/bin/londiste"]
PGQD = "/usr/bin/pgqd"
CONTRIB = "/usr/share/postgresql/15/contrib"
# pgq_node and londiste as plain SQL: our pgq is no extension they could
# depend on, so they go in the way a PL-only install does.
LAYERS = [CONTRIB + "/pgq_node.sql", CONTRIB + "/londiste.sql"]
QUEUE = "replq"
TABLES = ["public.orders", "public.events", "public.tags"]
ROWS_PER_TABLE = 4000

# Deadlines, generous for a loaded 2-core CI machine.
COPY_DEADLINE = 180
CATCH_UP_DEADLINE = 60
COMMAND_TIMEOUT = 120
# The speed assertion: ours <= SLOWER_FACTOR * pgqd + SLACK_SECONDS.
SLOWER_FACTOR = 1.5
SLACK_SECONDS = 10

ROOT_SCHEMA = """
create table orders (
    id int primary key,
    customer text not null,
    amount numeric(12,2),
    note text
);
create table events (
    id bigserial primary key,
    kind text not null,
    payload text,
    at timestamptz not null default '2020-01-01 00:00+00'
);
create table tags (
    tag text primary key,
    weight int,
    active boolean
);
insert into orders
    select g, 'customer ' || (g % 97), g * 1.25, case when g % 5 = 0 then null else 'n' || g end
    from generate_series(1, {rows}) g;
insert into events (kind, payload)
    select 'kind' || (g % 7), repeat(md5(g::text), 1 + g % 3) from generate_series(1, {rows}) g;
insert into tags
    select 'tag-' || g, g % 100, g % 3 = 0 from generate_series(1, {rows}) g;
""".format(rows=ROWS_PER_TABLE)

# Applied on the root once the copy is done; the leaf must follow all of it.
CHANGES = [
    # inserts
    """insert into orders
           select g, 'late ' || g, g, 'added' from generate_series(100001, 100300) g""",
    "insert into events (kind, payload) select 'late', 'p' || g from generate_series(1, 300) g",
    # updates (not of a primary key: pgq.logutriga refuses that, as PgQ's C trigger does)
    "update orders set amount = amount * 2, note = 'doubled' where id % 7 = 0",
    "update events set payload = null where id % 13 = 0",
    "update tags set weight = -weight, active = not active where weight < 10",
    # deletes
    "delete from orders where id % 11 = 0",
    "delete from events where id between 100 and 399",
    # TRUNCATE, then new rows in the emptied table
    "truncate tags",
    "insert into tags select 'new-' || g, g, true from generate_series(1, 250) g",
    # values the trigger has to encode and londiste to decode
    """insert into orders values
           (200001, 'quote''s & amp=eq', -1.5, e'tab\\there\\nnewline \\\\ backslash'),
           (200002, 'ünïcödé ☃', null, null),
           (200003, '', 0, '%20 and + not decoded twice')""",
]

# A transaction that rolls back: none of it may reach the leaf.
ROLLED_BACK = [
    "insert into orders select g, 'rolled back', 0, 'rolled back' from generate_series(900001, 900050) g",
    "update events set payload = 'rolled back'",
    "delete from tags",
    "truncate orders",
]


def log(msg):
    print(time.strftime("%H:%M:%S"), msg, flush=True)


class TestFailure(Exception):
    pass


def wait_for(what, condition, timeout, interval=0.2):
    """Polls `condition` until it returns a true value or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise TestFailure("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(interval)


def read_env_file(path):
    env = {}
    with open(path) as f:
        for line in f:
            key, sep, value = line.rstrip("\n").partition("=")
            if sep:
                env[key] = value
    return env


class Cluster:
    """The throwaway cluster of tests/support/pgcluster.sh."""

    def __init__(self, env_file):
        env = read_env_file(env_file)
        self.host, self.port, self.user = env["PGHOST"], env["PGPORT"], env["PGUSER"]
        self.psql = os.path.join(env.get("PGBIN") or "/usr/lib/postgresql/15/bin", "psql")

    def base_connstr(self):
        return "host=%s port=%s user=%s" % (self.host, self.port, self.user)

    def connstr(self, dbname):
        return "%s dbname=%s" % (self.base_connstr(), dbname)

    def execute(self, dbname, *statements):
        conn = psycopg2.connect(self.connstr(dbname))
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                for sql in statements:
                    cur.execute(sql)
        finally:
            conn.close()

    def query(self, dbname, sql, params=None):
        conn = psycopg2.connect(self.connstr(dbname))
        try:
            with conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            conn.close()

    def run_sql_file(self, dbname, path):
        run([self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.connstr(dbname), "-f", path])


def run(argv, timeout=COMMAND_TIMEOUT, check=True):
    """Runs a command to completion; returns (exit code, stdout + stderr)."""
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          stdin=subprocess.DEVNULL, timeout=timeout, text=True)
    if check and proc.returncode != 0:
        raise TestFailure("%s exited %d:\n%s" % (" ".join(argv), proc.returncode, proc.stdout))
    return proc.returncode, proc.stdout


def write_ini(path, section, settings):
    with open(path, "w") as f:
        f.write("[%s]\n" % section)
        for key, value in settings.items():
            f.write("%s = %s\n" % (key, value))
    return path


def tail(path, max_bytes=5000):
    try:
        with open(path, errors="replace") as f:
            text = f.read()
    except OSError:
        return "(missing)"
    return text if len(text) <= max_bytes else "...\n" + text[-max_bytes:]


class Replication:
    """One root and one leaf database, their workers and their ticker."""

    def __init__(self, cluster, ticker, pgqadm, workdir):
        self.cluster = cluster
        self.ticker = ticker  # "pgqadm" or "pgqd"
        self.pgqadm = pgqadm
        self.dir = os.path.join(workdir, ticker)
        os.makedirs(self.dir)
        stem = "londiste_%s_%d" % (ticker, os.getpid())
        self.root_db, self.leaf_db = stem + "_root", stem + "_leaf"
        self.processes = []  # (name, Popen)
        self.copy_started = None  # time.monotonic() at the leaf's add-table
        self.copy_started_at = None  # the same moment as a timestamp, to place ticks
        self.copy_seconds = None

    # --- files -------------------------------------------------------------
    def path(self, name):
        return os.path.join(self.dir, name)

    def node_ini(self, node):
        """Londiste's config for node 'root' or 'leaf'. Worker defaults are
        kept but for copying the three tables at once, which keeps the test
        short; the copy still takes several ticks per table."""
        dbname = self.root_db if node == "root" else self.leaf_db
        return write_ini(self.path(node + ".ini"), "londiste", {
            "job_name": "%s_%s" % (node, dbname),
            "db": self.cluster.connstr(dbname),
            "queue_name": QUEUE,
            "logfile": self.path(node + ".log"),
            "pidfile": self.path(node + ".pid"),
            "parallel_copies": len(TABLES),
        })

    def pgqadm_ini(self, dbname):
        return write_ini(self.path("pgqadm_%s.ini" % dbname), "pgqadm", {
            "job_name": "pgqadm_" + dbname,
            "db": self.cluster.connstr(dbname),
            "logfile": self.path("pgqadm_%s.log" % dbname),
            "pidfile": self.path("pgqadm_%s.pid" % dbname),
        })

    def pgqd_ini(self):
        return write_ini(self.path("pgqd.ini"), "pgqd", {
            "base_connstr": self.cluster.base_connstr(),
            "database_list": "%s, %s" % (self.root_db, self.leaf_db),
            "logfile": self.path("pgqd.log"),
            "pidfile": self.path("pgqd.pid"),
            "syslog": 0,
        })

    # --- processes -----------------------------------------------------------
    def start(self, name, argv):
        out = open(self.path(name + ".out"), "ab")
        # Same process group as the test: whoever kills the test's group
        # (a ctest timeout) takes the daemons along.
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        out.close()
        self.processes.append((name, proc))
        log("[%s] started %s (pid %d)" % (self.ticker, name, proc.pid))

    def check_alive(self):
        for name, proc in self.processes:
            if proc.poll() is not None:
                raise TestFailure("[%s] %s exited with %d" % (self.ticker, name, proc.returncode))

    def londiste(self, node, *args, check=True):
        """Runs a londiste command on node 'root' or 'leaf' (its ini written by create_nodes)."""
        return run(LONDISTE + [self.path(node + ".ini")] + list(args), check=check)

    # --- steps ---------------------------------------------------------------
    def create_databases(self):
        for dbname in (self.root_db, self.leaf_db):
            self.cluster.execute("postgres", 'drop database if exists "%s"' % dbname,
                                 'create database "%s"' % dbname)
            run([self.pgqadm, self.pgqadm_ini(dbname), "install"])
            for layer in LAYERS:
                self.cluster.run_sql_file(dbname, layer)
        self.cluster.execute(self.root_db, ROOT_SCHEMA)

    def start_ticker(self):
        if self.ticker == "pgqadm":
            for dbname in (self.root_db, self.leaf_db):
                self.start("ticker_" + dbname, [self.pgqadm, self.pgqadm_ini(dbname), "ticker"])
        else:
            self.start("pgqd", [PGQD, self.pgqd_ini()])

    def create_nodes(self):
        self.node_ini("root")
        self.node_ini("leaf")
        self.londiste("root", "create-root", "root_node", self.cluster.connstr(self.root_db))
        self.londiste("leaf", "create-leaf", "leaf_node", self.cluster.connstr(self.leaf_db),
                      "--provider=" + self.cluster.connstr(self.root_db))

    def start_workers(self):
        for node in ("root", "leaf"):
            self.start("worker_" + node, LONDISTE + [self.path(node + ".ini"), "worker"])

    def add_tables(self):
        self.londiste("root", "add-table", *TABLES)
        self.copy_started = time.monotonic()
        self.copy_started_at = time.time()
        self.londiste("leaf", "add-table", "--create", *TABLES)

    def leaf_table_states(self):
        return dict(self.cluster.query(
            self.leaf_db, "select table_name, merge_state from londiste.get_table_list(%s)",
            [QUEUE]))

    def copy_done(self):
        """True (and the copy time recorded) once every table is 'ok' on the leaf."""
        if self.copy_seconds is not None:
            return True
        self.check_alive()
        states = self.leaf_table_states()
        if sorted(states) == sorted(TABLES) and all(s == "ok" for s in states.values()):
            self.copy_seconds = time.monotonic() - self.copy_started
            log("[%s] initial copy done in %.1f s" % (self.ticker, self.copy_seconds))
            return True
        return False

    def copy_figure(self):
        if self.copy_seconds is not None:
            return "%.1f s" % self.copy_seconds
        if self.copy_started is None:
            return "not started"
        return "not done after %.1f s" % (time.monotonic() - self.copy_started)

    def root_ticks_during_copy(self):
        """Seconds from the leaf's add-table to each tick of the root queue
        until the copy was done: where the copy waited for the ticker."""
        if self.copy_started_at is None:
            return []
        rows = self.cluster.query(
            self.root_db, "select extract(epoch from t.tick_time) from pgq.tick t"
                          " join pgq.queue q on q.queue_id = t.tick_queue"
                          " where q.queue_name = %s order by t.tick_id", [QUEUE])
        end = self.copy_seconds if self.copy_seconds is not None else float("inf")
        offsets = [float(r[0]) - self.copy_started_at for r in rows]
        return ["%.1f" % o for o in offsets if 0 <= o <= end]

    def apply_changes(self):
        self.cluster.execute(self.root_db, *CHANGES)
        conn = psycopg2.connect(self.cluster.connstr(self.root_db))
        try:
            with conn.cursor() as cur:
                for sql in ROLLED_BACK:
                    cur.execute(sql)
            conn.rollback()
        finally:
            conn.close()

    def contents(self, dbname):
        """Row count and a digest of every table, rows in primary-key order."""
        digests = {}
        for table, key in (("orders", "id"), ("events", "id"), ("tags", "tag")):
            digests[table] = self.cluster.query(
                dbname, "select count(*), md5(coalesce(string_agg(t::text, e'\\n' order by %s), ''))"
                        " from %s t" % (key, table))[0]
        return digests

    def leaf_caught_up(self):
        self.check_alive()
        return self.contents(self.leaf_db) == self.contents(self.root_db)

    def check_leaf(self):
        """What the leaf holds beyond equality: the changes really happened."""
        rows = self.cluster.query(self.leaf_db, """
            select (select count(*) from orders where customer = 'rolled back'),
                   (select count(*) from events where payload = 'rolled back'),
                   (select count(*) from tags where tag like 'tag-%'),
                   (select count(*) from tags where tag like 'new-%'),
                   (select note from orders where id = 200001),
                   (select customer from orders where id = 200002)""")[0]
        expected = (0, 0, 0, 250, "tab\there\nnewline \\ backslash", "ünïcödé ☃")
        if rows != expected:
            raise TestFailure("[%s] leaf content: got %r, expected %r" % (self.ticker, rows, expected))

    def compare(self):
        code, output = self.londiste("leaf", "compare", check=False)
        counted = [t for t in TABLES if ("Counting " + t) in output]
        if code != 0 or counted != TABLES or "do not match" in output:
            raise TestFailure("[%s] londiste compare exited %d, compared %s:\n%s"
                              % (self.ticker, code, counted, output))
        log("[%s] londiste compare: %d tables equal" % (self.ticker, len(counted)))

    # --- teardown ------------------------------------------------------------
    def copy_process_pids(self):
        """Copy processes the leaf worker started with -d (pidfile leaf.pid.copy.TABLE)."""
        pids = []
        for pidfile in glob.glob(self.path("*.pid*")):
            try:
                with open(pidfile) as f:
                    pid = int(f.read().strip())
                with open("/proc/%d/cmdline" % pid, "rb") as f:
                    cmdline = f.read()
            except (OSError, ValueError):
                continue
            # Only processes of this setup (pid reuse, our own started ones).
            if self.dir.encode() in cmdline and all(pid != p.pid for _, p in self.processes):
                pids.append(pid)
        return pids

    def stop_all(self):
        for name, proc in reversed(self.processes):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)  # clean stop for every daemon here
        for pid in self.copy_process_pids():
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        for name, proc in self.processes:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        for pid in self.copy_process_pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def drop_databases(self):
        for dbname in (self.root_db, self.leaf_db):
            try:
                self.cluster.execute("postgres", 'drop database if exists "%s" with (force)' % dbname)
            except psycopg2.Error as e:
                log("drop %s: %s" % (dbname, e))

    def print_logs(self):
        for path in sorted(glob.glob(self.path("*.log")) + glob.glob(self.path("*.out"))):
            print("---- %s/%s ----\n%s" % (self.ticker, os.path.basename(path), tail(path)))


def missing_prerequisite():
    for path in [LONDISTE[0], LONDISTE[1], PGQD] + LAYERS:
        if not os.path.exists(path):
            return path + " is not installed"
    if psycopg2 is None:
        return "psycopg2 is not importable by " + sys.executable
    return None


def report_copy_times(setups):
    """Prints the figures of issue 15, also when a copy did not finish."""
    print("londiste initial copy of %d tables x %d rows: %s" % (
        len(TABLES), ROWS_PER_TABLE, ", ".join("%s %s" % (s.ticker, s.copy_figure()) for s in setups)),
        flush=True)
    for s in setups:
        try:
            print("  [%s] root ticks at +s: %s" % (s.ticker, " ".join(s.root_ticks_during_copy())),
                  flush=True)
        except psycopg2.Error as e:
            print("  [%s] root ticks: %s" % (s.ticker, e), flush=True)


def check_speed(setups):
    """Our ticker must let londiste copy about as fast as pgqd does."""
    times = {s.ticker: s.copy_seconds for s in setups}
    if "pgqadm" not in times or "pgqd" not in times:
        return
    limit = SLOWER_FACTOR * times["pgqd"] + SLACK_SECONDS
    if times["pgqadm"] > limit:
        raise TestFailure("initial copy with pgqadm's ticker took %.1f s, more than"
                          " %.1f x pgqd's %.1f s + %d s = %.1f s"
                          % (times["pgqadm"], SLOWER_FACTOR, times["pgqd"], SLACK_SECONDS, limit))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--env", required=True, help="env file of tests/support/pgcluster.sh")
    parser.add_argument("--pgqadm", required=True, help="the pgqadm binary under test")
    parser.add_argument("--tickers", default="pgqadm,pgqd",
                        help="comma-separated: pgqadm, pgqd (default both, timed against each other)")
    parser.add_argument("--copy-deadline", type=float, default=COPY_DEADLINE,
                        help="seconds to wait for the initial copy (default %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()

    missing = missing_prerequisite()
    if missing:
        # CI installs the packages (.ci/run): a missing one there is a broken install step.
        print(("FAIL: " if os.environ.get("CI") else "SKIP: ") + missing, flush=True)
        return 1 if os.environ.get("CI") else SKIP

    # SIGTERM (e.g. from a test runner) still stops every process started here.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit("terminated by signal %d" % signum))
    cluster = Cluster(args.env)
    workdir = tempfile.mkdtemp(prefix="londiste-test.", dir="/tmp")
    setups = [Replication(cluster, t, args.pgqadm, workdir) for t in args.tickers.split(",")]
    failed = True
    try:
        for s in setups:
            s.create_databases()
            s.start_ticker()
            s.create_nodes()
            s.start_workers()
        # Both copies run at the same time, so both see the same machine load.
        for s in setups:
            s.add_tables()
        try:
            wait_for("the initial copy (all tables 'ok' on the leaves)",
                     lambda: all([s.copy_done() for s in setups]), args.copy_deadline)
        finally:
            report_copy_times(setups)

        for s in setups:
            s.apply_changes()
        for s in setups:
            wait_for("[%s] leaf to hold the root's rows" % s.ticker, s.leaf_caught_up,
                     CATCH_UP_DEADLINE, interval=0.5)
            s.check_leaf()
            s.compare()
            s.check_alive()
        check_speed(setups)
        failed = False
    except Exception as e:  # noqa: BLE001 - any failure: report, then clean up
        print("FAIL: %s: %s" % (type(e).__name__, e), flush=True)
        for s in setups:
            try:
                print("[%s] leaf tables: %s" % (s.ticker, s.leaf_table_states()), flush=True)
            except psycopg2.Error:
                pass
    finally:
        for s in setups:
            s.stop_all()
        if failed:
            for s in setups:
                s.print_logs()
        for s in setups:
            s.drop_databases()
        if args.keep:
            print("work directory kept: " + workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print("PASS" if not failed else "FAILED", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
