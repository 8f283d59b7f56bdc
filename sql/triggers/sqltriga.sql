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
select pgq._trg_make_row_trigger('sqltriga', 's');

revoke all on function pgq.sqltriga() from public;
grant execute on function pgq.sqltriga() to pgq_writer;
