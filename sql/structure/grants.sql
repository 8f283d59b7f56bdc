-- Grants (PgQ 3.5 layout).  Re-runnable: everything is revoked first.
--
--   public      : read the metadata tables, info functions
--   pgq_reader  : consume (register, batches, retry)
--   pgq_writer  : produce (insert_event, current_event_table, triggers)
--   pgq_admin   : administer (member of reader and writer)
-- Writes to pgq tables go only through SECURITY DEFINER functions, except
-- for pgq_admin which PgQ tools (pgq_node, londiste) expect to update
-- pgq.queue/pgq.subscription directly.
-- Trigger files (sql/triggers/*.sql) carry their own grants.

grant usage on schema pgq to public;

-- functions: nothing by default
revoke all on all functions in schema pgq from public;
revoke all on all functions in schema pgq from pgq_reader, pgq_writer, pgq_admin;

-- public
grant execute on function
    pgq.seq_getval(text),
    pgq.get_queue_info(),
    pgq.get_queue_info(text),
    pgq.get_consumer_info(),
    pgq.get_consumer_info(text),
    pgq.get_consumer_info(text, text),
    pgq.quote_fqname(text),
    pgq.tick_channel(text),
    pgq.version(),
    pgq._pgqadm_schema_version()
  to public;

-- consumers
grant execute on function
    pgq.batch_event_sql(bigint),
    pgq.batch_event_tables(bigint),
    pgq.find_tick_helper(int4, int8, timestamptz, int8, int8, interval),
    pgq.register_consumer(text, text),
    pgq.register_consumer_at(text, text, bigint),
    pgq.unregister_consumer(text, text),
    pgq.next_batch_info(text, text),
    pgq.next_batch(text, text),
    pgq.next_batch_custom(text, text, interval, int4, interval),
    pgq.get_batch_events(bigint),
    pgq.get_batch_info(bigint),
    pgq.get_batch_cursor(bigint, text, int4, text),
    pgq.get_batch_cursor(bigint, text, int4),
    pgq._batch_cursor_sql(bigint, text, int4, text),
    pgq.event_retry(bigint, bigint, timestamptz),
    pgq.event_retry(bigint, bigint, integer),
    pgq.batch_retry(bigint, integer),
    pgq.force_tick(text),
    pgq.finish_batch(bigint)
  to pgq_reader;

-- producers
grant execute on function
    pgq.insert_event(text, text, text),
    pgq.insert_event(text, text, text, text, text, text, text),
    pgq.current_event_table(text)
  to pgq_writer;

-- admins
grant execute on function
    pgq.ticker(),
    pgq.ticker(text),
    pgq.ticker(text, bigint, timestamptz, bigint),
    pgq.maint_retry_events(),
    pgq.maint_rotate_tables_step1(text),
    pgq.maint_rotate_tables_step2(),
    pgq.maint_tables_to_vacuum(),
    pgq.maint_operations(),
    pgq.upgrade_schema(),
    pgq.grant_perms(text),
    pgq._grant_perms_from(text, text, text, text),
    pgq.tune_storage(text),
    pgq.seq_setval(text, int8),
    pgq.create_queue(text),
    pgq.drop_queue(text, bool),
    pgq.drop_queue(text),
    pgq.set_queue_config(text, text, text),
    pgq.insert_event_raw(text, bigint, timestamptz, integer, integer, text, text, text, text, text, text),
    pgq.event_retry_raw(text, text, timestamptz, bigint, timestamptz, integer, text, text, text, text, text, text),
    -- internal helpers reached from functions that run as the caller:
    -- insert_event_raw, tune_storage
    pgq._insert_event_generic(int4, int4, int8, timestamptz, int4, int4, text, text, text, text, text, text, boolean),
    pgq._tx_event_count_cleanup(),
    pgq._find_queue(text, text),
    pgq._queue_relations(int4)
  to pgq_admin;

-- the daemon's wake-up tick: runs with the caller's rights (pgq_ticker.sql)
grant execute on function pgq._wake_tick(text[], oid[]) to pgq_admin;
-- the sequences of a queue, by id (pgq_util.sql): _wake_tick runs as its caller
grant execute on function pgq._event_seq(int4), pgq._tick_seq(int4) to pgq_admin;

-- tables
revoke all on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription,
              pgq.event_template, pgq.retry_queue
  from public, pgq_reader, pgq_writer, pgq_admin;

grant select on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription
  to public, pgq_reader;
grant select, insert, update, delete on pgq.consumer, pgq.queue, pgq.tick, pgq.subscription
  to pgq_admin;

grant select on pgq.event_template to pgq_reader;
grant select, insert, truncate on pgq.event_template to pgq_admin;

grant select, insert, update, delete on pgq.retry_queue to pgq_admin;

-- per-transaction event counts: out of the producers' reach; pgq_admin
-- counts through insert_event_raw (see pgq_producer.sql)
revoke all on pgq.tx_event_count from public, pgq_reader, pgq_writer, pgq_admin;
grant select, insert on pgq.tx_event_count to pgq_admin;

-- global sequences: owner only (as in PgQ 3.5); they are advanced by the
-- security definer functions and the serial column defaults.
revoke all on sequence pgq.batch_id_seq, pgq.queue_queue_id_seq,
                       pgq.consumer_co_id_seq, pgq.subscription_sub_id_seq
  from public, pgq_reader, pgq_writer, pgq_admin;
