-- ALTER TABLE between trigger calls in one session: the triggers cache the
-- table's columns and key per session and must see every change at once,
-- in later statements, later transactions, within one transaction and
-- within one statement (a DO block), and undo it on ROLLBACK TO SAVEPOINT.
\set VERBOSITY terse
set client_min_messages = warning;
\pset format unaligned
select pgq.create_queue('testq');
create view ev as select ev_type, ev_data, ev_extra1, ev_extra2, ev_extra3, ev_extra4
  from pgq.event_1 order by ev_id;
create table al (id int primary key, a text, b int);
create trigger tl after insert or update or delete on al
  for each row execute procedure pgq.logutriga('testq');
create trigger ts after insert or update or delete on al
  for each row execute procedure pgq.sqltriga('testq');
create trigger tj after insert or update or delete on al
  for each row execute procedure pgq.jsontriga('testq');

-- separate statements (autocommit)
insert into al values (1, 'x', 1);
alter table al add column c bool;
insert into al values (2, 'y', 2, true);
alter table al rename column a to aa;
update al set b = 20 where id = 2;
alter table al drop column b;
insert into al values (3, 'z', false);
alter table al alter column c type int using c::int;
update al set c = 5 where id = 3;
select * from ev;
delete from pgq.event_1;

-- key changes: another key column, no key at all, key back
alter table al drop constraint al_pkey;
alter table al add primary key (aa);
insert into al values (4, 'k', 1);
delete from al where id = 4;
alter table al drop constraint al_pkey;
insert into al values (5, 'nk', 1);
update al set c = 6 where id = 5;
alter table al add primary key (id);
update al set c = 7 where id = 5;
select * from ev;
delete from pgq.event_1;

-- within one transaction, with a savepoint rolled back
begin;
insert into al values (6, 'tx', 1);
alter table al rename column aa to a2;
insert into al values (7, 'tx', 2);
savepoint s;
alter table al rename column a2 to a3;
alter table al add column d text;
insert into al values (8, 'sp', 3, 'dd');
rollback to savepoint s;
insert into al values (9, 'after', 4);
alter table al drop constraint al_pkey;
alter table al add primary key (a2, id);
update al set c = 10 where id = 9;
commit;
select * from ev;
delete from pgq.event_1;

-- within one statement
do $$
begin
    insert into al values (10, 'do', 1);
    alter table al rename column c to cc;
    alter table al add column e timestamp;
    insert into al values (11, 'do', 2, '2020-02-03 04:05:06');
    alter table al alter column cc type text;
    update al set cc = 'str' where id = 11;
    alter table al drop column e;
    delete from al where id = 11;
end $$;
select * from ev;
delete from pgq.event_1;

-- the same table, a new session
\c
set client_min_messages = warning;
insert into al values (12, 'new', 'session');
alter table al rename column cc to c;
insert into al values (13, 'new', 'session2');
select * from ev;
