-- Utility functions: version, sequences, quoting, schema upgrade, grants
-- helper, and the name lookups the other function files share.

create or replace function pgq.version()
returns text as $$
-- Schema version of pgqadm's pgq.  Must start with '3.' so that pgqd accepts
-- the database (it refuses NULL or versions below 3).
    select '3.5.0'::text;
$$ language sql;

create or replace function pgq._pgqadm_schema_version()
returns text as $$
-- Marker: exists only in pgqadm's own pgq schema.  pgqadm install uses it to
-- tell an upgrade of our schema from a foreign PgQ it must not overwrite.
    select '3.5.0'::text;
$$ language sql;

create or replace function pgq.quote_fqname(i_name text)
returns text as $$
-- Quotes a possibly schema-qualified name: splits at the first dot,
-- default schema public.  One expression of strict functions only, so the
-- planner inlines it into callers such as pgq.ticker() although it is
-- STRICT: "public." is prefixed when there is no dot (substr skips it
-- otherwise), then the name is split at its first dot.
    select pg_catalog.quote_ident(pg_catalog.split_part(
               pg_catalog.substr('public.' operator(pg_catalog.||) $1,
                                 1 operator(pg_catalog.+)
                                 (7 operator(pg_catalog.*)
                                  (pg_catalog.strpos($1, '.') operator(pg_catalog.>) 0)::int4)),
               '.', 1))
        operator(pg_catalog.||) '.' operator(pg_catalog.||)
        pg_catalog.quote_ident(pg_catalog.substr(
               pg_catalog.substr('public.' operator(pg_catalog.||) $1,
                                 1 operator(pg_catalog.+)
                                 (7 operator(pg_catalog.*)
                                  (pg_catalog.strpos($1, '.') operator(pg_catalog.>) 0)::int4)),
               pg_catalog.strpos($1, '.') operator(pg_catalog.+) 1 operator(pg_catalog.+)
                   (7 operator(pg_catalog.*)
                    (pg_catalog.strpos($1, '.') operator(pg_catalog.=) 0)::int4)))
$$ language sql strict immutable;

create or replace function pgq.seq_getval(i_seq_name text)
returns bigint as $$
-- The sequence's last_value, without advancing it; a name without a schema
-- means schema public (pgq.quote_fqname).  Read from the relation itself:
-- pg_sequence_last_value() is NULL until the first nextval(), where PgQ's
-- seq_getval() has always returned the start value.
declare
    seq_last_value int8;
begin
    execute 'select last_value from ' || pgq.quote_fqname(i_seq_name)
       into seq_last_value;
    return seq_last_value;
end;
$$ language plpgsql strict set search_path = pg_catalog, pg_temp;

create or replace function pgq.seq_setval(i_seq_name text, i_new_value int8)
returns bigint as $$
-- Moves the sequence up to i_new_value, never down, and returns the
-- resulting last_value.  Never moving back makes it safe to apply a value
-- copied from another node that this sequence has already passed (the
-- external ticker, londiste).
declare
    current_value int8 := pgq.seq_getval(i_seq_name);
begin
    if i_new_value <= current_value then
        return current_value;
    end if;
    return pg_catalog.setval(pgq.quote_fqname(i_seq_name)::regclass, i_new_value);
end;
$$ language plpgsql strict set search_path = pg_catalog, pg_temp;

create or replace function pgq.upgrade_schema()
returns int4 as $$
-- Brings a pgq schema made by an older PgQ up to the 3.5 layout.  Runs on
-- every install; each step first checks the catalog, so a current schema
-- takes no lock.  Returns 0 whatever it did (as PgQ since 3.3).
begin
    -- NOT NULL before PgQ 3.0; pgq_coop subconsumers that hold no batch
    -- have no last tick.
    if (select a.attnotnull
          from pg_catalog.pg_attribute a
         where a.attrelid = 'pgq.subscription'::regclass
           and a.attname = 'sub_last_tick')
    then
        alter table pgq.subscription alter column sub_last_tick drop not null;
    end if;

    -- Extra maintenance functions per queue: in the table only since PgQ
    -- 3.2, though 3.0 already read it.
    if not exists (select from pg_catalog.pg_attribute a
                    where a.attrelid = 'pgq.queue'::regclass
                      and a.attname = 'queue_extra_maint'
                      and not a.attisdropped)
    then
        alter table pgq.queue add column queue_extra_maint text[];
    end if;

    -- Roles the grants name (cluster-wide: another database may have made
    -- them already).  pgq_admin is created last, as a member of the others.
    if pg_catalog.to_regrole('pgq_reader') is null then
        create role pgq_reader;
    end if;
    if pg_catalog.to_regrole('pgq_writer') is null then
        create role pgq_writer;
    end if;
    if pg_catalog.to_regrole('pgq_admin') is null then
        create role pgq_admin in role pgq_reader, pgq_writer;
    end if;

    return 0;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;

create or replace function pgq._grant_perms_from(src_schema text, src_table text, dst_schema text, dst_table text)
returns integer as $$
-- Gives dst_schema.dst_table the table privileges that src_schema.src_table
-- has, grant options included (grant_perms copies pgq.event_template's onto
-- each event table this way).  Privileges are read from
-- information_schema, which lists the owner's implicit ones too.  Always 1.
declare
    grant_statement text;
begin
    for grant_statement in
        select pg_catalog.format('grant %s on %I.%I to %s%s',
                   p.privilege_type, dst_schema, dst_table,
                   case when p.grantee = 'PUBLIC' then 'public'
                        else pg_catalog.quote_ident(p.grantee) end,
                   case when p.is_grantable = 'YES' then ' with grant option'
                        else '' end)
          from information_schema.table_privileges p
         where p.table_schema = src_schema
           and p.table_name = src_table
         -- a fixed order: the ACL then reads the same on every install
         order by p.grantee, p.privilege_type
    loop
        execute grant_statement;
    end loop;
    return 1;
end;
$$ language plpgsql strict set search_path = pg_catalog, pg_temp;

-- Name lookups shared by the function files.  Internal (no grants): call
-- them from SECURITY DEFINER functions.  Each keeps the caller's error text,
-- because every PgQ function words "not found" its own way and clients
-- match those texts.

create or replace function pgq._find_queue(i_queue_name text, i_missing_error text default null)
returns pgq.queue as $$
-- The queue's row.  A queue that does not exist raises i_missing_error
-- (SQLSTATE P0001) when one is given, and otherwise comes back as a row of
-- NULLs: test queue_id.
declare
    found_queue pgq.queue;
begin
    select * into found_queue
      from pgq.queue q
     where q.queue_name = i_queue_name;
    if not found and i_missing_error is not null then
        raise exception '%', i_missing_error;
    end if;
    return found_queue;
end;
$$ language plpgsql stable set search_path = pg_catalog, pg_temp;

create or replace function pgq._find_subscription(
    i_queue_name text, i_consumer_name text, i_missing_error text default null)
returns pgq.subscription as $$
-- The consumer's subscription row on the queue.  Missing queue, consumer or
-- subscription all count as "not subscribed": raises i_missing_error
-- (SQLSTATE P0001) when one is given, else returns a row of NULLs (test
-- sub_id).  Takes no lock: a caller that changes the row locks it itself.
declare
    found_sub pgq.subscription;
begin
    select s.* into found_sub
      from pgq.subscription s
      join pgq.queue q on q.queue_id = s.sub_queue
      join pgq.consumer c on c.co_id = s.sub_consumer
     where q.queue_name = i_queue_name
       and c.co_name = i_consumer_name;
    if not found and i_missing_error is not null then
        raise exception '%', i_missing_error;
    end if;
    return found_sub;
end;
$$ language plpgsql stable set search_path = pg_catalog, pg_temp;

create or replace function pgq._lock_consumer(i_consumer_name text, i_create boolean)
returns int4 as $$
-- The consumer's co_id, its pgq.consumer row locked until the end of the
-- transaction; NULL if there is no such consumer, unless i_create makes it.
-- register_consumer_at and unregister_consumer both start here, so the one
-- deciding whether the consumer row is still used cannot race the other.
declare
    consumer_id int4;
begin
    select c.co_id into consumer_id
      from pgq.consumer c
     where c.co_name = i_consumer_name
       for update;
    if not found and i_create then
        insert into pgq.consumer (co_name) values (i_consumer_name)
        returning co_id into consumer_id;
    end if;
    return consumer_id;
end;
$$ language plpgsql set search_path = pg_catalog, pg_temp;

-- The sequences create_queue made for a queue, found from its id.  Never
-- from pgq.queue's text columns: pgq_admin may rewrite those, and a
-- SECURITY DEFINER function following them would advance or read any
-- sequence its owner can.  Plain SQL without a SET clause, so the planner
-- inlines them (the ticker calls them per tick); every name is qualified.
-- A strict function is inlined only if its body is strict too: hence ||,
-- not concat(), which skips nulls (with concat() they were run as SQL
-- functions, and every tick parsed their bodies again).
create or replace function pgq._event_seq(i_queue_id int4)
returns pg_catalog.regclass as $$
    select ('pgq.event_' operator(pg_catalog.||) i_queue_id::pg_catalog.text
            operator(pg_catalog.||) '_id_seq')::pg_catalog.regclass
$$ language sql stable strict;

create or replace function pgq._tick_seq(i_queue_id int4)
returns pg_catalog.regclass as $$
    select ('pgq.event_' operator(pg_catalog.||) i_queue_id::pg_catalog.text
            operator(pg_catalog.||) '_tick_seq')::pg_catalog.regclass
$$ language sql stable strict;
