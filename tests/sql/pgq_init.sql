-- pgq_init: the installed schema matches the PgQ 3.5 layout.
\set VERBOSITY terse
select pgq.version(), pgq._pgqadm_schema_version(), pgq.version() like '3.%' as pgqd_accepts;
-- no extension involved
select count(*) as pgq_extensions from pg_extension where extname = 'pgq';

-- roles
select r.rolname, r.rolcanlogin,
       array(select g.rolname from pg_auth_members m join pg_roles g on g.oid = m.roleid
              where m.member = r.oid order by 1) as member_of
  from pg_roles r where r.rolname in ('pgq_reader', 'pgq_writer', 'pgq_admin') order by 1;

-- tables, sequences and their ACLs
select c.relname, c.relkind, replace(c.relacl::text, current_user || '=', 'OWNER=') as acl
  from pg_class c where c.relnamespace = 'pgq'::regnamespace order by 1;

-- columns
select c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod) as type,
       a.attnotnull, pg_get_expr(d.adbin, d.adrelid) as default
  from pg_class c
  join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  left join pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
 where c.relnamespace = 'pgq'::regnamespace and c.relkind = 'r'
 order by 1, 2;

-- constraints and indexes
select conrelid::regclass as tbl, conname, pg_get_constraintdef(oid)
  from pg_constraint where connamespace = 'pgq'::regnamespace order by 1, 2;
select indexrelid::regclass from pg_index i join pg_class c on c.oid = i.indexrelid
 where c.relnamespace = 'pgq'::regnamespace order by 1;

-- public functions: signature, result, security definer, pinned search_path, grants
select p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' as func,
       pg_get_function_result(p.oid) as result,
       p.prosecdef as sd,
       p.proisstrict as strict,
       p.proconfig,
       array(select case when a.grantee = 0 then 'public' else pg_get_userbyid(a.grantee) end
               from aclexplode(p.proacl) a
              where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner order by 1) as exec
  from pg_proc p
 where p.pronamespace = 'pgq'::regnamespace and p.proname not like '\_%'
 order by 1;

-- every security definer function pins search_path
select count(*) as sd_without_search_path
  from pg_proc p
 where p.pronamespace = 'pgq'::regnamespace and p.prosecdef
   and not exists (select 1 from unnest(p.proconfig) c where c like 'search_path=%');

-- internal helpers are not executable by public
select p.proname, p.proacl
  from pg_proc p
 where p.pronamespace = 'pgq'::regnamespace and p.proname like '\_%' and p.proname <> '_pgqadm_schema_version'
   and exists (select 1 from aclexplode(p.proacl) a where a.grantee = 0);

-- client calls must not be ambiguous (psycopg2 sends untyped NULLs, int literals)
select oid::regprocedure from pg_proc where oid = 'pgq.next_batch_custom'::regproc;
select to_regprocedure('pgq.get_batch_cursor(bigint, text, integer, text)') is not null as cursor4,
       to_regprocedure('pgq.get_batch_cursor(bigint, text, integer)') is not null as cursor3;
select * from pgq.next_batch_custom('q', 'c', NULL, NULL, NULL);
select * from pgq.get_batch_cursor(1, 'c', 300, NULL);
select pgq.event_retry(1, 2, 60);

-- fresh install: nothing yet
select * from pgq.get_queue_info();
select * from pgq.get_consumer_info();
select * from pgq.maint_operations();
select * from pgq.maint_tables_to_vacuum();
select pgq.maint_retry_events();
select pgq.ticker();
select pgq.upgrade_schema();
