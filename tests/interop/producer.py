#!/usr/bin/python3
"""Produces events with python3-pgq's producer helpers (run with /usr/bin/python3).

    producer.py DSN QUEUE MODE COUNT TYPE PREFIX

MODE is `insert_event` (pgq.insert_event(): one `select pgq.insert_event(...)`
per event) or `bulk` (pgq.bulk_insert_events(): `select
pgq.current_event_table(q)` and one COPY into that table, the bulk path). The
data of event i is PREFIX + str(i); everything is one committed transaction.
"""
import datetime
import sys

import pgq
import psycopg2


def main():
    dsn, queue, mode, count, ev_type, prefix = sys.argv[1:7]
    count = int(count)
    db = psycopg2.connect(dsn)
    curs = db.cursor()
    if mode == "insert_event":
        for i in range(count):
            pgq.insert_event(curs, queue, ev_type, prefix + str(i), "x1", None, None, None)
    elif mode == "bulk":
        now = datetime.datetime.now(datetime.timezone.utc)
        rows = [[now, ev_type, prefix + str(i), "x1"] for i in range(count)]
        pgq.bulk_insert_events(curs, rows, ["time", "type", "data", "extra1"], queue)
    else:
        raise SystemExit("unknown mode " + mode)
    db.commit()
    db.close()


if __name__ == "__main__":
    main()
