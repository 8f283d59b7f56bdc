-- Ticker: ticker(queue) ticks one queue when it is due, ticker() every
-- locally ticked queue, ticker(queue, tick_id, time, event_seq) copies a
-- tick from elsewhere (cascaded branch nodes), force_tick(queue) makes the
-- next ticker call tick.
--
-- A tick's snapshot is the snapshot of the transaction that inserts it, so
-- never tick inside a long transaction: consumers would get stale batches.
--
-- Ticks of queues with queue_ticker_notify also NOTIFY the queue's tick
-- channel (pgq.tick_channel(queue), payload the tick id), sent at commit:
-- a consumer that LISTENs there asks for its next batch when there is one,
-- instead of polling.  The channel is named after queue_id, since a queue
-- name may be longer than a channel name can be.


create or replace function pgq.tick_channel(i_queue_name text)
returns text as $$
-- The NOTIFY channel of the queue's ticks (see above); NULL for an unknown
-- queue.  For clients: LISTEN on what this returns (quoted as an identifier).
    select 'pgq_tick_' || q.queue_id::text from pgq.queue q where q.queue_name = i_queue_name
$$ language sql stable set search_path = pg_catalog, pg_temp;


create or replace function pgq.ticker(i_queue_name text)
returns bigint as $$
-- Inserts a tick when the queue is due and returns its id, else NULL.
-- Due is decided from the events handed out since the last tick and the
-- time since then:
--   * events waiting: when queue_ticker_max_count of them piled up, or the
--     last tick is queue_ticker_max_lag old;
--   * idle: back off, each gap twice the one before, but at least half of
--     max_lag and at most queue_ticker_idle_period; with only one tick (or
--     none) there is nothing to back off from yet, so tick.
-- Errors for unknown, externally ticked and paused queues.
-- This is the daemon's hot path: one cached statement reads the queue, its
-- event sequence and its last tick, a second one inserts the tick.
declare
    st              record;     -- the queue, its event sequence, its last tick
    new_events      bigint;
    since_last      interval;
    last_gap        interval;   -- between the last two ticks
    due             boolean;
    new_tick_id     bigint;
begin
    select q.queue_id, q.queue_external_ticker, q.queue_ticker_paused, q.queue_ticker_notify,
           q.queue_ticker_max_count, q.queue_ticker_max_lag, q.queue_ticker_idle_period,
           -- How many ids the event sequence has handed out: last_value of a
           -- fresh sequence reads 1 both before and after its first
           -- nextval(), which would hide a queue's first event, while
           -- pg_sequence_last_value() is NULL until then.
           coalesce(pg_catalog.pg_sequence_last_value(pgq._event_seq(q.queue_id)), 0)
               as events_issued,
           latest.tick_id as last_tick_id, latest.tick_time as last_time,
           latest.tick_event_seq as last_event_seq, latest.tick_snapshot as last_snapshot
      into st
      from pgq.queue q
      left join lateral (
            select t.tick_id, t.tick_time, t.tick_event_seq, t.tick_snapshot
              from pgq.tick t
             where t.tick_queue = q.queue_id
             order by t.tick_queue desc, t.tick_id desc    -- walks tick_pkey backwards
             limit 1) latest on true
     where q.queue_name = i_queue_name;

    if not found then
        raise exception 'no such queue';
    elsif st.queue_external_ticker then
        raise exception 'This queue has external tick source.';
    elsif st.queue_ticker_paused then
        raise exception 'Ticker has been paused for this queue';
    end if;

    if st.last_tick_id is null then
        due := true;
    else
        new_events := st.events_issued - st.last_event_seq;
        since_last := pg_catalog.now() - st.last_time;
        -- Both only look odd: decide as usual, but say so.
        if new_events < 0 then
            raise warning 'Negative new_events?  old=% cur=%', st.last_event_seq, st.events_issued;
        end if;
        if since_last < interval '0' then
            raise warning 'Dubious PgQ state: tick_time in future: %', st.last_time;
        end if;

        if new_events > 0 then
            due := new_events >= st.queue_ticker_max_count
                   or since_last >= st.queue_ticker_max_lag;
        else
            -- Only the idle rule needs the gap before the last tick; most
            -- calls never read it.
            select st.last_time - p.tick_time into last_gap
              from pgq.tick p
             where p.tick_queue = st.queue_id
               and p.tick_id < st.last_tick_id
             order by p.tick_queue desc, p.tick_id desc
             limit 1;
            due := last_gap is null
                   or (since_last >= st.queue_ticker_max_lag / 2
                       and (since_last >= last_gap * 2
                            or since_last >= st.queue_ticker_idle_period));
        end if;
    end if;
    if not due then
        return null;
    end if;

    -- A last tick whose snapshot lies in our future means the txid counter
    -- went backwards (e.g. a restore into another cluster), and a batch cut
    -- from there would be garbage.  Checked only now that a tick is due:
    -- txid_current() assigns a transaction id, which the INSERT below needs
    -- anyway, but a call that declines stays read-only.
    if pg_catalog.txid_snapshot_xmin(st.last_snapshot) > pg_catalog.txid_current() then
        raise exception 'Invalid PgQ state: old xmin=%, old xmax=%, cur txid=%',
              pg_catalog.txid_snapshot_xmin(st.last_snapshot),
              pg_catalog.txid_snapshot_xmax(st.last_snapshot),
              pg_catalog.txid_current();
    end if;

    -- tick_time and tick_snapshot come from the column defaults: now() and
    -- this transaction's snapshot.
    insert into pgq.tick (tick_queue, tick_id, tick_event_seq)
    values (st.queue_id,
            pg_catalog.nextval(pgq._tick_seq(st.queue_id)),
            st.events_issued)
    returning tick_id into new_tick_id;
    if st.queue_ticker_notify then
        perform pg_catalog.pg_notify('pgq_tick_' || st.queue_id::text, new_tick_id::text);
    end if;
    return new_tick_id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.ticker()
returns bigint as $$
-- ticker(queue) for every queue ticked here (not external, not paused), in
-- name order.  Returns how many queues got a tick.  All in one
-- transaction: an error in one queue rolls back the ticks of all.
declare
    ticked bigint;
begin
    -- Sorted in a subquery: the aggregate then calls ticker(q) once per
    -- queue, in name order.
    select count(pgq.ticker(locally_ticked.queue_name))
      into ticked
      from (select q.queue_name
              from pgq.queue q
             where not q.queue_external_ticker
               and not q.queue_ticker_paused
             order by q.queue_name) locally_ticked;
    return ticked;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.ticker(i_queue_name text, i_tick_id bigint, i_orig_timestamp timestamptz, i_event_seq bigint)
returns bigint as $$
-- Tick from an external source (a cascaded branch copies its provider's
-- ticks): the given id, time and event sequence value, with a local
-- snapshot.  Only for queues with queue_external_ticker that are not
-- paused.  Returns i_tick_id.
declare
    target pgq.queue;
begin
    target := pgq._find_queue(i_queue_name);
    if target.queue_id is null
       or not target.queue_external_ticker
       or target.queue_ticker_paused then
        raise exception 'queue not found or ticker disabled: %', i_queue_name;
    end if;

    insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq)
    values (target.queue_id, i_tick_id, i_orig_timestamp, i_event_seq);
    if target.queue_ticker_notify then
        perform pg_catalog.pg_notify('pgq_tick_' || target.queue_id::text, i_tick_id::text);
    end if;

    -- Pull the local sequences up to the source's values (seq_setval never
    -- moves them back): should this node start ticking itself, e.g. after
    -- a promotion, its tick ids and event ids continue the source's.
    perform pgq.seq_setval(pgq._tick_seq(target.queue_id)::text, i_tick_id),
            pgq.seq_setval(pgq._event_seq(target.queue_id)::text, i_event_seq);
    return i_tick_id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.force_tick(i_queue_name text)
returns bigint as $$
-- Makes the next ticker call tick the queue at once, without ticking here:
-- moves the event sequence on by twice queue_ticker_max_count plus 1000,
-- which always counts as enough new events, and returns the queue's
-- current last tick id, for the caller to wait until it changes.  Leaves
-- external and paused queues alone (ticker() would not tick them anyway).
-- NULL for an unknown queue.
declare
    queue_row pgq.queue;
    seq       regclass;
begin
    queue_row := pgq._find_queue(i_queue_name);
    if queue_row.queue_id is null then
        return null;
    end if;

    if not (queue_row.queue_external_ticker or queue_row.queue_ticker_paused) then
        -- The jump is counted from a fresh nextval(), so it lands beyond
        -- every id handed out so far.
        seq := pgq._event_seq(queue_row.queue_id);
        perform pg_catalog.setval(seq, pg_catalog.nextval(seq)
                                       + 2 * queue_row.queue_ticker_max_count + 1000);
    end if;

    -- min/max over the primary key is a single index probe
    return (select max(t.tick_id) from pgq.tick t where t.tick_queue = queue_row.queue_id);
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq._wake_tick(i_queue_names text[], i_event_seqs oid[])
returns table (queue_name text, tick_event_seq bigint) as $$
-- The daemon's wake-up tick: producers of ticker_notify queues asked for a
-- tick, so the only question left is whether their events reached the
-- event sequence.  For each named queue (i_event_seqs holds the oid of its
-- event sequence, as the daemon probes it) a tick is made when the
-- sequence moved past the queue's last tick, with the row pgq.ticker(queue)
-- would write; paused, externally ticked and unknown queues are skipped
-- silently.  Returns the queues ticked and the sequence position recorded,
-- and notifies the tick channels of those with queue_ticker_notify.
--
-- Called for every wake-up, so it is deliberately not SECURITY DEFINER and
-- has no SET search_path (that clause alone costs a few microseconds per
-- call): it runs with the caller's rights, pgq_admin's INSERT on pgq.tick,
-- and names every object, function, operator and type with its schema so
-- the caller's search_path cannot redirect it.
#variable_conflict use_column
declare
    tick record;
begin
    for tick in
    with woken as (
        select q.queue_id, q.queue_name, q.queue_ticker_notify,
               coalesce(pg_catalog.pg_sequence_last_value(w.seq_oid), 0) as events_issued,
               latest.tick_event_seq as last_event_seq,
               latest.tick_snapshot as last_snapshot
          from rows from (pg_catalog.unnest(i_queue_names),
                          pg_catalog.unnest(i_event_seqs)) as w (name, seq_oid)
          join pgq.queue q on q.queue_name operator(pg_catalog.=) w.name
          left join lateral (
                select t.tick_event_seq, t.tick_snapshot
                  from pgq.tick t
                 where t.tick_queue operator(pg_catalog.=) q.queue_id
                 order by t.tick_queue desc, t.tick_id desc
                 limit 1) latest on true
         where not q.queue_external_ticker
           and not q.queue_ticker_paused
    ), made as (
        insert into pgq.tick (tick_queue, tick_id, tick_event_seq)
        select woken.queue_id,
               pg_catalog.nextval(pgq._tick_seq(woken.queue_id)),
               woken.events_issued
          from woken
         where woken.events_issued operator(pg_catalog.>) coalesce(woken.last_event_seq, -1)
           -- A last tick from our future (see pgq.ticker()) gets no
           -- wake-up tick; the daemon's next pgq.ticker() call reports it.
           and coalesce(pg_catalog.txid_snapshot_xmin(woken.last_snapshot)
                        operator(pg_catalog.<=) pg_catalog.txid_current(), true)
        returning tick_queue, tick_id, tick_event_seq
    )
    select woken.queue_id, woken.queue_name, woken.queue_ticker_notify,
           made.tick_id, made.tick_event_seq
      from made
      join woken on woken.queue_id operator(pg_catalog.=) made.tick_queue
    loop
        if tick.queue_ticker_notify then
            perform pg_catalog.pg_notify('pgq_tick_' operator(pg_catalog.||)
                                             tick.queue_id::pg_catalog.text,
                                         tick.tick_id::pg_catalog.text);
        end if;
        queue_name := tick.queue_name;
        tick_event_seq := tick.tick_event_seq;
        return next;
    end loop;
end;
$$ language plpgsql;
