-- Maintenance, driven by the ticker daemon: maint_operations lists the work,
-- maint_rotate_tables_step1/2 rotate event tables, maint_retry_events moves
-- due retries back into their queues, maint_tables_to_vacuum names tables
-- that need vacuuming when autovacuum does not run.
--
-- None of these is SECURITY DEFINER: they run with the rights of the
-- maintenance role (pgq_admin).
--
-- Rotation
-- --------
-- Each queue writes into one of queue_ntables (3) child tables,
-- queue_cur_table.  Once queue_rotation_period has passed, step1 makes the
-- next table (the oldest one) current and TRUNCATEs it first, which is far
-- cheaper than deleting consumed events.  That is only safe when no
-- consumer can still need the rows it held, so step1 waits until every
-- consumer's position (the snapshot of its last tick) is past the previous
-- switch.  "Past the switch" is measured with queue_switch_step2, a txid
-- that step2 records in a transaction started after step1 committed:
-- every transaction that could still write into an older table has a
-- smaller txid.  Until step2 has run (queue_switch_step2 IS NULL) the
-- queue cannot rotate again, and batch_event_tables() reads both the
-- previous and the current table.


create or replace function pgq.maint_retry_events()
returns integer as $$
-- Moves up to 10 due events from pgq.retry_queue back into their queues
-- and returns how many; the daemon calls it until it returns 0.  Small
-- rounds keep each transaction (and the retry_queue lock) short.
declare
    moved integer;
begin
    -- One mover at a time.  The statement below takes its snapshot once the
    -- lock is granted, so a second mover sees what the first one moved and
    -- takes the next rows; without the lock it would pick the same rows,
    -- find them gone and return 0 while events are still due.  The mode
    -- conflicts with itself, VACUUM and DDL, not with the row writes of
    -- event_retry or unregister_consumer.
    lock table pgq.retry_queue in share update exclusive mode;

    -- The events leave retry_queue and re-enter their queue in the same
    -- statement.  insert_event_raw keeps ev_id, ev_time, ev_owner and
    -- ev_retry, so only the owning consumer sees the event again, under its
    -- old id, and it advances the event sequence so the ticker notices.
    with due as (
        select r.ev_owner, r.ev_id
          from pgq.retry_queue r
         where r.ev_retry_after <= pg_catalog.now()
         order by r.ev_retry_after
         limit 10
    ), taken as (
        delete from pgq.retry_queue r
         using due
         where r.ev_owner = due.ev_owner
           and r.ev_id = due.ev_id
        returning r.*
    )
    select count(pgq.insert_event_raw(q.queue_name, t.ev_id, t.ev_time, t.ev_owner,
                                      t.ev_retry, t.ev_type, t.ev_data, t.ev_extra1,
                                      t.ev_extra2, t.ev_extra3, t.ev_extra4))
      into moved
      from taken t
      join pgq.queue q on q.queue_id = t.ev_queue;
    return moved;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.maint_rotate_tables_step1(i_queue_name text)
returns integer as $$
-- Rotation, first half (see the top of this file): when the queue is due
-- and every consumer is past the previous switch, empty the next event
-- table, make it current and forget ticks from before the previous switch.
-- Returns 0 whether or not it rotated: there is never a reason to call it
-- again at once.
declare
    queue_row       pgq.queue;
    slowest_tick    bigint;
    slowest_xmin    bigint;
    next_table      integer;
    next_table_name text;
begin
    -- Lock the row before deciding: a concurrent step1 for the same queue
    -- waits here and then finds it no longer due (step2 is NULL).  The
    -- same predicate picks the queues in maint_operations().
    select * into queue_row
      from pgq.queue q
     where q.queue_name = i_queue_name
       and q.queue_switch_step2 is not null
       and q.queue_switch_time + q.queue_rotation_period < pg_catalog.now()
       for no key update;
    if not found then
        return 0;
    end if;

    -- A txid smaller than the last switch's means the database's txid
    -- counter went backwards (e.g. restored into another cluster): every
    -- visibility decision would be wrong, so refuse loudly.
    if pg_catalog.txid_current() < queue_row.queue_switch_step1 then
        raise exception 'queue % maint failure: step1=%, current=%',
              i_queue_name, queue_row.queue_switch_step1, pg_catalog.txid_current();
    end if;

    -- The slowest consumer decides.  Subscriptions without a position
    -- (pgq_coop subconsumers) sort last and never hold rotation back.
    select s.sub_last_tick, pg_catalog.txid_snapshot_xmin(t.tick_snapshot)
      into slowest_tick, slowest_xmin
      from pgq.subscription s
      left join pgq.tick t on t.tick_queue = s.sub_queue and t.tick_id = s.sub_last_tick
     where s.sub_queue = queue_row.queue_id
     order by s.sub_last_tick
     limit 1;
    if slowest_tick is not null then
        if slowest_xmin is null then
            raise exception 'queue % maint failure: tick % not found', i_queue_name, slowest_tick;
        end if;
        if slowest_xmin <= queue_row.queue_switch_step2 then
            -- that consumer may still read events from before the switch
            return 0;
        end if;
    end if;

    next_table := (queue_row.queue_cur_table + 1) % queue_row.queue_ntables;
    -- Named after queue_id, not queue_data_pfx, which pgq_admin may edit
    -- (see pgq_queue_admin.sql); and since the daemon often runs as a
    -- superuser, TRUNCATE nothing but a pgq event table (a child of a child
    -- of pgq.event_template, as create_queue makes them).
    next_table_name := pgq.quote_fqname('pgq.event_' || queue_row.queue_id::text || '_'
                                        || next_table::text);
    if not exists (select 1
                     from pg_catalog.pg_inherits tbl
                     join pg_catalog.pg_inherits queue_tbl on queue_tbl.inhrelid = tbl.inhparent
                    where tbl.inhrelid = pg_catalog.to_regclass(next_table_name)
                      and queue_tbl.inhparent = 'pgq.event_template'::pg_catalog.regclass) then
        raise exception 'queue % maint failure: % is not an event table of pgq',
              i_queue_name, next_table_name;
    end if;

    -- NOWAIT: if someone holds a lock on the table (typically pg_dump), a
    -- waiting ACCESS EXCLUSIVE request would also block everyone queued
    -- behind it.  Give up quietly and try again next round instead.
    begin
        execute 'lock table ' || next_table_name || ' in access exclusive mode nowait';
        execute 'truncate ' || next_table_name;
    exception
        when lock_not_available then
            return 0;
    end;

    update pgq.queue q
       set queue_cur_table = next_table,
           queue_switch_time = pg_catalog.now(),
           queue_switch_step1 = pg_catalog.txid_current(),
           queue_switch_step2 = null
     where q.queue_id = queue_row.queue_id;

    -- Ticks from before the previous switch point into tables that are gone
    -- or about to go.  Newer ones stay, so consumers can still be moved
    -- back by about one rotation period.
    delete from pgq.tick t
     where t.tick_queue = queue_row.queue_id
       and pg_catalog.txid_snapshot_xmin(t.tick_snapshot) < queue_row.queue_switch_step2;

    return 0;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.maint_rotate_tables_step2()
returns integer as $$
-- Rotation, second half: records, for every queue that step1 switched, a
-- txid of this later transaction.  Skips switches made by this very
-- transaction: its own txid is the step1 txid and would prove nothing.
-- Returns 0.
    update pgq.queue q
       set queue_switch_step2 = pg_catalog.txid_current()
     where q.queue_switch_step2 is null
       and q.queue_switch_step1 < pg_catalog.txid_current();
    select 0;
$$ language sql set search_path = pg_catalog, pg_temp;


create or replace function pgq.maint_tables_to_vacuum()
returns setof text as $$
-- Small tables whose rows churn (pgq's own: ticks, positions, retries; and
-- the bookkeeping tables of pgq_ext, pgq_node, londiste and the old txid
-- module where they exist), for the daemon to VACUUM when autovacuum is
-- off.  With autovacuum on there is nothing to add.
    select known.tbl
      from pg_catalog.unnest(array[
               'pgq.subscription', 'pgq.consumer', 'pgq.queue', 'pgq.tick',
               'pgq.retry_queue',
               'pgq_ext.completed_tick', 'pgq_ext.completed_batch',
               'pgq_ext.completed_event', 'pgq_ext.partial_batch',
               'pgq_node.local_state', 'londiste.seq_info', 'txid.epoch',
               'londiste.completed'])
           with ordinality as known(tbl, pos)
     where not pg_catalog.current_setting('autovacuum')::boolean
       and pg_catalog.to_regclass(known.tbl) is not null
     order by known.pos;
$$ language sql stable set search_path = pg_catalog, pg_temp;


create or replace function pgq.maint_operations(out func_name text, out func_arg text)
returns setof record as $$
-- The daemon's to-do list, in the order it must run: step1 per due queue
-- (by name), step2 (a separate transaction after all step1s), each queue's
-- queue_extra_maint functions (by queue name, then array order), VACUUM
-- entries, then the periodic jobs of pgq_node and londiste when those are
-- installed.  func_arg is the queue name, table name, or NULL.  The daemon
-- calls each function again while it returns non-zero.
begin
    return query
    with rotate as (
        -- the predicate maint_rotate_tables_step1 checks under its row lock
        select q.queue_name
          from pgq.queue q
         where q.queue_switch_step2 is not null
           and q.queue_switch_time + q.queue_rotation_period < pg_catalog.now()
    ), todo as (
        select 1 as stage, r.queue_name as queue_name, 0::bigint as pos,
               'pgq.maint_rotate_tables_step1'::text as fn, r.queue_name as arg
          from rotate r
        union all
        -- also when an earlier round's step2 did not happen (daemon stopped)
        select 2, null, 0, 'pgq.maint_rotate_tables_step2', null
         where exists (select 1 from rotate)
            or exists (select 1 from pgq.queue q where q.queue_switch_step2 is null)
        union all
        select 3, q.queue_name, x.pos, x.fn, q.queue_name
          from pgq.queue q
         cross join lateral pg_catalog.unnest(q.queue_extra_maint) with ordinality as x(fn, pos)
        union all
        select 4, null, v.pos, 'vacuum', v.tbl
          from pgq.maint_tables_to_vacuum() with ordinality as v(tbl, pos)
    )
    select t.fn, t.arg from todo t order by t.stage, t.queue_name, t.pos;

    -- Cascading (pgq_node) and londiste have periodic jobs of their own; the
    -- daemon drives them only where they are installed.  Their objects may
    -- not exist, hence dynamic SQL.
    if pg_catalog.to_regprocedure('pgq_node.maint_watermark(text)') is not null
       and pg_catalog.to_regclass('pgq_node.node_info') is not null then
        -- for every queue whose node here is the root
        return query execute
            'select ''pgq_node.maint_watermark''::text, root.queue_name::text'
            ' from pgq_node.node_info root where root.node_type = ''root'''
            ' order by root.queue_name';
    end if;
    if pg_catalog.to_regprocedure('londiste.root_check_seqs(text)') is not null
       and pg_catalog.to_regclass('pgq_node.node_info') is not null
       and pg_catalog.to_regclass('londiste.seq_info') is not null then
        -- for every root queue that has local sequences
        return query execute
            'select ''londiste.root_check_seqs''::text, root.queue_name::text'
            ' from pgq_node.node_info root'
            ' where root.node_type = ''root'''
            '   and exists (select 1 from londiste.seq_info seq'
            '                where seq.queue_name = root.queue_name and seq.local)'
            ' order by root.queue_name';
    end if;
    -- londiste's housekeeping, once per round
    return query
    select 'londiste.periodic_maintenance'::text, null::text
     where pg_catalog.to_regprocedure('londiste.periodic_maintenance()') is not null;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;
