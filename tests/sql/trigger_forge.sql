-- Trigger output must not depend on state a session can set.  An earlier
-- design cached each table's columns and key flags in the custom setting
-- pgq_pltrg.r<relid>; any session could overwrite it, so an event could
-- say role=admin while the row says role=user, and the key in sqltriga's
-- UPDATE/DELETE WHERE clause could change.  Here the setting is forged in
-- the exact shape that design trusted (fingerprint, validity key of the
-- running transaction, column names, kinds, JSON kinds, key, magic flag,
-- key list, key flags, skip flags): the events must follow the table.
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;
create table acct (id int primary key, role text, note text);
create trigger tl after insert or update or delete on acct
  for each row execute procedure pgq.logutriga('testq');
create trigger ts after insert or update or delete on acct
  for each row execute procedure pgq.sqltriga('testq');
create trigger tj after insert or update or delete on acct
  for each row execute procedure pgq.jsontriga('testq');
-- what the forged entry claims: columns id, note, role (note and role
-- swapped), key column note
create function forge() returns void language sql as $$
  select set_config('pgq_pltrg.r' || 'acct'::regclass::oid::text,
    array['forged',
          pg_current_xact_id_if_assigned()::text || '/'
          || (pg_stat_get_xact_tuples_inserted(1249) + pg_stat_get_xact_tuples_updated(1249)
              + pg_stat_get_xact_tuples_deleted(1249) + pg_stat_get_xact_tuples_inserted(2610)
              + pg_stat_get_xact_tuples_updated(2610) + pg_stat_get_xact_tuples_deleted(2610)
              + pg_stat_get_xact_tuples_inserted(1259) + pg_stat_get_xact_tuples_updated(1259)
              + pg_stat_get_xact_tuples_deleted(1259))::text,
          '{id,note,role}', '{t,t,t}', '{i,s,s}', '{note}', 'f', 'note', '{f,t,f}', '{f,f,f}']::text,
    false)
$$;

-- the triggers keep nothing in settings
insert into acct values (0, 'user', 'zero');
select current_setting('pgq_pltrg.r' || 'acct'::regclass::oid::text, true) is null as nothing_kept;

begin;
insert into acct values (1, 'user', 'first row');
select forge();
insert into acct values (2, 'user', 'admin');
update acct set note = 'changed' where id = 2;
select forge();
delete from acct where id = 1;
commit;
-- a forged entry set before the transaction, and garbage
select forge();
update acct set role = 'admin' where id = 2;
select set_config('pgq_pltrg.r' || 'acct'::regclass::oid::text, 'not an array', false);
insert into acct values (3, 'user', 'garbage');
select * from ev;
