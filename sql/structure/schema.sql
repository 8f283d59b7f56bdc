-- pgq schema: our own pure SQL / PL/pgSQL implementation of the PgQ 3.5 API.
--
-- This file and everything listed in sql/install.list is concatenated and run
-- as ONE multi-statement string in ONE transaction.  It must be re-runnable:
-- the second run is an upgrade that keeps queues, events, ticks and
-- subscriptions and replaces the functions.  (With psql: psql -1 -f.)

-- The installer is often a superuser.  Whoever may CREATE in a schema on its
-- search_path (public, on databases that began before PostgreSQL 15) could
-- plant better-matching overloads of the builtins this script calls, or
-- operators, and have them run as the installer.  So for this transaction
-- only pg_catalog is searched (pg_temp last, and never for functions or
-- operators); pgq objects are named with their schema throughout.
select pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
select pg_catalog.set_config('client_min_messages', 'warning', true);

-- Refuse to install over a PgQ that is not ours (e.g. the C extension or
-- upstream's pgq_pl_only.sql).  Ours is recognised by the presence of
-- pgq._pgqadm_schema_version().  The check can be overridden for one
-- transaction with: select set_config('pgqadm.force_install', 'on', true);
do $guard$
begin
    if exists (select 1 from pg_catalog.pg_extension where extname = 'pgq') then
        if coalesce(pg_catalog.current_setting('pgqadm.force_install', true), '') <> 'on' then
            raise exception 'another PgQ is already installed in this database (extension "pgq"); refusing to install pgqadm''s pgq schema';
        end if;
    elsif exists (select 1 from pg_catalog.pg_namespace where nspname = 'pgq')
      and not exists (select 1 from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                      where n.nspname = 'pgq' and p.proname = '_pgqadm_schema_version') then
        if coalesce(pg_catalog.current_setting('pgqadm.force_install', true), '') <> 'on' then
            raise exception 'schema "pgq" already exists and was not installed by pgqadm; refusing to install over it';
        end if;
    end if;
end
$guard$;

create schema if not exists pgq;

-- Roles are cluster-wide: created only when missing (needs CREATEROLE).
-- When the installing user may not create roles and they are missing, the
-- install fails here with a clear message.
do $roles$
begin
    -- Two installs into different databases of one cluster may race to
    -- create the same role: the loser finds it created and goes on.
    begin
        if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_reader') then
            create role pgq_reader;
        end if;
    exception when duplicate_object or unique_violation then null;
    end;
    begin
        if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_writer') then
            create role pgq_writer;
        end if;
    exception when duplicate_object or unique_violation then null;
    end;
    begin
        if not exists (select 1 from pg_catalog.pg_roles where rolname = 'pgq_admin') then
            create role pgq_admin in role pgq_reader, pgq_writer;
        end if;
    exception when duplicate_object or unique_violation then null;
    end;
end
$roles$;
