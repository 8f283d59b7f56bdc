-- ----------------------------------------------------------------------
-- pgq.sqltriga(queue, [options...]): queue the change as a partial SQL
-- statement.
--   ev_type   = I, U, D, or R for TRUNCATE
--   ev_data   = INSERT: (col,...) values ('v',null,...)
--               UPDATE: col='v',col=NULL where pk='old' and pk2='old'
--                       (only columns whose value changed by the type's '=';
--                       a no-op update gives pk='old' where pk='old')
--               DELETE: pk='old' and pk2='old'
--               TRUNCATE: ''
--   ev_extra1 = schema.table (unquoted)
--   ev_extra2 = with 'backup', the urlencoded OLD row of an UPDATE
-- Identifiers go through quote_ident(), values through quote_literal().
-- Options as pgq.logutriga.
-- ----------------------------------------------------------------------
create or replace function pgq.sqltriga()
returns trigger
language plpgsql
as $$
begin
    -- No pinned search_path here: pgq._trg_event needs the caller's path for
    -- the user's expressions.  So every name below carries its schema.
    if pgq._trg_event('s', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME,
                      TG_NARGS, TG_ARGV, NEW, OLD, NEW::pg_catalog.text, OLD::pg_catalog.text,
                      pg_catalog.current_setting('search_path')) then
        if TG_OP operator(pg_catalog.=) 'DELETE' then
            return OLD;
        end if;
        return NEW;
    end if;
    return null;
end;
$$;

revoke all on function pgq.sqltriga() from public;
grant execute on function pgq.sqltriga() to pgq_writer;
