#!/usr/bin/python3
"""A real python3-pgq consumer for the interoperability tests.

Run with Debian's /usr/bin/python3 (it has python3-pgq and python3-skytools):

    /usr/bin/python3 consumer.py consumer.ini --register
    /usr/bin/python3 consumer.py consumer.ini -v

Every event it sees is recorded in the table named by `seen_table` in the
same transaction as pgq.finish_batch(), so the table holds exactly what the
consumer committed. Events whose type is `retry-me` are tagged for retry
(pgq.event_retry(batch, ev_id, retry_seconds)) the first time they are seen
(ev_retry is NULL) and tagged done when they come back.

Extra config keys (besides the usual pgq.Consumer ones):
    seen_table     table to record events in (created by the test)
    retry_seconds  retry delay for `retry-me` events (default 1)
    wake_on_ticks  1: LISTEN on the queue's tick channel (pgq.tick_channel(),
                   pgqadm's schema, queues with ticker_notify), so the
                   consumer asks for its next batch as soon as a tick is made
                   instead of after `loop_delay`
"""
import select
import sys
import time

import pgq
import skytools


class InteropConsumer(pgq.Consumer):
    def reload(self):
        super().reload()
        self.seen_table = self.cf.get("seen_table", "interop_seen")
        self.retry_seconds = self.cf.getint("retry_seconds", 1)
        self.wake_on_ticks = self.cf.getint("wake_on_ticks", 0)

    def startup(self):
        super().startup()
        if self.wake_on_ticks:
            db = self.get_database(self.db_name)
            curs = db.cursor()
            curs.execute("select pgq.tick_channel(%s)", [self.queue_name])
            channel = curs.fetchone()[0]
            curs.execute("listen " + skytools.quote_ident(channel))
            db.commit()

    def sleep(self, secs):
        """Sleeps until the next tick of the queue, or `secs` at most.

        (DBScript.listen() would do this, but its sleep() fails on
        python3-skytools 3.8: 'DictCursor' object has no attribute 'fileno'.)
        """
        if not self.wake_on_ticks:
            return super().sleep(secs)
        db = self.get_database(self.db_name)
        deadline = time.monotonic() + secs
        # In slices: SIGINT only clears self.looping, and select() resumes.
        while not db.notifies and self.looping:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            select.select([db], [], [], min(left, 0.5))
            db.poll()
        db.notifies.clear()

    def process_batch(self, db, batch_id, event_list):
        curs = db.cursor()
        qtable = skytools.quote_fqident(self.seen_table)
        rows = []
        for ev in event_list:
            if ev.type == "retry-me" and not ev.retry:
                ev.tag_retry(self.retry_seconds)
                action = "retry"
            else:
                ev.tag_done()
                action = "done"
            rows.append((self.consumer_name, batch_id, ev.id, ev.type, ev.data,
                         ev.retry, ev.extra1, action))
        if rows:
            curs.executemany(
                "insert into " + qtable +
                " (consumer, batch_id, ev_id, ev_type, ev_data, ev_retry, ev_extra1, action)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
        self.log.debug("batch %s: %d events", batch_id, len(rows))


if __name__ == "__main__":
    InteropConsumer("interop_consumer", "db", sys.argv[1:]).start()
