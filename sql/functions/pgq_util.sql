-- Utility functions: version, sequences, quoting, schema upgrade, grants helper.

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

create or replace function pgq.seq_getval(i_seq_name text)
returns bigint as $$
-- Returns last_value of the sequence without advancing it.
-- A name without a schema means schema public.
declare
    res     int8;
    fqname  text;
    pos     integer;
    s       text;
    n       text;
begin
    pos := position('.' in i_seq_name);
    if pos > 0 then
        s := substring(i_seq_name for pos - 1);
        n := substring(i_seq_name from pos + 1);
    else
        s := 'public';
        n := i_seq_name;
    end if;
    fqname := pg_catalog.quote_ident(s) || '.' || pg_catalog.quote_ident(n);
    execute 'select last_value from ' || fqname into res;
    return res;
end;
$$ language plpgsql strict;

create or replace function pgq.seq_setval(i_seq_name text, i_new_value int8)
returns bigint as $$
-- Moves the sequence forward to i_new_value, never backwards.
-- Returns the resulting last_value.
declare
    res     int8;
    fqname  text;
begin
    fqname := pgq.quote_fqname(i_seq_name);
    res := pgq.seq_getval(i_seq_name);
    if res < i_new_value then
        perform pg_catalog.setval(fqname, i_new_value);
        return i_new_value;
    end if;
    return res;
end;
$$ language plpgsql strict;

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

create or replace function pgq.upgrade_schema()
returns int4 as $$
-- Idempotent structural fixups.  Always returns 0.
declare
    cnt int4 = 0;
begin
    -- sub_last_tick is nullable since 3.0 (pgq_coop subconsumers)
    if exists (select 1 from pg_catalog.pg_attribute
               where attrelid = 'pgq.subscription'::regclass
                 and attname = 'sub_last_tick' and attnotnull) then
        alter table pgq.subscription alter column sub_last_tick drop not null;
        cnt := cnt + 1;
    end if;

    -- roles
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_reader') then
        create role pgq_reader;
        cnt := cnt + 1;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_writer') then
        create role pgq_writer;
        cnt := cnt + 1;
    end if;
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_admin') then
        create role pgq_admin in role pgq_reader, pgq_writer;
        cnt := cnt + 1;
    end if;

    -- queue_extra_maint
    if not exists (select 1 from pg_catalog.pg_attribute
                   where attrelid = 'pgq.queue'::regclass
                     and attname = 'queue_extra_maint' and not attisdropped) then
        alter table pgq.queue add column queue_extra_maint text[];
        cnt := cnt + 1;
    end if;

    return 0;
end;
$$ language plpgsql;

create or replace function pgq._grant_perms_from(src_schema text, src_table text, dst_schema text, dst_table text)
returns integer as $$
-- Re-issues on dst every table privilege recorded for src
-- (including WITH GRANT OPTION).
declare
    fq_table text;
    sql text;
    g record;
    q_grantee text;
begin
    fq_table := pg_catalog.quote_ident(dst_schema) || '.' || pg_catalog.quote_ident(dst_table);

    for g in
        select grantor, grantee, privilege_type, is_grantable
            from information_schema.table_privileges
            where table_schema = src_schema
                and table_name = src_table
    loop
        if g.grantee = 'PUBLIC' then
            q_grantee = 'public';
        else
            q_grantee = pg_catalog.quote_ident(g.grantee);
        end if;
        sql := 'grant ' || g.privilege_type || ' on ' || fq_table || ' to ' || q_grantee;
        if g.is_grantable = 'YES' then
            sql := sql || ' with grant option';
        end if;
        execute sql;
    end loop;

    return 1;
end;
$$ language plpgsql strict;
