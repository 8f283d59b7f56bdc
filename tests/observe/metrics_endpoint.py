#!/usr/bin/python3
"""The daemon's HTTP endpoint and systemd notifications (issue 18), end to end.

  metrics_endpoint.py --env ENVFILE --pgqadm BINARY --conf CONFDIR

Starts `pgqadm ticker` (loop_delay 0.01) on a fresh database of the test
cluster with metrics_listen on a free port and NOTIFY_SOCKET pointing at a
datagram socket this script binds, then checks:
  - /metrics parses with prometheus_client (text format and OpenMetrics) and
    its values agree with SQL run at the same time;
  - hostile queue and consumer names come back exactly from the labels;
  - /healthz and /readyz; readiness goes away while the database refuses
    connections and comes back after;
  - 100 concurrent scrapes while ticking every 10 ms do not delay ticks;
  - READY=1, STATUS=, WATCHDOG=1, RELOADING=1 + READY=1, STOPPING=1;
  - every metric the alert rules and the Grafana dashboard in conf/ use exists.
Exit 77 (skipped) without python3-prometheus-client.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

try:
    from prometheus_client.parser import text_string_to_metric_families as parse_text
    from prometheus_client.openmetrics.parser import (
        text_string_to_metric_families as parse_openmetrics)
except ImportError:
    print("python3-prometheus-client is not installed: skipped")
    sys.exit(77)

HOSTILE_QUEUE = 'q"uo\\te\nnl'
HOSTILE_CONSUMER = 'c\\"}\n{x="1'


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                key, value = line.strip().split("=", 1)
                env[key] = value
    return env


class Db:
    def __init__(self, env, dbname):
        self.env = dict(os.environ, PGHOST=env["PGHOST"], PGPORT=env["PGPORT"],
                        PGUSER=env["PGUSER"])
        self.psql = os.path.join(env["PGBIN"], "psql")
        self.dbname = dbname

    def sql(self, query, dbname=None):
        out = subprocess.run([self.psql, "-XAtq", "-v", "ON_ERROR_STOP=1", "-d",
                              dbname or self.dbname, "-c", query],
                             env=self.env, check=True, capture_output=True, text=True)
        return out.stdout.strip()


def wait_for(what, condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for " + what)


def get(port, path, accept=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path))
    if accept:
        req.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(req, timeout=20) as res:
            return res.status, res.headers.get("Content-Type"), res.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read().decode()


def samples(text, openmetrics=False):
    """{(name, frozenset(labels)): value} and the family names."""
    parse = parse_openmetrics if openmetrics else parse_text
    found, families = {}, {}
    for family in parse(text):
        families[family.name] = family.type
        for s in family.samples:
            found[(s.name, frozenset(s.labels.items()))] = s.value
    return found, families


def value(found, name, **labels):
    return found[(name, frozenset(labels.items()))]


class NotifyListener:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.2)
        self.messages = []
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                pass

    def seen(self, text):
        return [m for m in list(self.messages) if text in m.split("\n")]


def metric_names_in_conf(confdir):
    """Metric names the alert rules and the dashboard use."""
    names = set()
    with open(os.path.join(confdir, "pgqadm-alerts.rules.yml")) as f:
        for line in f:
            if re.match(r"\s*expr:", line):
                names.update(re.findall(r"\bpgqadm_[a-z_]+", line))
    with open(os.path.join(confdir, "pgqadm-grafana-dashboard.json")) as f:
        dashboard = json.load(f)

    def walk(node):
        if isinstance(node, dict):
            for key, item in node.items():
                if key in ("expr", "query") and isinstance(item, str):
                    names.update(re.findall(r"\bpgqadm_[a-z_]+", item))
                else:
                    walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(dashboard)
    return names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--env", required=True)
    ap.add_argument("--pgqadm", required=True)
    ap.add_argument("--conf", required=True)
    args = ap.parse_args()
    env = read_env(args.env)
    dbname = "observe_%d" % os.getpid()
    db = Db(env, dbname)
    db.sql('create database "%s"' % dbname, dbname="postgres")
    work = tempfile.mkdtemp(prefix="pgqadm-observe.")
    os.chmod(work, 0o755)
    ini = os.path.join(work, "pgqadm.ini")
    log = os.path.join(work, "ticker.log")
    with open(ini, "w") as f:
        f.write("[pgqadm]\ndb = host=%s port=%s user=%s dbname=%s\n"
                "loop_delay = 0.01\nmaint_delay = 1\nretry_delay = 1\n"
                "metrics_listen = 127.0.0.1:0\nmetrics_cache_seconds = 0.2\n"
                "logfile = %s\n" % (env["PGHOST"], env["PGPORT"], env["PGUSER"], dbname, log))

    def pgqadm(*cmd):
        subprocess.run([args.pgqadm, ini] + list(cmd), check=True, capture_output=True)

    pgqadm("install")
    pgqadm("create", HOSTILE_QUEUE)
    pgqadm("create", "fast")
    pgqadm("register", HOSTILE_QUEUE, HOSTILE_CONSUMER)
    pgqadm("register", "fast", "reader")
    db.sql("select pgq.set_queue_config('fast', 'ticker_max_count', '1');"
           "select pgq.set_queue_config('fast', 'ticker_max_lag', '0')")
    db.sql("select pgq.insert_event('%s', 't', 'x') from generate_series(1, 7)"
           % HOSTILE_QUEUE.replace("'", "''"))

    # A bad address is refused at once, with one line.
    bad = os.path.join(work, "bad.ini")
    with open(bad, "w") as f:
        f.write(open(ini).read().replace("127.0.0.1:0", "127.0.0.1:http"))
    res = subprocess.run([args.pgqadm, bad, "ticker"], capture_output=True, text=True,
                         timeout=30)
    assert res.returncode == 1 and "metrics_listen" in res.stderr, res
    print("bad address:", res.stderr.strip())
    with open(bad, "w") as f:  # TEST-NET-1: never a local address
        f.write(open(ini).read().replace("127.0.0.1:0", "192.0.2.1:9187"))
    res = subprocess.run([args.pgqadm, bad, "ticker"], capture_output=True, text=True,
                         timeout=30)
    assert res.returncode == 1 and "cannot listen" in res.stderr, res
    assert len(res.stderr.strip().splitlines()) == 1, res.stderr
    print("address not ours:", res.stderr.strip())

    notify_path = os.path.join(work, "notify.sock")
    listener = NotifyListener(notify_path)
    daemon_env = dict(os.environ, NOTIFY_SOCKET=notify_path, WATCHDOG_USEC="1000000")
    daemon = subprocess.Popen([args.pgqadm, ini, "ticker"], env=daemon_env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def listening_port():
            text = open(log).read() if os.path.exists(log) else ""
            return re.findall(r"metrics: listening on .* \(port (\d+)\)", text)

        port = int(wait_for("the endpoint", listening_port)[-1])
        wait_for("READY=1", lambda: listener.seen("READY=1"))
        wait_for("WATCHDOG=1", lambda: listener.seen("WATCHDOG=1"))
        status = wait_for("STATUS=", lambda: [m for m in listener.messages if "STATUS=" in m])
        print("systemd status:", status[-1].strip().replace("\n", " | "))

        # The retry queue: one event of the hostile queue back for an hour.
        consumer_sql = HOSTILE_CONSUMER.replace("'", "''")
        queue_sql = HOSTILE_QUEUE.replace("'", "''")
        wait_for("a batch", lambda: db.sql(
            "select pgq.force_tick('%s'); select pgq.next_batch('%s', '%s')"
            % (queue_sql, queue_sql, consumer_sql)).splitlines()[-1:] != [""])
        db.sql("select pgq.event_retry(b, e.ev_id, 3600) from (select pgq.next_batch('%s','%s') b) n,"
               " lateral pgq.get_batch_events(b) e order by e.ev_id limit 1"
               % (queue_sql, consumer_sql))
        db.sql("select pgq.finish_batch(pgq.next_batch('%s','%s'))" % (queue_sql, consumer_sql))

        # Values against SQL truth (the snapshot is at most 0.2 s old).
        time.sleep(0.3)
        status, ctype, text = get(port, "/metrics")
        assert status == 200 and ctype.startswith("text/plain; version=0.0.4"), ctype
        found, families = samples(text)
        om_status, om_type, om_text = get(port, "/metrics",
                                          "application/openmetrics-text; version=1.0.0,text/plain;q=0.5")
        assert om_type.startswith("application/openmetrics-text"), om_type
        assert om_text.endswith("# EOF\n")
        om_found, om_families = samples(om_text, openmetrics=True)
        d = dict(database=dbname)
        q = dict(database=dbname, queue=HOSTILE_QUEUE)
        c = dict(database=dbname, queue=HOSTILE_QUEUE, consumer=HOSTILE_CONSUMER)
        truth = db.sql(
            "select (select coalesce(pg_sequence_last_value(queue_event_seq::regclass), 0)"
            "          from pgq.queue where queue_name = '%s'),"
            "       (select count(*) from pgq.retry_queue),"
            "       (select pending_events from pgq.get_consumer_info('%s', '%s')),"
            "       (select count(*) from pgq.queue)" % (queue_sql, queue_sql, consumer_sql)
        ).split("|")
        assert value(found, "pgqadm_up", **d) == 1
        assert value(found, "pgqadm_leader", **d) == 1
        assert value(found, "pgqadm_queue_event_sequence", **q) == float(truth[0]), truth
        assert value(found, "pgqadm_queue_retry_events", **q) == float(truth[1]) == 1, truth
        assert value(found, "pgqadm_consumer_pending_events", **c) == float(truth[2]), truth
        assert value(found, "pgqadm_queues", **d) == float(truth[3]) == 2
        assert value(found, "pgqadm_consumer_blocks_rotation", **c) == 0
        assert value(found, "pgqadm_consumer_lag_seconds", **c) >= 0
        assert value(found, "pgqadm_queue_seconds_since_last_tick", **q) < 120
        assert value(found, "pgqadm_ticks_total", **d) >= 1
        assert value(found, "pgqadm_loop_duration_seconds_count", **d) >= 1
        assert value(om_found, "pgqadm_queue_event_sequence", **q) == float(truth[0])
        assert value(om_found, "pgqadm_ticks_total", **d) >= 1
        assert om_families["pgqadm_ticks"] == "counter"
        assert families["pgqadm_loop_duration_seconds"] == "histogram"
        print("metric families:", len(families))

        assert get(port, "/healthz")[0] == 200
        assert get(port, "/readyz")[0] == 200

        # The server drops the endpoint's kept connection between scrapes
        # (a restart, pg_terminate_backend): the next scrape reconnects and
        # still reports the database up.
        metrics_backends = ("select count(pg_terminate_backend(pid)) from pg_stat_activity"
                            " where datname = '%s' and application_name like '%% metrics'" % dbname)
        assert db.sql(metrics_backends, dbname="postgres") == "1"
        wait_for("the metrics backend gone",
                 lambda: db.sql(metrics_backends, dbname="postgres") == "0")
        time.sleep(0.3)  # past metrics_cache_seconds
        found, _ = samples(get(port, "/metrics")[2])
        assert value(found, "pgqadm_up", **d) == 1
        assert value(found, "pgqadm_queues", **d) == 2

        # 100 concurrent scrapes while ticking every 10 ms: the ticker has a
        # connection of its own and scrapes share one cached snapshot.
        stop_producer = threading.Event()

        def produce():
            while not stop_producer.is_set():
                db.sql("select pgq.insert_event('fast', 't', 'x')")

        producer = threading.Thread(target=produce)
        producer.start()
        time.sleep(1)

        def tick_gap(since):
            return float(db.sql(
                "select coalesce(max(gap), 0) from (select extract(epoch from tick_time"
                " - lag(tick_time) over (order by tick_id)) gap from pgq.tick t"
                " join pgq.queue q on q.queue_id = t.tick_queue"
                " where q.queue_name = 'fast' and tick_time >= '%s') g" % since))

        calm_from = db.sql("select now()")
        time.sleep(3)
        calm_gap = tick_gap(calm_from)
        storm_from = db.sql("select now()")
        latencies = []
        errors = []

        storm_end = time.monotonic() + 3

        def scrape():
            # Each of the 100 scrapers goes again at once, for 3 seconds.
            while time.monotonic() < storm_end:
                try:
                    started = time.monotonic()
                    assert get(port, "/metrics")[0] == 200
                    latencies.append(time.monotonic() - started)
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(e)
                    return

        started = time.monotonic()
        threads = [threading.Thread(target=scrape) for _ in range(100)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        storm_seconds = time.monotonic() - started
        storm_gap = tick_gap(storm_from)
        stop_producer.set()
        producer.join()
        print("100 concurrent scrapers for %.1f s: %d scrapes, slowest %.3f s; largest gap"
              " between ticks of a busy queue: %.3f s before, %.3f s during" %
              (storm_seconds, len(latencies), max(latencies or [0]), calm_gap, storm_gap))
        assert not errors, errors
        assert storm_gap < 2.0, storm_gap

        # Readiness flips while the database refuses connections.
        db.sql('alter database "%s" allow_connections false' % dbname, dbname="postgres")
        db.sql("select pg_terminate_backend(pid) from pg_stat_activity where datname = '%s'"
               % dbname, dbname="postgres")
        wait_for("not ready", lambda: get(port, "/readyz")[0] == 503)
        print("while refused:", get(port, "/readyz")[2].strip())
        assert get(port, "/healthz")[0] == 200  # the loop itself is fine
        found, _ = samples(get(port, "/metrics")[2])
        assert value(found, "pgqadm_connected", **d) == 0
        assert value(found, "pgqadm_connection_failures_total", **d) >= 1
        db.sql('alter database "%s" allow_connections true' % dbname, dbname="postgres")
        wait_for("ready again", lambda: get(port, "/readyz")[0] == 200, timeout=90)

        # Alert rules and dashboard only use metrics that exist.
        found, families = samples(get(port, "/metrics")[2])
        exposed = set(families) | {name for name, _ in found}
        used = metric_names_in_conf(args.conf)
        missing = sorted(used - exposed)
        assert used and not missing, "conf/ uses metrics the daemon lacks: %s" % missing
        print("conf/ uses %d metrics, all exposed" % len(used))

        # SIGHUP: RELOADING=1 then READY=1 again; SIGINT: STOPPING=1.
        ready_before = len(listener.seen("READY=1"))
        daemon.send_signal(1)
        wait_for("RELOADING=1", lambda: listener.seen("RELOADING=1"))
        wait_for("READY=1 after the reload",
                 lambda: len(listener.seen("READY=1")) > ready_before)
        daemon.send_signal(2)
        assert daemon.wait(timeout=60) == 0
        wait_for("STOPPING=1", lambda: listener.seen("STOPPING=1"))
    finally:
        if daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        listener.stop = True
        db.sql('alter database "%s" allow_connections true' % dbname, dbname="postgres")
        db.sql('drop database if exists "%s" with (force)' % dbname, dbname="postgres")
    print("ok")


if __name__ == "__main__":
    main()
