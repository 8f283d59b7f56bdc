-- Maintenance: maint_operations, maint_rotate_tables_step1/2,
-- maint_retry_events, maint_tables_to_vacuum.  Called by the ticker daemon.

create or replace function pgq.maint_retry_events()
returns integer as $$
-- Moves at most 10 due events from the retry queue back into their queues
-- (keeping ev_id, ev_time, ev_owner, ev_retry).  The caller loops until 0.
declare
    cnt     integer;
    rec     record;
begin
    cnt := 0;

    -- allow only single event mover at a time, without affecting inserts
    lock table pgq.retry_queue in share update exclusive mode;

    for rec in
        select q.queue_name,
               r.ev_id, r.ev_time, r.ev_owner, r.ev_retry, r.ev_type, r.ev_data,
               r.ev_extra1, r.ev_extra2, r.ev_extra3, r.ev_extra4
          from pgq.retry_queue r, pgq.queue q
         where r.ev_retry_after <= pg_catalog.now()
           and q.queue_id = r.ev_queue
         order by r.ev_retry_after
         limit 10
    loop
        cnt := cnt + 1;
        perform pgq.insert_event_raw(rec.queue_name,
                    rec.ev_id, rec.ev_time, rec.ev_owner, rec.ev_retry,
                    rec.ev_type, rec.ev_data, rec.ev_extra1, rec.ev_extra2,
                    rec.ev_extra3, rec.ev_extra4);
        delete from pgq.retry_queue
         where ev_owner = rec.ev_owner
           and ev_id = rec.ev_id;
    end loop;
    return cnt;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.maint_rotate_tables_step1(i_queue_name text)
returns integer as $$
-- Step 1 of rotation: if the queue is due and no consumer still needs the
-- previous table, truncate the next table and make it current.  Skips
-- quietly when the table is locked.  Always returns 0 (do not repeat).
declare
    badcnt          integer;
    cf              record;
    nr              integer;
    tbl             text;
    lowest_tick_id  int8;
    lowest_xmin     int8;
begin
    -- check if needed and load record
    select * from pgq.queue into cf
     where queue_name = i_queue_name
       and queue_rotation_period is not null
       and queue_switch_step2 is not null
       and queue_switch_time + queue_rotation_period < pg_catalog.now()
       for update;
    if not found then
        return 0;
    end if;

    -- if DB is in invalid state, stop
    if pg_catalog.txid_current() < cf.queue_switch_step1 then
        raise exception 'queue % maint failure: step1=%, current=%',
                i_queue_name, cf.queue_switch_step1, pg_catalog.txid_current();
    end if;

    -- find lowest tick for that queue
    select min(sub_last_tick) into lowest_tick_id
      from pgq.subscription
     where sub_queue = cf.queue_id;

    -- if some consumer exists
    if lowest_tick_id is not null then
        -- is the slowest one still on previous table?
        select pg_catalog.txid_snapshot_xmin(tick_snapshot) into lowest_xmin
          from pgq.tick
         where tick_queue = cf.queue_id
           and tick_id = lowest_tick_id;
        if not found then
            raise exception 'queue % maint failure: tick % not found', i_queue_name, lowest_tick_id;
        end if;
        if lowest_xmin <= cf.queue_switch_step2 then
            return 0; -- skip rotation then
        end if;
    end if;

    -- nobody on previous table, we can rotate
    nr := cf.queue_cur_table + 1;
    if nr = cf.queue_ntables then
        nr := 0;
    end if;
    tbl := pgq.quote_fqname(cf.queue_data_pfx || '_' || nr::text);

    -- there may be long lock on the table from pg_dump,
    -- detect it and skip rotate then
    begin
        execute 'lock table ' || tbl || ' nowait';
        execute 'truncate ' || tbl;
    exception
        when lock_not_available then
            -- cannot truncate, skipping rotate
            return 0;
    end;

    -- remember the moment
    update pgq.queue
       set queue_cur_table = nr,
           queue_switch_time = pg_catalog.now(),
           queue_switch_step1 = pg_catalog.txid_current(),
           queue_switch_step2 = null
     where queue_id = cf.queue_id;

    -- Clean ticks older than the previous switch.  This keeps roughly one
    -- extra rotation period of ticks so consumers can be moved back.
    delete from pgq.tick
     where tick_queue = cf.queue_id
       and pg_catalog.txid_snapshot_xmin(tick_snapshot) < cf.queue_switch_step2;

    return 0;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.maint_rotate_tables_step2()
returns integer as $$
-- Step 2 of rotation: records a txid taken after step 1 committed.
-- Must run in a separate transaction after step 1.  Returns 0.
begin
    update pgq.queue
       set queue_switch_step2 = pg_catalog.txid_current()
     where queue_switch_step2 is null;
    return 0;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.maint_tables_to_vacuum()
returns setof text as $$
-- Tables that need regular vacuuming; empty when autovacuum is on.
declare
    scm     text;
    tbl     text;
    fqname  text;
begin
    -- assume autovacuum handles them fine
    if pg_catalog.current_setting('autovacuum') = 'on' then
        return;
    end if;

    for scm, tbl in values
        ('pgq', 'subscription'),
        ('pgq', 'consumer'),
        ('pgq', 'queue'),
        ('pgq', 'tick'),
        ('pgq', 'retry_queue'),
        ('pgq_ext', 'completed_tick'),
        ('pgq_ext', 'completed_batch'),
        ('pgq_ext', 'completed_event'),
        ('pgq_ext', 'partial_batch'),
        ('pgq_node', 'local_state'),
        ('londiste', 'seq_info'),
        ('txid', 'epoch'),
        ('londiste', 'completed')
    loop
        fqname := pg_catalog.quote_ident(scm) || '.' || pg_catalog.quote_ident(tbl);
        if pg_catalog.to_regclass(fqname) is not null then
            return next scm || '.' || tbl;
        end if;
    end loop;
    return;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;


create or replace function pgq.maint_operations(out func_name text, out func_arg text)
returns setof record as $$
-- Maintenance operations for the daemon, in order: rotation step1 per due
-- queue, step2, queue_extra_maint functions, vacuum entries, pgq_node and
-- londiste hooks (when installed).  Each function returns 1 to be called
-- again immediately, 0 otherwise.
declare
    ops     text[];
    nrot    int4;
    rec     record;
    tbl     text;
begin
    -- rotation step 1
    nrot := 0;
    for rec in
        select queue_name from pgq.queue
         where queue_rotation_period is not null
           and queue_switch_step2 is not null
           and queue_switch_time + queue_rotation_period < pg_catalog.now()
         order by 1
    loop
        nrot := nrot + 1;
        func_name := 'pgq.maint_rotate_tables_step1';
        func_arg := rec.queue_name;
        return next;
    end loop;

    -- rotation step 2
    if nrot = 0 then
        perform 1 from pgq.queue where queue_switch_step2 is null limit 1;
        if found then
            nrot := 1;
        end if;
    end if;
    if nrot > 0 then
        func_name := 'pgq.maint_rotate_tables_step2';
        func_arg := null;
        return next;
    end if;

    -- queue-specific extra maintenance
    for rec in
        select queue_name, queue_extra_maint from pgq.queue
         where queue_extra_maint is not null
         order by 1
    loop
        for i in array_lower(rec.queue_extra_maint, 1) .. array_upper(rec.queue_extra_maint, 1) loop
            func_name := rec.queue_extra_maint[i];
            func_arg := rec.queue_name;
            return next;
        end loop;
    end loop;

    -- vacuum tables
    for tbl in select t from pgq.maint_tables_to_vacuum() t loop
        func_name := 'vacuum';
        func_arg := tbl;
        return next;
    end loop;

    -- pgq_node and londiste hooks, only when those schemas are installed
    if pg_catalog.to_regprocedure('pgq_node.maint_watermark(text)') is not null
       and pg_catalog.to_regclass('pgq_node.node_info') is not null then
        for rec in execute
            'select queue_name from pgq_node.node_info where node_type = ''root'' order by 1'
        loop
            func_name := 'pgq_node.maint_watermark';
            func_arg := rec.queue_name;
            return next;
        end loop;
    end if;
    if pg_catalog.to_regprocedure('londiste.root_check_seqs(text)') is not null
       and pg_catalog.to_regclass('pgq_node.node_info') is not null
       and pg_catalog.to_regclass('londiste.seq_info') is not null then
        for rec in execute
            'select distinct n.queue_name from pgq_node.node_info n join londiste.seq_info s'
            || ' on (s.queue_name = n.queue_name) where n.node_type = ''root'' and s.local order by 1'
        loop
            func_name := 'londiste.root_check_seqs';
            func_arg := rec.queue_name;
            return next;
        end loop;
    end if;
    if pg_catalog.to_regprocedure('londiste.periodic_maintenance()') is not null then
        func_name := 'londiste.periodic_maintenance';
        func_arg := null;
        return next;
    end if;

    return;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;
