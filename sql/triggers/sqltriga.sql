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
    -- Only the queue as argument: the lean path, if it takes the row.
    if TG_NARGS operator(pg_catalog.=) 1 and TG_LEVEL operator(pg_catalog.=) 'ROW'
       and pgq._trg_fast('s', TG_OP, TG_RELID, TG_ARGV[0], TG_TABLE_SCHEMA, TG_TABLE_NAME,
                         pg_catalog.to_json(case when TG_OP operator(pg_catalog.=) 'DELETE' then OLD else NEW end),
                         case when TG_OP operator(pg_catalog.=) 'UPDATE' then pg_catalog.to_json(OLD) end) then
        if TG_WHEN operator(pg_catalog.=) 'AFTER' then
            return null;
        end if;
    elsif not pgq._trg_event('s', TG_OP, TG_WHEN, TG_LEVEL, TG_RELID, TG_TABLE_SCHEMA, TG_TABLE_NAME,
                             TG_NARGS, TG_ARGV, NEW, OLD, NEW::pg_catalog.text, OLD::pg_catalog.text,
                             pg_catalog.current_setting('search_path')) then
        return null;
    end if;
    if TG_OP operator(pg_catalog.=) 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$;

revoke all on function pgq.sqltriga() from public;
grant execute on function pgq.sqltriga() to pgq_writer;
