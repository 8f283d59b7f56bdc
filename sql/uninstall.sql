-- Removes pgqadm's pgq schema and everything in it: all queues, events,
-- ticks, subscriptions and functions.
--
-- The roles pgq_reader, pgq_writer and pgq_admin are NOT dropped: roles are
-- cluster-wide, may be shared with other databases of the cluster that have
-- PgQ installed, and may have members and grants elsewhere.  Drop them by
-- hand (DROP ROLE) once no database uses them.
--
-- The event trigger pgq_trg_gen_regenerate (sql/triggers/gen.sql) goes
-- first, by name, when it is pgq's; the schema's CASCADE would take it
-- too, as it depends on pgq._trg_gen_ddl_end().
do $evt$
begin
    if exists (select from pg_catalog.pg_event_trigger e join pg_catalog.pg_proc p on p.oid = e.evtfoid
                 join pg_catalog.pg_namespace n on n.oid = p.pronamespace
                where e.evtname = 'pgq_trg_gen_regenerate' and n.nspname = 'pgq') then
        drop event trigger pgq_trg_gen_regenerate;
    end if;
exception when insufficient_privilege then
    null;  -- not its owner: the CASCADE below takes it
end
$evt$;
drop schema if exists pgq cascade;
