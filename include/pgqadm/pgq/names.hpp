// SQL text for names and lists read from pgq's own tables (sequence,
// function and table names, queue names sent as one array parameter).
#pragma once
#include <string>
#include <vector>

namespace pgqadm::db {
class Connection;
}

namespace pgqadm::pgq {

/// "schema.name" -> quote_ident(schema).quote_ident(name); no dot -> public.
std::string quote_fqname(const db::Connection& conn, const std::string& name);

/// A text[] literal for a query parameter: {"a","b\"c"}.
std::string text_array_literal(const std::vector<std::string>& items);

} // namespace pgqadm::pgq
