-- Removes pgqadm's pgq schema and everything in it: all queues, events,
-- ticks, subscriptions and functions.
--
-- The roles pgq_reader, pgq_writer and pgq_admin are NOT dropped: roles are
-- cluster-wide, may be shared with other databases of the cluster that have
-- PgQ installed, and may have members and grants elsewhere.  Drop them by
-- hand (DROP ROLE) once no database uses them.
drop schema if exists pgq cascade;
