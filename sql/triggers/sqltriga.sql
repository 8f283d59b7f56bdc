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
declare
    a_queue     text;
    a_skip      boolean := false;
    a_backup    boolean := false;
    a_ignore    text[];
    a_pkey      text;
    a_exprs     text[];
    a_has_exprs boolean := false;
    r     record;
    ev_d  text;
    ev_2  text;
    setl  text;
    wher  text;
    pkv   text[];
    i     integer;
begin
    -- as the C triggers: 'local' disables them; in 'replica' only ENABLE ALWAYS
    -- triggers fire, and those queue as usual
    if current_setting('session_replication_role') = 'local' then
        if TG_WHEN = 'BEFORE' and TG_LEVEL = 'ROW' then
            if TG_OP = 'DELETE' then return OLD; end if;
            return NEW;
        end if;
        return null;
    end if;

    if TG_NARGS = 1 and TG_LEVEL = 'ROW' then
        -- the common case, only the queue name: nothing to parse or check
        a_queue := TG_ARGV[0];
    else
        select x.queue_name, x.skip, x.backup, x.ignore_cols, x.pkey_text, x.exprs, x.has_exprs
          into a_queue, a_skip, a_backup, a_ignore, a_pkey, a_exprs, a_has_exprs
          from pgq._trg_args(TG_ARGV, TG_NARGS, TG_WHEN, TG_LEVEL, TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME) x;
    end if;

    if TG_OP = 'TRUNCATE' then
        perform pgq.insert_event(a_queue, 'R', '', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME,
                                 null, null, null);
        return null;
    end if;

    if TG_OP = 'DELETE' then
        r := pgq._trg_row(TG_OP, TG_RELID, OLD, null::record, a_pkey,
                                          a_ignore, a_exprs, a_has_exprs, false);
    else
        r := pgq._trg_row(TG_OP, TG_RELID, NEW, case when TG_OP = 'UPDATE' then OLD end,
                                          a_pkey, a_ignore, a_exprs, a_has_exprs, true);
    end if;

    if r.send then
        if r.ovr_set[3] then
            ev_d := r.ovr[3];
        elsif TG_OP = 'INSERT' then
            select '(' || coalesce(string_agg(quote_ident(n), ',' order by o), '')
                   || ') values ('
                   || coalesce(string_agg(coalesce(quote_literal(v), 'null'), ',' order by o), '')
                   || ')'
              into ev_d
              from unnest(r.colnames, r.vals, r.skipcol) with ordinality as x(n, v, s, o)
             where not s;
        else
            -- key columns, in the order of the key list, with OLD values
            pkv := case when TG_OP = 'UPDATE' then r.oldvals else r.vals end;
            select string_agg(quote_ident(x.n) || '=' || quote_literal(x.v), ' and ' order by x.o),
                   bool_or(x.v is null)
              into wher, r.send
              from unnest(r.colnames, pkv, r.pkcol) with ordinality as x(n, v, p, o)
             where x.p;
            if r.send then
                raise exception 'logtriga: Unexpected NULL key value';
            end if;
            if TG_OP = 'DELETE' then
                ev_d := wher;
            else
                select string_agg(quote_ident(n) || '=' || coalesce(quote_literal(v), 'NULL'), ',' order by o)
                  into setl
                  from unnest(r.colnames, r.vals, r.skipcol, r.changed) with ordinality as x(n, v, s, c, o)
                 where c and not s;
                if setl is null then
                    -- nothing changed: first key column = its old value
                    select quote_ident(n) || '=' || quote_literal(v)
                      into setl
                      from unnest(r.colnames, pkv, r.pkcol) with ordinality as x(n, v, p, o)
                     where p order by o limit 1;
                end if;
                ev_d := setl || ' where ' || wher;
            end if;
        end if;
        ev_2 := case when r.ovr_set[5] then r.ovr[5]
                     when a_backup and TG_OP = 'UPDATE' then pgq._trg_urlenc_row(r.colnames, r.oldvals, r.skipcol)
                end;
        perform pgq.insert_event(a_queue,
                                 case when r.ovr_set[2] then r.ovr[2] else left(TG_OP, 1) end,
                                 ev_d,
                                 case when r.ovr_set[4] then r.ovr[4] else TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME end,
                                 ev_2, r.ovr[6], r.ovr[7]);
    end if;

    if TG_WHEN = 'AFTER' or a_skip then
        return null;
    end if;
    if TG_OP = 'DELETE' then
        return OLD;
    end if;
    return NEW;
end;
$$;

revoke all on function pgq.sqltriga() from public;
grant execute on function pgq.sqltriga() to pgq_writer;
