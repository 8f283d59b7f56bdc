-- Consumer registration: register_consumer, register_consumer_at,
-- unregister_consumer.
--
-- A consumer is a row in pgq.consumer (a name shared by all queues) plus
-- one pgq.subscription row per queue it reads.  pgq_coop subconsumers
-- ("main.sub") have rows of their own but share the main consumer's sub_id,
-- and with it its retry events.

create or replace function pgq.register_consumer_at(
    x_queue_name text,
    x_consumer_name text,
    x_tick_pos bigint)
returns integer as $$
-- Subscribes a consumer to a queue, starting after tick x_tick_pos (NULL:
-- the queue's latest tick).  An existing subscription is moved to
-- x_tick_pos, dropping its open batch, or left alone when x_tick_pos is
-- NULL.  Returns 1 for a new subscription, 0 for an existing one.
declare
    queue_id     int4;
    consumer_id  int4;
    start_tick   int8;
begin
    -- The checks run in PgQ's order, so the same bad call fails with the
    -- same error: queue, consumer name, requested tick.
    queue_id := (pgq._find_queue(x_queue_name, 'Event queue not created yet')).queue_id;
    consumer_id := pgq._lock_consumer(x_consumer_name, true);
    if x_tick_pos is not null
       and not exists (select from pgq.tick t
                        where t.tick_queue = queue_id and t.tick_id = x_tick_pos)
    then
        raise exception 'cannot reposition, tick not found: %', x_tick_pos;
    end if;

    if exists (select from pgq.subscription s
                where s.sub_queue = queue_id and s.sub_consumer = consumer_id)
    then
        if x_tick_pos is not null then
            -- A rewind or skip: the open batch (if any) was cut from the old
            -- position, so the consumer must ask for a new one.
            update pgq.subscription s
               set sub_last_tick = x_tick_pos,
                   sub_next_tick = null,
                   sub_batch = null,
                   sub_active = pg_catalog.now()
             where s.sub_queue = queue_id and s.sub_consumer = consumer_id;
        end if;
        return 0;
    end if;

    start_tick := coalesce(x_tick_pos,
                           (select max(t.tick_id) from pgq.tick t
                             where t.tick_queue = queue_id));
    if start_tick is null then
        raise exception 'No ticks for this queue.  Please run ticker on database.';
    end if;
    insert into pgq.subscription (sub_queue, sub_consumer, sub_last_tick)
    values (queue_id, consumer_id, start_tick);
    return 1;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.register_consumer(
    x_queue_name text,
    x_consumer_id text)
returns integer as $$
-- Subscribes a consumer at the latest tick.  Returns 1 if new, 0 if already
-- registered (then nothing changes).
begin
    return pgq.register_consumer_at(x_queue_name, x_consumer_id, NULL);
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;


create or replace function pgq.unregister_consumer(
    x_queue_name text,
    x_consumer_name text)
returns integer as $$
-- Ends a consumer's subscription to a queue and returns how many
-- subscription rows went (0: it was not subscribed).  A pgq_coop
-- subconsumer leaves only its own row.  Anything else takes along every row
-- sharing its sub_id (a main consumer's subconsumers) and their retry
-- events; its pgq.consumer row goes too once no queue uses it.
declare
    consumer_id  int4;
    target       pgq.subscription;
    rows_removed int4;
begin
    consumer_id := pgq._lock_consumer(x_consumer_name, false);
    target := pgq._find_subscription(x_queue_name, x_consumer_name);
    if consumer_id is null or target.sub_id is null then
        return 0;
    end if;

    -- How pgq_coop tells the rows of a group apart: a subconsumer holds
    -- either no batch (both ticks NULL) or a whole one (both set), while
    -- the main consumer only keeps its position (sub_last_tick alone).
    if (target.sub_last_tick is null) = (target.sub_next_tick is null)
       and exists (select from pgq.subscription s
                    where s.sub_id = target.sub_id
                      and s.sub_consumer <> consumer_id)
    then
        delete from pgq.subscription s
         where s.sub_queue = target.sub_queue and s.sub_consumer = consumer_id;
        return 1;
    end if;

    delete from pgq.retry_queue r where r.ev_owner = target.sub_id;
    delete from pgq.subscription s where s.sub_id = target.sub_id;
    get diagnostics rows_removed = row_count;

    delete from pgq.consumer c
     where c.co_id = consumer_id
       and not exists (select from pgq.subscription s where s.sub_consumer = consumer_id);
    return rows_removed;
end;
$$ language plpgsql security definer set search_path = pg_catalog, pg_temp;
