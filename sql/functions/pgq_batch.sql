-- Batch API: the consumer's side of a queue.
--
-- Consumers call these with their own search_path, on which an attacker may
-- have planted look-alike functions, operators and types. Functions that
-- compute run pinned to pg_catalog; the thin ones that only pass calls on
-- (next_batch, next_batch_info, get_batch_events, get_batch_cursor) name
-- nothing a planted object could match and skip the pin's cost on every
-- poll. The SQL of batch_event_sql qualifies its operators, so it means the
-- same under any path.
--
--   next_batch / next_batch_info / next_batch_custom   open (or re-read) a batch
--   find_tick_helper                                   pick the end tick when batches are collected
--   batch_event_tables / batch_event_sql               where a batch's events are, and the query for them
--   get_batch_events / get_batch_cursor                read them
--   finish_batch                                       move the consumer past them
--
-- A consumer stands on a tick (sub_last_tick).  Opening a batch picks a later
-- tick (sub_next_tick) and names the span between the two (sub_batch).  The
-- events of the span are those written by transactions that the later tick's
-- snapshot sees as finished and the earlier one does not; an event with an
-- ev_owner (a retried event) belongs to that subscription only.


create or replace function pgq.find_tick_helper(
    in i_queue_id int4,
    in i_prev_tick_id int8,
    in i_prev_tick_time timestamptz,
    in i_prev_tick_seq int8,
    in i_min_count int8,
    in i_min_interval interval,
    out next_tick_id int8,
    out next_tick_time timestamptz,
    out next_tick_seq int8)
as $$
-- The end tick for a batch that starts at tick i_prev_tick_id and should
-- hold at least i_min_count events or span at least i_min_interval (either
-- is enough; a NULL threshold never is).  All NULL while no tick is that far.
--
-- The newest tick decides.  Normally it is the answer if it reaches a
-- threshold, and if it does not, no tick does (ticks only move forward).
-- But when it lies beyond a threshold by more than the threshold itself, a
-- batch up to it would be too big: then the answer is the earliest tick
-- that reaches a threshold.
declare
    newest      record;
    seq_gap     int8;       -- events from the previous tick to the newest
    time_gap    interval;   -- time from the previous tick to the newest
    reached     boolean;
    too_far     boolean;
begin
    select t.tick_id, t.tick_time, t.tick_event_seq
      into newest
      from pgq.tick t
     where t.tick_queue = i_queue_id
       and t.tick_id > i_prev_tick_id
     order by t.tick_id desc
     limit 1;
    if not found then
        return;
    end if;

    seq_gap := newest.tick_event_seq - i_prev_tick_seq;
    time_gap := newest.tick_time - i_prev_tick_time;
    reached := coalesce(seq_gap >= i_min_count, false)
               or coalesce(time_gap >= i_min_interval, false);
    too_far := coalesce(seq_gap - i_min_count > i_min_count, false)
               or coalesce(time_gap - i_min_interval > i_min_interval, false);

    if not too_far then
        if reached then
            next_tick_id := newest.tick_id;
            next_tick_time := newest.tick_time;
            next_tick_seq := newest.tick_event_seq;
        end if;
        return;
    end if;

    select t.tick_id, t.tick_time, t.tick_event_seq
      into next_tick_id, next_tick_time, next_tick_seq
      from pgq.tick t
     where t.tick_queue = i_queue_id
       and t.tick_id > i_prev_tick_id
       and (t.tick_event_seq - i_prev_tick_seq >= i_min_count
            or t.tick_time - i_prev_tick_time >= i_min_interval)
     order by t.tick_id
     limit 1;
end;
$$ language plpgsql stable set search_path = pg_catalog, pg_temp;


create or replace function pgq.next_batch_custom(
    in i_queue_name text,
    in i_consumer_name text,
    in i_min_lag interval,
    in i_min_count int4,
    in i_min_interval interval,
    out batch_id int8,
    out cur_tick_id int8,
    out prev_tick_id int8,
    out cur_tick_time timestamptz,
    out prev_tick_time timestamptz,
    out cur_tick_event_seq int8,
    out prev_tick_event_seq int8)
as $$
-- Opens the consumer's next batch, or describes the open one again (so a
-- consumer that crashed before finish_batch gets the same batch back).
--   i_min_lag       leave ticks younger than this for later
--   i_min_count     collect ticks until the batch holds this many events,
--   i_min_interval  or spans this much time (see find_tick_helper)
-- One row of NULLs when there is nothing to open yet.
declare
    sub         record;     -- the consumer's subscription, locked
    start_tick  record;     -- where the consumer stands (sub_last_tick)
    end_tick    record;     -- where the batch ends (sub_next_tick)
begin
    -- Lock the subscription before reading any tick.  A concurrent
    -- next_batch or finish_batch of the same consumer makes us wait here,
    -- and afterwards we must see its result: the lock re-reads only the
    -- subscription row, so ticks read in the same statement would belong to
    -- the row as it was before the wait.
    select s.sub_queue, s.sub_consumer, s.sub_last_tick, s.sub_next_tick, s.sub_batch
      into sub
      from pgq.subscription s
     where s.sub_queue = (select q.queue_id from pgq.queue q
                           where q.queue_name = i_queue_name)
       and s.sub_consumer = (select c.co_id from pgq.consumer c
                              where c.co_name = i_consumer_name)
       for update;
    if not found then
        raise exception 'Not subscriber to queue: %/%',
            coalesce(i_queue_name, 'NULL'), coalesce(i_consumer_name, 'NULL');
    end if;

    select t.tick_id, t.tick_time, t.tick_event_seq
      into start_tick
      from pgq.tick t
     where t.tick_queue = sub.sub_queue
       and t.tick_id = sub.sub_last_tick;
    if not found then
        raise exception 'PgQ corruption: Consumer %/% does not see tick %',
            i_queue_name, i_consumer_name, coalesce(sub.sub_last_tick::text, 'NULL');
    end if;

    if sub.sub_batch is not null then
        -- (Only in this branch: on an idle poll sub_next_tick is NULL and a
        -- NULL parameter would get this statement planned on every call.)
        select t.tick_id, t.tick_time, t.tick_event_seq
          into end_tick
          from pgq.tick t
         where t.tick_queue = sub.sub_queue
           and t.tick_id = sub.sub_next_tick;
        if not found then
            raise exception 'PgQ corruption: Consumer %/% does not see tick %',
                i_queue_name, i_consumer_name, coalesce(sub.sub_next_tick::text, 'NULL');
        end if;
        batch_id := sub.sub_batch;
    else
        if i_min_count is null and i_min_interval is null then
            select t.tick_id, t.tick_time, t.tick_event_seq
              into end_tick
              from pgq.tick t
             where t.tick_queue = sub.sub_queue
               and t.tick_id > start_tick.tick_id
             order by t.tick_id
             limit 1;
        else
            select f.next_tick_id as tick_id, f.next_tick_time as tick_time,
                   f.next_tick_seq as tick_event_seq
              into end_tick
              from pgq.find_tick_helper(sub.sub_queue, start_tick.tick_id,
                                        start_tick.tick_time, start_tick.tick_event_seq,
                                        i_min_count, i_min_interval) f;
        end if;

        if end_tick.tick_id is null
           or pg_catalog.now() - end_tick.tick_time < i_min_lag then
            return;     -- every OUT column is still NULL
        end if;

        update pgq.subscription
           set sub_batch = pg_catalog.nextval('pgq.batch_id_seq'),
               sub_next_tick = end_tick.tick_id,
               sub_active = pg_catalog.now()
         where sub_queue = sub.sub_queue
           and sub_consumer = sub.sub_consumer
        returning sub_batch into batch_id;
    end if;

    prev_tick_id := start_tick.tick_id;
    prev_tick_time := start_tick.tick_time;
    prev_tick_event_seq := start_tick.tick_event_seq;
    cur_tick_id := end_tick.tick_id;
    cur_tick_time := end_tick.tick_time;
    cur_tick_event_seq := end_tick.tick_event_seq;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.next_batch_info(
    in i_queue_name text,
    in i_consumer_name text,
    out batch_id int8,
    out cur_tick_id int8,
    out prev_tick_id int8,
    out cur_tick_time timestamptz,
    out prev_tick_time timestamptz,
    out cur_tick_event_seq int8,
    out prev_tick_event_seq int8)
as $$
-- next_batch_custom with no lag, count or interval wishes.
begin
    select * into batch_id, cur_tick_id, prev_tick_id, cur_tick_time,
                  prev_tick_time, cur_tick_event_seq, prev_tick_event_seq
      from pgq.next_batch_custom(i_queue_name, i_consumer_name, null, null, null);
end;
$$ language plpgsql;


create or replace function pgq.next_batch(
    in i_queue_name text,
    in i_consumer_name text)
returns int8 as $$
-- The id of the consumer's next (or open) batch, NULL if there is none.
-- Calls next_batch_custom directly: next_batch_info would only add a level.
begin
    return (select b.batch_id
              from pgq.next_batch_custom(i_queue_name, i_consumer_name, null, null, null) b);
end;
$$ language plpgsql;


create or replace function pgq.batch_event_tables(x_batch_id bigint)
returns setof text as $$
-- The event tables that can hold the batch's events, the older one first.
--
-- Rotation step 1 moves producers to the next table and stores its txid in
-- queue_switch_step1; step 2, in a later transaction, stores in
-- queue_switch_step2 a txid from after the move was visible to everyone.
-- A batch that ends before step 1 lies wholly in the previous table, one
-- that begins after step 2 wholly in the current one; any other batch may
-- straddle the switch and reads both.
-- The names come from queue_id, never from queue_data_pfx: pgq_admin may
-- point that column at a view of its own, whose functions would then run
-- as the consumer (often a superuser).
declare
    batch                   record;
    before_switch           boolean;    -- the batch ends before step 1
    after_switch            boolean;    -- the batch begins after step 2
begin
    select pg_catalog.txid_snapshot_xmin(last.tick_snapshot) as begin_txid,
           pg_catalog.txid_snapshot_xmax(cur.tick_snapshot) as end_txid,
           'pgq.event_' || q.queue_id::text as table_prefix, q.queue_ntables, q.queue_cur_table,
           q.queue_switch_step1, q.queue_switch_step2
      into batch
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.tick last on last.tick_queue = s.sub_queue and last.tick_id = s.sub_last_tick
      join pgq.tick cur on cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick
     where s.sub_batch = x_batch_id;
    if not found then
        raise exception 'Cannot find data for batch %', x_batch_id;
    end if;

    before_switch := coalesce(batch.end_txid < batch.queue_switch_step1, false);
    after_switch := not before_switch
                    and coalesce(batch.begin_txid > batch.queue_switch_step2, false);

    if not after_switch then
        return next batch.table_prefix || '_'
            || ((batch.queue_cur_table + batch.queue_ntables - 1) % batch.queue_ntables)::text;
    end if;
    if not before_switch then
        return next batch.table_prefix || '_' || batch.queue_cur_table::text;
    end if;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.batch_event_sql(x_batch_id bigint)
returns text as $$
-- The SELECT for the batch's events (the 10 columns of get_batch_events),
-- ending in ' order by 1' (get_batch_cursor relies on that).  The tick
-- snapshots are written into it as literals, so it stands on its own, and
-- every operator in it is pg_catalog's: whoever runs it (the cursor below,
-- with the caller's search_path; pgq_node; a client) gets our query.
--
-- The batch's transactions, in terms of the two tick snapshots:
--  * those that got their txid at or after the last tick's xmax and that
--    the current tick sees as finished: a range scan on the ev_txid index;
--  * "late" ones: still running at the last tick (its xip list), finished
--    by the current one.  Those less than 100 txids below the range are
--    cheaper to catch by starting the range lower (it must then also skip
--    what the last tick saw); the others are looked up by value.
declare
    batch           record;
    range_start     int8;       -- first txid of the range scan
    late_txids      text;       -- late txids looked up by value (comma list), or NULL
    event_columns   text;
    range_filter    text;
    owner_filter    text;
    tbl             text;
    branches        text[] := '{}';
begin
    select s.sub_id,
           last.tick_snapshot as last_snapshot,
           cur.tick_snapshot as cur_snapshot,
           pg_catalog.txid_snapshot_xmax(last.tick_snapshot) as last_xmax,
           pg_catalog.txid_snapshot_xmax(cur.tick_snapshot) as cur_xmax
      into batch
      from pgq.subscription s
      join pgq.tick last on last.tick_queue = s.sub_queue and last.tick_id = s.sub_last_tick
      join pgq.tick cur on cur.tick_queue = s.sub_queue and cur.tick_id = s.sub_next_tick
     where s.sub_batch = x_batch_id;
    if not found then
        raise exception 'batch not found';
    end if;

    select least(batch.last_xmax, pg_catalog.min(late) filter (where late >= batch.last_xmax - 100)),
           pg_catalog.string_agg(late::text, ',' order by late) filter (where late < batch.last_xmax - 100)
      into range_start, late_txids
      from pg_catalog.txid_snapshot_xip(batch.last_snapshot) late
     where pg_catalog.txid_visible_in_snapshot(late, batch.cur_snapshot);

    event_columns := 'ev.ev_id, ev.ev_time, ev.ev_txid, ev.ev_retry, ev.ev_type, ev.ev_data,'
        || ' ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4';
    owner_filter := pg_catalog.format(
        '(ev.ev_owner is null or ev.ev_owner operator(pg_catalog.=) %s)', batch.sub_id);
    range_filter := pg_catalog.format(
        'ev.ev_txid operator(pg_catalog.>=) %s and ev.ev_txid operator(pg_catalog.<) %s'
        ' and pg_catalog.txid_visible_in_snapshot(ev.ev_txid, %L::pg_catalog.txid_snapshot)',
        range_start, batch.cur_xmax, batch.cur_snapshot);
    if range_start < batch.last_xmax then
        range_filter := range_filter || pg_catalog.format(
            ' and not pg_catalog.txid_visible_in_snapshot(ev.ev_txid, %L::pg_catalog.txid_snapshot)',
            batch.last_snapshot);
    end if;

    for tbl in select pgq.quote_fqname(t) from pgq.batch_event_tables(x_batch_id) t loop
        branches := branches || pg_catalog.format('select %s from %s ev where %s and %s',
                                                  event_columns, tbl, range_filter, owner_filter);
        if late_txids is not null then
            branches := branches || pg_catalog.format(
                'select %s from %s ev where ev.ev_txid operator(pg_catalog.=) any (%L::pg_catalog.int8[]) and %s',
                event_columns, tbl, '{' || late_txids || '}', owner_filter);
        end if;
    end loop;
    return pg_catalog.array_to_string(branches, ' union all ') || ' order by 1';
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.get_batch_events(
    in x_batch_id bigint,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record as $$
-- Every event of the batch, by ev_id.
begin
    return query execute pgq.batch_event_sql(x_batch_id);
end;
$$ language plpgsql;


create or replace function pgq.get_batch_cursor(
    in i_batch_id bigint,
    in i_cursor_name text,
    in i_quick_limit int4,
    in i_extra_where text,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record as $$
-- Opens cursor i_cursor_name over the batch's events, restricted to the
-- caller's SQL condition i_extra_where if given, and returns its first
-- i_quick_limit rows right away: a small batch then needs no FETCH at all.
-- The caller FETCHes the rest and CLOSEs it before the transaction ends.
--
-- Not pinned to a search_path: i_extra_where is the caller's SQL and must
-- mean what it means on the caller's path. Everything of ours is built by
-- _batch_cursor_sql (pinned) and names pg_catalog's operators, so this
-- body has nothing a planted overload could match.
declare
    cursor_sql  record;
begin
    select * into cursor_sql
      from pgq._batch_cursor_sql(i_batch_id, i_cursor_name, i_quick_limit, i_extra_where);
    if cursor_sql.declare_sql is null then
        return;
    end if;
    execute cursor_sql.declare_sql;
    if cursor_sql.fetch_sql is not null then
        return query execute cursor_sql.fetch_sql;
    end if;
end;
$$ language plpgsql;


create or replace function pgq._batch_cursor_sql(
    in i_batch_id bigint,
    in i_cursor_name text,
    in i_quick_limit int4,
    in i_extra_where text,
    out declare_sql text,
    out fetch_sql text)
as $$
-- The statements get_batch_cursor runs: DECLARE of the cursor (NULL when an
-- argument is missing) and the FETCH of its first rows (NULL for none).
declare
    cursor_ref  text := pg_catalog.quote_ident(i_cursor_name);
    events_sql  text;
begin
    if i_batch_id is null or i_cursor_name is null or i_quick_limit is null then
        return;
    end if;
    events_sql := pgq.batch_event_sql(i_batch_id);
    if i_extra_where is not null then
        -- The condition sees the events as one relation (_evs), whatever
        -- branches batch_event_sql made; the ordering moves outside.
        events_sql := 'select * from ('
            || pg_catalog.left(events_sql, -pg_catalog.length(' order by 1'))
            || ') _evs where ' || i_extra_where || ' order by 1';
    end if;
    declare_sql := 'declare ' || cursor_ref || ' no scroll cursor for ' || events_sql;
    if i_quick_limit > 0 then
        fetch_sql := 'fetch ' || i_quick_limit || ' from ' || cursor_ref;
    end if;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.get_batch_cursor(
    in i_batch_id bigint,
    in i_cursor_name text,
    in i_quick_limit int4,
    out ev_id bigint,
    out ev_time timestamptz,
    out ev_txid bigint,
    out ev_retry int4,
    out ev_type text,
    out ev_data text,
    out ev_extra1 text,
    out ev_extra2 text,
    out ev_extra3 text,
    out ev_extra4 text)
returns setof record as $$
-- get_batch_cursor without a filter, at one function level (a call of the
-- 4-argument form would collect the first rows twice). Strict: the DECLARE
-- is never NULL here.
declare
    cursor_sql  record;
begin
    select * into cursor_sql
      from pgq._batch_cursor_sql(i_batch_id, i_cursor_name, i_quick_limit, null);
    execute cursor_sql.declare_sql;
    if cursor_sql.fetch_sql is not null then
        return query execute cursor_sql.fetch_sql;
    end if;
end;
$$ language plpgsql strict;


create or replace function pgq.finish_batch(x_batch_id bigint)
returns integer as $$
-- Closes the batch: the consumer now stands on the batch's end tick, and
-- its events count as consumed.  Returns 1, or warns and returns 0 for an
-- unknown batch.
declare
    closed  integer;
begin
    update pgq.subscription
       set sub_last_tick = sub_next_tick,
           sub_next_tick = null,
           sub_batch = null,
           sub_active = pg_catalog.now()
     where sub_batch = x_batch_id;
    get diagnostics closed = row_count;
    if closed = 0 then
        raise warning 'finish_batch: batch % not found', x_batch_id;
    end if;
    return closed;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
