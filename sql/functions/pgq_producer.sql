-- Producer API: insert_event (3/7 args), insert_event_raw,
-- current_event_table.  The insert functions are generated (see below).

drop function if exists pgq._insert_event_dispatch(int4, int4, int8, timestamptz, int4, int4, text, text, text, text, text, text);
drop function if exists pgq._insert_event_generic(int4, int4, int8, timestamptz, int4, int4, text, text, text, text, text, text);
drop function if exists pgq._gen_dispatch_tree(int4[], int4[], int4, int4, text, text, text);
drop function if exists pgq._gen_insert_function(int4[], int4[], text, text, text, text, text);
--
-- Hot path design
-- ---------------
-- The C implementation caches one prepared INSERT per (queue, table).  We get
-- the same effect in PL/pgSQL by generating the producer functions
-- themselves (insert_event with 3 and 7 arguments, insert_event_raw): each
-- contains one static INSERT statement per (queue_id, table number).
-- PL/pgSQL prepares and caches a plan per statement the first time it runs
-- in a session, so every call after the first is: one cached index lookup in
-- pgq.queue, a few simple expressions, one cached INSERT, all in a single
-- function call.  insert_event with 3 arguments is generated the same way
-- rather than wrapping the 7-argument one: a SQL wrapper would be inlined,
-- which re-parses its body every time a simple-protocol query is planned,
-- and a PL/pgSQL wrapper would be a second call.
-- Branches are nested IFs on queue_id ranges (leaves of at most 8 queues),
-- so dispatch is O(log queues).  The tree holds the first 128 queues: every
-- session compiles the whole function once, and create_queue/drop_queue
-- regenerate it, so its size is bounded.  Other queues (and tables the
-- tree does not know, e.g. after queue_ntables was raised by hand) take a
-- dynamic-SQL fallback.  Table and sequence names come from queue_id, as
-- everywhere in pgq_queue_admin.sql.
--
-- Per-transaction limit
-- ---------------------
-- queue_per_tx_limit caps the events one transaction puts into a queue.
-- The count lives in pgq.tx_event_count, where a producer cannot write
-- (insert_event runs as the owner; insert_event_raw as pgq_admin, who may
-- change the limits anyway).  A setting, which the producer can overwrite,
-- would not do.  Each event of a limited queue adds a row numbered one past
-- the transaction's highest: one backward index probe and one insert.
-- (Updating one row per transaction would grow a chain of row versions
-- that each later update walks: quadratic in the events.)  Rows vanish with
-- a rolled-back savepoint, together with its events; rows of ended
-- transactions are cleared by pgq._tx_event_count_cleanup(), called now and
-- then.  Queues without a limit never touch the table.
--
-- Ticker wake-up
-- --------------
-- For queues with queue_ticker_notify, the producer also sends
-- NOTIFY pgq_ticker_wakeup, payload the queue name.  PostgreSQL delivers it
-- when the transaction commits (never for a rollback) and sends one per
-- transaction and queue however many events it inserted, so the pgqadm
-- ticker can tick right after the commit instead of at its next loop.
-- The price: commits of notifying transactions are serialized by
-- PostgreSQL's notification queue lock, so it is off by default.  COPY into
-- current_event_table() does not notify (the next ticker loop sees it).

create or replace function pgq._insert_event_generic(
    i_queue_id int4, i_table int4, i_ev_id int8, i_ev_time timestamptz,
    i_ev_owner int4, i_ev_retry int4, i_ev_type text, i_ev_data text,
    i_ev_extra1 text, i_ev_extra2 text, i_ev_extra3 text, i_ev_extra4 text,
    i_seq_done boolean)
returns int8 as $$
-- The producer path for queues the generated functions do not hold (past
-- the first 128): the same INSERT, as dynamic SQL into table i_table of
-- queue i_queue_id.  Draws the event id from the queue's sequence unless
-- the caller has done so already (i_seq_done); i_ev_id, when set, is the
-- id stored.  Names are derived from the id (see pgq_queue_admin.sql).
-- Called for every such event, so instead of a pinned search_path (set
-- and reset on each call) every name in here is schema-qualified, types
-- and operators included.
declare
    wake_name   pg_catalog.text;    -- queue name when producers wake the ticker
    drawn_id    pg_catalog.int8;
begin
    select case when queue_ticker_notify then queue_name end
      into wake_name
      from pgq.queue where queue_id operator(pg_catalog.=) i_queue_id;
    if not found then
        raise exception 'No such queue';
    end if;
    if wake_name is not null then
        perform pg_catalog.pg_notify('pgq_ticker_wakeup', wake_name);
    end if;
    -- drawn even when the caller brings an id: the ticker counts new events
    -- by the sequence
    if not i_seq_done then
        drawn_id := pg_catalog.nextval(
            pg_catalog.format('pgq.event_%s_id_seq', i_queue_id)::pg_catalog.regclass);
    end if;
    execute pg_catalog.format(
        'insert into pgq.event_%s_%s (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,'
        ' ev_extra1, ev_extra2, ev_extra3, ev_extra4)'
        ' values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        i_queue_id, i_table)
      using coalesce(i_ev_id, drawn_id), i_ev_time, i_ev_owner, i_ev_retry, i_ev_type, i_ev_data,
            i_ev_extra1, i_ev_extra2, i_ev_extra3, i_ev_extra4;
    return coalesce(i_ev_id, drawn_id);
end;
$$ language plpgsql;


create or replace function pgq._tx_event_count_cleanup()
returns void as $$
-- Deletes up to 5000 rows of pgq.tx_event_count whose transactions have
-- ended.  The producer functions call it for about one event in a thousand
-- into limited queues, so rows go five times as fast as they come, and the
-- cost is spread thin.  Rows another producer is deleting are skipped, not
-- waited for.
begin
    delete from pgq.tx_event_count
     where ctid = any (array(
               select ctid from pgq.tx_event_count
                where tx_id < pg_catalog.txid_snapshot_xmin(pg_catalog.txid_current_snapshot())
                order by tx_id
                limit 5000
                  for update skip locked));
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq._gen_dispatch_tree(
    i_ids int4[], i_ntables int4[], i_notify text[], i_lo int4, i_hi int4, i_indent text,
    i_id_expr text, i_values_tail text)
returns text as $$
-- Generates the nested IF tree of an insert function for queues
-- i_ids[i_lo..i_hi] (sorted ascending).  Leaves hold at most 8 queues.
-- Expects variables v_qid (queue id), v_tbl (table number), v_id (int8).
-- i_id_expr: the ev_id to store and return (from v_id); i_values_tail: the
-- remaining 9 values (ev_time .. ev_extra4).  Object names come from ids
-- only; i_notify[i] is the queue's name for the wake-up NOTIFY (NULL: none),
-- and enters the code only through quote_literal().
declare
    res  text := '';
    mid  int4;
    qid  int4;
    tbl  text;
begin
    if i_hi - i_lo < 8 then
        for i in i_lo .. i_hi loop
            qid := i_ids[i];
            res := res || i_indent || case when i = i_lo then 'if' else 'elsif' end
                || ' v_qid = ' || qid::text || E' then\n'
                || i_indent || '    v_id := pg_catalog.nextval(''pgq.event_' || qid::text
                || E'_id_seq''::regclass);\n';
            if i_notify[i] is not null then
                res := res || i_indent || '    perform pg_catalog.pg_notify(''pgq_ticker_wakeup'', '
                    || pg_catalog.quote_literal(i_notify[i]) || E');\n';
            end if;
            for t in 0 .. i_ntables[i] - 1 loop
                tbl := 'pgq.event_' || qid::text || '_' || t::text;
                res := res || i_indent || '    ' || case when t = 0 then 'if' else 'elsif' end
                    || ' v_tbl = ' || t::text || E' then\n'
                    || i_indent || '        insert into ' || tbl
                    || ' (ev_id, ev_time, ev_owner, ev_retry, ev_type, ev_data,'
                    || ' ev_extra1, ev_extra2, ev_extra3, ev_extra4) values ('
                    || i_id_expr || ', ' || i_values_tail || E');\n'
                    || i_indent || '        return ' || i_id_expr || E';\n';
            end loop;
            res := res || i_indent || E'    end if;\n';
        end loop;
        return res || i_indent || E'end if;\n';
    end if;
    mid := (i_lo + i_hi) / 2;
    return i_indent || 'if v_qid <= ' || i_ids[mid]::text || E' then\n'
        || pgq._gen_dispatch_tree(i_ids, i_ntables, i_notify, i_lo, mid, i_indent || '    ', i_id_expr, i_values_tail)
        || i_indent || E'else\n'
        || pgq._gen_dispatch_tree(i_ids, i_ntables, i_notify, mid + 1, i_hi, i_indent || '    ', i_id_expr, i_values_tail)
        || i_indent || E'end if;\n';
end;
$$ language plpgsql immutable set search_path = pg_catalog, pg_temp;


create or replace function pgq._gen_insert_function(
    i_ids int4[], i_ntables int4[], i_notify text[], i_signature text, i_attrs text,
    i_id_expr text, i_values_tail text, i_generic_args text)
returns void as $gen$
-- Creates one producer function: queue lookup, disabled/per-TX-limit
-- checks, then the static INSERT tree.  Queues not in the tree use
-- pgq._insert_event_generic().
declare
    v_body  text;
    v_cnt   int4;
begin
    v_cnt := coalesce(pg_catalog.array_length(i_ids, 1), 0);
    v_body := $body$
-- GENERATED by pgq._regen_insert_dispatch(); do not edit.
-- Always advances the queue's event sequence (the ticker watches it), even
-- when the insert is then refused.
declare
    v_qid   int4;
    v_tbl   int4;
    v_dis   boolean;
    v_lim   int4;
    v_cnt   int4;
    v_id    int8;
begin
    select q.queue_id, q.queue_cur_table, q.queue_disable_insert, q.queue_per_tx_limit
      into v_qid, v_tbl, v_dis, v_lim
      from pgq.queue q where q.queue_name = $1;
    if not found then
        raise exception 'No such queue';
    end if;
    if v_dis then
        if pg_catalog.current_setting('session_replication_role') <> 'replica' then
            perform pg_catalog.nextval(('pgq.event_' || v_qid || '_id_seq')::regclass);
            raise exception 'Insert into queue disallowed';
        end if;
    end if;
    if v_lim is not null then
        -- this event's number in the transaction (see pgq_producer.sql)
        insert into pgq.tx_event_count (tx_id, queue_id, events)
        select pg_catalog.txid_current(), v_qid, coalesce(max(c.events), 0) + 1
          from pgq.tx_event_count c
         where c.tx_id = pg_catalog.txid_current() and c.queue_id = v_qid
        returning events into v_cnt;
        if v_cnt > v_lim then
            perform pg_catalog.nextval(('pgq.event_' || v_qid || '_id_seq')::regclass);
            raise exception 'Queue ''%'' allows max % events from one TX', $1, v_lim;
        end if;
        if pg_catalog.random() < 0.001 then
            perform pgq._tx_event_count_cleanup();
        end if;
    end if;
$body$;
    if v_cnt > 0 then
        v_body := v_body || pgq._gen_dispatch_tree(i_ids, i_ntables, i_notify, 1, v_cnt, '    ',
                                                   i_id_expr, i_values_tail);
    end if;
    v_body := v_body
        || E'    -- not in the generated tree: dynamic fallback\n'
        || '    return pgq._insert_event_generic(v_qid, v_tbl, ' || i_generic_args || E', v_id is not null);\n'
        || E'end;\n';
    execute 'create or replace function ' || i_signature || ' returns bigint as '
        || pg_catalog.quote_literal(v_body) || ' language plpgsql ' || i_attrs;
end;
$gen$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq._gen_insert_event_sig()
returns void as $$
-- (Re)creates pgq._insert_event_is_ours(): whether pgq.insert_event (7
-- args) is still the function pgq._regen_insert_dispatch() made.  The
-- table triggers write a statement's events straight into the event table
-- only then; else they call pgq.insert_event for each, so a site's
-- replacement (to trace, veto or redirect events) sees them.  Fast check:
-- the same pg_proc row version (a CREATE OR REPLACE writes a new one);
-- else (GRANT, ALTER FUNCTION ... OWNER also write one) the same language,
-- SECURITY DEFINER and body, by md5.
declare
    v_sig record;
begin
    select p.oid, p.xmin::text as xmin, p.ctid::text as ctid, p.prolang, pg_catalog.md5(p.prosrc) as src_md5
      into v_sig
      from pg_catalog.pg_proc p
     where p.oid = 'pgq.insert_event(text, text, text, text, text, text, text)'::pg_catalog.regprocedure;
    execute pg_catalog.format(
        'create or replace function pgq._insert_event_is_ours() returns boolean language sql stable as %L',
        pg_catalog.format('select exists (select from pg_catalog.pg_proc p where p.oid operator(pg_catalog.=) %s::pg_catalog.oid'
                          ' and ((p.xmin operator(pg_catalog.=) %L::pg_catalog.xid'
                          ' and p.ctid operator(pg_catalog.=) %L::pg_catalog.tid)'
                          ' or (p.prolang operator(pg_catalog.=) %s::pg_catalog.oid and p.prosecdef'
                          ' and pg_catalog.md5(p.prosrc) operator(pg_catalog.=) %L)))',
                          v_sig.oid, v_sig.xmin, v_sig.ctid, v_sig.prolang, v_sig.src_md5));
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;

create or replace function pgq._regen_insert_dispatch()
returns integer as $$
-- (Re)generates the producer functions insert_event (3 and 7 args) and
-- insert_event_raw from pgq.queue.  Object names are derived from queue_id
-- only (never from queue_data_pfx or queue_event_seq, which pgq_admin may
-- rewrite); queue names enter the code only as quoted NOTIFY payloads.
-- CREATE OR REPLACE keeps owner and grants.
-- Returns the number of queues in the generated trees.
declare
    v_ids   int4[];
    v_nt    int4[];
    v_ntf   text[];
begin
    -- the same lock as queue DDL: no queue appears or goes while we read them
    perform pgq._lock_queue_ddl();

    -- Every session compiles the whole generated function on its first call,
    -- and create_queue regenerates it: both grow with the tree. Past the
    -- first 128 queues (by id) the dynamic path is cheaper overall.
    select coalesce(array_agg(queue_id order by queue_id), '{}'),
           coalesce(array_agg(queue_ntables order by queue_id), '{}'),
           coalesce(array_agg(case when queue_ticker_notify then queue_name end
                              order by queue_id), '{}')
      into v_ids, v_nt, v_ntf
      from (select queue_id, queue_ntables, queue_name, queue_ticker_notify
              from pgq.queue
             where queue_ntables between 1 and 1000
             order by queue_id
             limit 128) q;

    -- insert_event(3) and insert_event(7): security definer, the producer hot path
    perform pgq._gen_insert_function(v_ids, v_nt, v_ntf,
        'pgq.insert_event(queue_name text, ev_type text, ev_data text)',
        'security definer set search_path = pg_catalog, pg_temp',
        'v_id', 'pg_catalog.now(), null, null, $2, $3, null, null, null, null',
        'v_id, pg_catalog.now(), null, null, $2, $3, null, null, null, null');
    perform pgq._gen_insert_function(v_ids, v_nt, v_ntf,
        'pgq.insert_event(queue_name text, ev_type text, ev_data text, ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)',
        'security definer set search_path = pg_catalog, pg_temp',
        'v_id', 'pg_catalog.now(), null, null, $2, $3, $4, $5, $6, $7',
        'v_id, pg_catalog.now(), null, null, $2, $3, $4, $5, $6, $7');

    perform pgq._gen_insert_event_sig();

    -- insert_event_raw: not security definer (pgq_admin only)
    perform pgq._gen_insert_function(v_ids, v_nt, v_ntf,
        'pgq.insert_event_raw(queue_name text, ev_id bigint, ev_time timestamptz, ev_owner integer, ev_retry integer, ev_type text, ev_data text, ev_extra1 text, ev_extra2 text, ev_extra3 text, ev_extra4 text)',
        'set search_path = pg_catalog, pg_temp',
        'coalesce($2, v_id)', 'coalesce($3, pg_catalog.now()), $4, $5, $6, $7, $8, $9, $10, $11',
        'coalesce($2, v_id), coalesce($3, pg_catalog.now()), $4, $5, $6, $7, $8, $9, $10, $11');

    return coalesce(pg_catalog.array_length(v_ids, 1), 0);
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;

-- Create the producer functions (generated; regenerated by create_queue,
-- drop_queue and on every install/upgrade).
select pgq._regen_insert_dispatch();


create or replace function pgq.current_event_table(x_queue_name text)
returns text as $$
-- The event table producers write to now, for COPY (bulk loads).  Rotation
-- may switch tables once this transaction ends, so use the name only in it.
-- Refused while inserts into the queue are disabled, except to replicas.
declare
    table_name  text;
    refused     boolean;
begin
    select 'pgq.event_' || queue_id || '_' || queue_cur_table,
           queue_disable_insert and pg_catalog.current_setting('session_replication_role') <> 'replica'
      into table_name, refused
      from pgq.queue
     where queue_name = x_queue_name;
    if not found then
        raise exception 'Event queue not found';
    end if;
    if refused then
        raise exception 'Writing to queue disabled';
    end if;
    return table_name;
end;
$$ language plpgsql stable set search_path = pg_catalog, pg_temp;
