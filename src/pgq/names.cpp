#include "pgqadm/pgq/names.hpp"

#include "pgqadm/db/connection.hpp"

namespace pgqadm::pgq {

std::string quote_fqname(const db::Connection& conn, const std::string& name)
{
    auto dot = name.find('.');
    if (dot == std::string::npos)
        return conn.quote_ident("public") + "." + conn.quote_ident(name);
    return conn.quote_ident(name.substr(0, dot)) + "." + conn.quote_ident(name.substr(dot + 1));
}

std::string text_array_literal(const std::vector<std::string>& items)
{
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            out += ',';
        out += '"';
        for (char c : items[i]) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

} // namespace pgqadm::pgq
