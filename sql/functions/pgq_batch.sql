-- Batch API: next_batch*, find_tick_helper, batch_event_tables,
-- batch_event_sql, get_batch_events, get_batch_cursor, finish_batch.
--
-- A batch of consumer C is the span between two ticks L (sub_last_tick) and
-- N (sub_next_tick).  An event belongs to it iff its ev_txid is visible in
-- N's snapshot and not visible in L's snapshot, and ev_owner is NULL or the
-- consumer's sub_id (retry events are private to their owner).

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
-- Finds the first tick after i_prev_tick_id that is at least i_min_count
-- events or i_min_interval time away.  Fast path: the newest tick is taken
-- when it satisfies a threshold by less than 2x.  NULLs if none qualifies.
declare
    ok      boolean := false;
    t       record;
    cnt     int8;
    ival    interval;
begin
    -- newest tick
    select tick_id, tick_time, tick_event_seq into t
      from pgq.tick
     where tick_queue = i_queue_id
       and tick_id > i_prev_tick_id
     order by tick_queue desc, tick_id desc
     limit 1;
    if not found then
        return;
    end if;

    if i_min_count is not null then
        cnt := t.tick_event_seq - i_prev_tick_seq;
        if cnt >= i_min_count then
            ok := true;
            if cnt < i_min_count * 2 then
                next_tick_id := t.tick_id;
                next_tick_time := t.tick_time;
                next_tick_seq := t.tick_event_seq;
                return;
            end if;
        end if;
    end if;
    if i_min_interval is not null then
        ival := t.tick_time - i_prev_tick_time;
        if ival >= i_min_interval then
            ok := true;
            if ival < i_min_interval * 2 then
                next_tick_id := t.tick_id;
                next_tick_time := t.tick_time;
                next_tick_seq := t.tick_event_seq;
                return;
            end if;
        end if;
    end if;
    if not ok then
        -- the newest tick is the furthest one; nothing can qualify
        return;
    end if;

    -- scan for the first qualifying tick
    select tick_id, tick_time, tick_event_seq
      into next_tick_id, next_tick_time, next_tick_seq
      from pgq.tick
     where tick_queue = i_queue_id
       and tick_id > i_prev_tick_id
       and ((i_min_count is not null and (tick_event_seq - i_prev_tick_seq) >= i_min_count)
            or (i_min_interval is not null and (tick_time - i_prev_tick_time) >= i_min_interval))
     order by tick_queue asc, tick_id asc
     limit 1;
    return;
end;
$$ language plpgsql stable;


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
-- Opens the next batch for a consumer, or returns the open one again.
-- i_min_lag: only ticks at least this old; i_min_count / i_min_interval:
-- merge ticks until that many events / that much time.  One all-NULL row
-- when there is no batch.
declare
    sub         record;
    t1_id       int8;
    t1_time     timestamptz;
    t1_seq      int8;
    t2_id       int8;
    t2_time     timestamptz;
    t2_seq      int8;
    errmsg      text;
begin
    -- Lock the subscription row first and read the ticks afterwards.  When
    -- a concurrent caller (next_batch_custom or finish_batch for the same
    -- consumer) held the row, FOR UPDATE re-checks only the locked row's new
    -- version: tick rows joined in the same statement would be the ones
    -- matching the old sub_last_tick/sub_next_tick, i.e. NULL or stale.
    select s.sub_queue, s.sub_consumer, s.sub_id, s.sub_batch, s.sub_last_tick, s.sub_next_tick
      into sub
      from pgq.queue q
      join pgq.subscription s on (s.sub_queue = q.queue_id)
      join pgq.consumer c on (c.co_id = s.sub_consumer)
     where q.queue_name = i_queue_name
       and c.co_name = i_consumer_name
       for update of s;
    if not found then
        errmsg := 'Not subscriber to queue: '
            || coalesce(i_queue_name, 'NULL')
            || '/'
            || coalesce(i_consumer_name, 'NULL');
        raise exception '%', errmsg;
    end if;

    select t.tick_id, t.tick_time, t.tick_event_seq
      into t1_id, t1_time, t1_seq
      from pgq.tick t
     where t.tick_queue = sub.sub_queue
       and t.tick_id = sub.sub_last_tick;

    -- has the previous tick been dropped?
    if t1_id is null then
        errmsg := 'PgQ corruption: Consumer '
            || i_queue_name || '/' || i_consumer_name
            || ' does not see tick ' || coalesce(sub.sub_last_tick::text, 'NULL');
        raise exception '%', errmsg;
    end if;

    prev_tick_id := t1_id;
    prev_tick_time := t1_time;
    prev_tick_event_seq := t1_seq;

    -- batch already open: return it again
    if sub.sub_batch is not null then
        -- (Only here: with sub_next_tick NULL the planner would plan this
        -- statement afresh on every idle poll.)
        select t.tick_id, t.tick_time, t.tick_event_seq
          into t2_id, t2_time, t2_seq
          from pgq.tick t
         where t.tick_queue = sub.sub_queue
           and t.tick_id = sub.sub_next_tick;
        if t2_id is null then
            raise exception 'PgQ corruption: Consumer %/% does not see tick %',
                i_queue_name, i_consumer_name, coalesce(sub.sub_next_tick::text, 'NULL');
        end if;
        batch_id := sub.sub_batch;
        cur_tick_id := t2_id;
        cur_tick_time := t2_time;
        cur_tick_event_seq := t2_seq;
        return;
    end if;

    -- find next tick
    if i_min_count is null and i_min_interval is null then
        select tick_id, tick_time, tick_event_seq
          into cur_tick_id, cur_tick_time, cur_tick_event_seq
          from pgq.tick
         where tick_queue = sub.sub_queue
           and tick_id > t1_id
         order by tick_queue asc, tick_id asc
         limit 1;
    else
        select h.next_tick_id, h.next_tick_time, h.next_tick_seq
          into cur_tick_id, cur_tick_time, cur_tick_event_seq
          from pgq.find_tick_helper(sub.sub_queue, t1_id, t1_time, t1_seq,
                                    i_min_count, i_min_interval) h;
    end if;

    -- keep a minimal lag behind the ticker, if requested
    if i_min_lag is not null and cur_tick_id is not null
       and pg_catalog.now() - cur_tick_time < i_min_lag then
        cur_tick_id := null;
    end if;

    if cur_tick_id is null then
        -- nothing to do: one row of NULLs
        batch_id := null;
        cur_tick_id := null;
        prev_tick_id := null;
        cur_tick_time := null;
        prev_tick_time := null;
        cur_tick_event_seq := null;
        prev_tick_event_seq := null;
        return;
    end if;

    -- open the batch
    batch_id := pg_catalog.nextval('pgq.batch_id_seq');
    update pgq.subscription
       set sub_batch = batch_id,
           sub_next_tick = cur_tick_id,
           sub_active = pg_catalog.now()
     where sub_queue = sub.sub_queue
       and sub_consumer = sub.sub_consumer;
    return;
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
-- Same as next_batch_custom(queue, consumer, NULL, NULL, NULL).
begin
    select f.batch_id, f.cur_tick_id, f.prev_tick_id,
           f.cur_tick_time, f.prev_tick_time,
           f.cur_tick_event_seq, f.prev_tick_event_seq
      into batch_id, cur_tick_id, prev_tick_id, cur_tick_time, prev_tick_time,
           cur_tick_event_seq, prev_tick_event_seq
      from pgq.next_batch_custom(i_queue_name, i_consumer_name, NULL, NULL, NULL) f;
    return;
end;
$$ language plpgsql;


create or replace function pgq.next_batch(
    in i_queue_name text,
    in i_consumer_name text)
returns int8 as $$
-- Opens (or returns the open) batch; NULL if there is nothing to do.
declare
    res int8;
begin
    select batch_id into res
      from pgq.next_batch_info(i_queue_name, i_consumer_name);
    return res;
end;
$$ language plpgsql;


create or replace function pgq.batch_event_tables(x_batch_id bigint)
returns setof text as $$
-- Event tables that may hold the batch's events: the previous table, the
-- current one, or both (previous first), decided by the rotation txids.
declare
    nr                    integer;
    tbl                   text;
    use_prev              boolean;
    use_next              boolean;
    batch                 record;
begin
    select pg_catalog.txid_snapshot_xmin(last.tick_snapshot) as tx_min, -- absolute minimum
           pg_catalog.txid_snapshot_xmax(cur.tick_snapshot) as tx_max, -- absolute maximum
           q.queue_data_pfx, q.queue_ntables,
           q.queue_cur_table, q.queue_switch_step1, q.queue_switch_step2
      into batch
      from pgq.tick as last,
           pgq.tick as cur,
           pgq.subscription as s,
           pgq.queue as q
     where cur.tick_id = s.sub_next_tick
       and cur.tick_queue = s.sub_queue
       and last.tick_id = s.sub_last_tick
       and last.tick_queue = s.sub_queue
       and s.sub_batch = x_batch_id
       and q.queue_id = s.sub_queue;
    if not found then
        raise exception 'Cannot find data for batch %', x_batch_id;
    end if;

    -- if its definitely not in one or other, look into both
    if batch.tx_max < batch.queue_switch_step1 then
        use_prev := true;
        use_next := false;
    elsif batch.queue_switch_step2 is not null
      and (batch.tx_min > batch.queue_switch_step2)
    then
        use_prev := false;
        use_next := true;
    else
        use_prev := true;
        use_next := true;
    end if;

    if use_prev then
        nr := batch.queue_cur_table - 1;
        if nr < 0 then
            nr := batch.queue_ntables - 1;
        end if;
        tbl := batch.queue_data_pfx || '_' || nr::text;
        return next tbl;
    end if;

    if use_next then
        tbl := batch.queue_data_pfx || '_' || batch.queue_cur_table::text;
        return next tbl;
    end if;

    return;
end;
$$ language plpgsql;


create or replace function pgq.batch_event_sql(x_batch_id bigint)
returns text as $$
-- Builds the SELECT that returns the batch's events ordered by ev_id.
--
-- Range part: ev_txid between xmax(last) and xmax(cur), filtered by snapshot
-- visibility.  Transactions that were still running at the last tick and
-- finished by the current one are added explicitly (IN list), unless they
-- are within 100 of the range start, then the range is extended instead.
declare
    rec             record;
    sql             text;
    tbl             text;
    arr             text;
    part            text;
    select_fields   text;
    retry_expr      text;
    batch           record;
    owner_cond      text;
begin
    select s.sub_last_tick, s.sub_next_tick, s.sub_id, s.sub_queue,
           pg_catalog.txid_snapshot_xmax(last.tick_snapshot) as tx_start,
           pg_catalog.txid_snapshot_xmax(cur.tick_snapshot) as tx_end,
           last.tick_snapshot as last_snapshot,
           cur.tick_snapshot as cur_snapshot
      into batch
      from pgq.subscription s, pgq.tick last, pgq.tick cur
     where s.sub_batch = x_batch_id
       and last.tick_queue = s.sub_queue
       and last.tick_id = s.sub_last_tick
       and cur.tick_queue = s.sub_queue
       and cur.tick_id = s.sub_next_tick;
    if not found then
        raise exception 'batch not found';
    end if;

    -- transactions in progress at the last tick that finished by the
    -- current one
    arr := '';
    for rec in
        select t.xid from (
            select pg_catalog.txid_snapshot_xip(batch.last_snapshot) as xid
            except
            select pg_catalog.txid_snapshot_xip(batch.cur_snapshot)
        ) t
        order by 1 desc
    loop
        if batch.tx_start - 100 <= rec.xid then
            batch.tx_start := rec.xid;
        else
            if arr = '' then
                arr := rec.xid::text;
            else
                arr := arr || ',' || rec.xid::text;
            end if;
        end if;
    end loop;

    select_fields := 'select ev.ev_id, ev.ev_time, ev.ev_txid, ev.ev_retry, ev.ev_type,'
        || ' ev.ev_data, ev.ev_extra1, ev.ev_extra2, ev.ev_extra3, ev.ev_extra4';
    owner_cond := ' and (ev.ev_owner is null or ev.ev_owner = ' || batch.sub_id::text || ')';

    sql := '';
    for rec in select t as tbl from pgq.batch_event_tables(x_batch_id) t loop
        tbl := pgq.quote_fqname(rec.tbl);
        part := select_fields
            || ' from ' || tbl || ' ev'
            || ' where ev.ev_txid >= ' || batch.tx_start::text
            || ' and ev.ev_txid <= ' || batch.tx_end::text
            || ' and pg_catalog.txid_visible_in_snapshot(ev.ev_txid, '
            ||        pg_catalog.quote_literal(batch.cur_snapshot::text) || '::pg_catalog.txid_snapshot)'
            || ' and not pg_catalog.txid_visible_in_snapshot(ev.ev_txid, '
            ||        pg_catalog.quote_literal(batch.last_snapshot::text) || '::pg_catalog.txid_snapshot)'
            || owner_cond;
        if arr <> '' then
            part := part || ' union all ' || select_fields
                || ' from ' || tbl || ' ev'
                || ' where ev.ev_txid in (' || arr || ')'
                || owner_cond;
        end if;
        if sql = '' then
            sql := part;
        else
            sql := sql || ' union all ' || part;
        end if;
    end loop;
    if sql = '' then
        raise exception 'could not construct sql for batch %', x_batch_id;
    end if;
    return sql || ' order by 1';
end;
$$ language plpgsql;


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
-- All events of the batch, ordered by ev_id.
declare
    sql text;
begin
    sql := pgq.batch_event_sql(x_batch_id);
    return query execute sql;
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
-- Declares cursor i_cursor_name over the batch's events (optionally filtered
-- by the SQL condition i_extra_where) and returns its first i_quick_limit
-- rows.  The caller FETCHes the rest and CLOSEs it in the same transaction.
declare
    _cname  text;
    _sql    text;
begin
    if i_batch_id is null or i_cursor_name is null or i_quick_limit is null then
        return;
    end if;

    _cname := pg_catalog.quote_ident(i_cursor_name);
    _sql := pgq.batch_event_sql(i_batch_id);

    -- apply extra where
    if i_extra_where is not null then
        _sql := pg_catalog.regexp_replace(_sql, ' order by 1$', '');
        _sql := 'select * from (' || _sql
            || ') _evs where ' || i_extra_where
            || ' order by 1';
    end if;

    -- create cursor
    execute 'declare ' || _cname || ' no scroll cursor for ' || _sql;

    -- if no events wanted, don't bother with execute
    if i_quick_limit <= 0 then
        return;
    end if;

    -- return first block of events
    return query execute 'fetch ' || i_quick_limit::text || ' from ' || _cname;
end;
$$ language plpgsql;


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
-- Same as the 4-argument form without a filter.  Not a wrapper around it:
-- its rows would be collected twice (once per function level).
declare
    _cname  text;
begin
    _cname := pg_catalog.quote_ident(i_cursor_name);
    execute 'declare ' || _cname || ' no scroll cursor for '
        || pgq.batch_event_sql(i_batch_id);
    if i_quick_limit <= 0 then
        return;
    end if;
    return query execute 'fetch ' || i_quick_limit::text || ' from ' || _cname;
end;
$$ language plpgsql strict;


create or replace function pgq.finish_batch(x_batch_id bigint)
returns integer as $$
-- Closes the batch: the consumer moves on to the batch's end tick.
-- Unknown batch: WARNING and 0.
begin
    update pgq.subscription
       set sub_active = pg_catalog.now(),
           sub_last_tick = sub_next_tick,
           sub_next_tick = null,
           sub_batch = null
     where sub_batch = x_batch_id;
    if not found then
        raise warning 'finish_batch: batch % not found', x_batch_id;
        return 0;
    end if;
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
