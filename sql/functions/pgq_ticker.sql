-- Ticker: ticker() for all queues, ticker(queue), external ticker
-- ticker(queue, tick_id, time, event_seq), force_tick(queue).
-- Never run a ticker inside a long transaction: the tick snapshot is the
-- snapshot of the ticking transaction.

create or replace function pgq.ticker(i_queue_name text)
returns bigint as $$
-- Inserts a tick for the queue if needed; returns the new tick id or NULL.
-- A tick is needed when at least queue_ticker_max_count events or
-- queue_ticker_max_lag time have passed.  Idle queue: ticks back off
-- exponentially (never more often than max_lag/2) up to
-- queue_ticker_idle_period.
-- The ticker calls this for every tick: the queue and its last tick are
-- read in one statement.
declare
    res         bigint;
    q           record;
    last2       record;
    new_events  int8;
    lag         interval;
begin
    select queue_id, queue_tick_seq, queue_external_ticker, queue_ticker_paused,
           queue_ticker_max_count, queue_ticker_max_lag, queue_ticker_idle_period,
           -- How many ids the event sequence has handed out. Not seq_getval():
           -- a fresh sequence's last_value reads 1 both before and after its
           -- first nextval(), which would hide a queue's first event.
           coalesce(pg_catalog.pg_sequence_last_value(queue_event_seq::regclass), 0)
               as event_seq,
           pg_catalog.now() as now,
           t.tick_id, t.tick_time, t.tick_event_seq,
           pg_catalog.txid_snapshot_xmin(t.tick_snapshot) as sxmin,
           pg_catalog.txid_snapshot_xmax(t.tick_snapshot) as sxmax
      into q
      from pgq.queue
      left join lateral (select tick_id, tick_time, tick_event_seq, tick_snapshot
                           from pgq.tick
                          where tick_queue = queue_id
                          order by tick_queue desc, tick_id desc
                          limit 1) t on true
     where queue_name = i_queue_name;
    if not found then
        raise exception 'no such queue';
    end if;

    if q.queue_external_ticker then
        raise exception 'This queue has external tick source.';
    end if;

    if q.queue_ticker_paused then
        raise exception 'Ticker has been paused for this queue';
    end if;

    if q.tick_id is not null then
        if q.sxmin > pg_catalog.txid_current() then
            raise exception 'Invalid PgQ state: old xmin=%, old xmax=%, cur txid=%',
                            q.sxmin, q.sxmax, pg_catalog.txid_current();
        end if;

        new_events := q.event_seq - q.tick_event_seq;
        lag := q.now - q.tick_time;

        if new_events < 0 then
            raise warning 'Negative new_events?  old=% cur=%', q.tick_event_seq, q.event_seq;
        end if;
        if q.tick_time > q.now then
            raise warning 'Dubious PgQ state: tick_time in future: %', q.tick_time;
        end if;

        if new_events > 0 then
            if new_events < q.queue_ticker_max_count
               and lag < q.queue_ticker_max_lag
            then
                return null;
            end if;
        else
            -- no new events: exponential back-off while idle
            select tick_time into last2
              from pgq.tick
             where tick_queue = q.queue_id
               and tick_id < q.tick_id
             order by tick_queue desc, tick_id desc
             limit 1;
            if found then
                if lag < q.queue_ticker_max_lag / 2 then
                    return null;
                end if;
                if lag < (q.tick_time - last2.tick_time) * 2
                   and lag < q.queue_ticker_idle_period
                then
                    return null;
                end if;
            end if;
        end if;
    end if;

    insert into pgq.tick (tick_queue, tick_id, tick_event_seq)
        values (q.queue_id, pg_catalog.nextval(pgq.quote_fqname(q.queue_tick_seq)::regclass), q.event_seq)
        returning tick_id into res;
    return res;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.ticker()
returns bigint as $$
-- Ticks every queue that has neither an external ticker nor a paused one,
-- in name order.  Returns the number of queues that got a tick.
declare
    res bigint;
    q record;
begin
    res := 0;
    for q in
        select queue_name from pgq.queue
         where not queue_external_ticker
           and not queue_ticker_paused
         order by queue_name
    loop
        if pgq.ticker(q.queue_name) > 0 then
            res := res + 1;
        end if;
    end loop;
    return res;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.ticker(i_queue_name text, i_tick_id bigint, i_orig_timestamp timestamptz, i_event_seq bigint)
returns bigint as $$
-- External ticker (cascaded branch nodes): inserts a tick with the given id,
-- time and event sequence value, and moves both sequences forward.
declare
    q record;
begin
    select queue_id, queue_tick_seq, queue_event_seq into q
      from pgq.queue
     where queue_name = i_queue_name
       and queue_external_ticker
       and not queue_ticker_paused;
    if not found then
        raise exception 'queue not found or ticker disabled: %', i_queue_name;
    end if;

    insert into pgq.tick (tick_queue, tick_id, tick_time, tick_event_seq)
        values (q.queue_id, i_tick_id, i_orig_timestamp, i_event_seq);

    perform pgq.seq_setval(q.queue_tick_seq, i_tick_id);
    perform pgq.seq_setval(q.queue_event_seq, i_event_seq);

    return i_tick_id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.force_tick(i_queue_name text)
returns bigint as $$
-- Makes the next ticker() call tick this queue by bumping the event
-- sequence past queue_ticker_max_count.  Does not tick itself: returns the
-- current last tick id; callers loop until it changes.  No bump for
-- external or paused queues.  NULL for an unknown queue.
declare
    q       record;
    t       record;
    v_seq   int8;
begin
    -- bump seq and get queue id
    select queue_id, queue_event_seq, queue_ticker_max_count,
           queue_external_ticker, queue_ticker_paused
      into q
      from pgq.queue where queue_name = i_queue_name;
    if not found then
        return null;
    end if;

    if not q.queue_external_ticker and not q.queue_ticker_paused then
        v_seq := pg_catalog.nextval(pgq.quote_fqname(q.queue_event_seq)::regclass);
        perform pg_catalog.setval(pgq.quote_fqname(q.queue_event_seq)::regclass,
                                  v_seq + q.queue_ticker_max_count * 2 + 1000);
    end if;

    -- return last tick id
    select tick_id into t
      from pgq.tick
     where tick_queue = q.queue_id
     order by tick_queue desc, tick_id desc
     limit 1;

    return t.tick_id;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
