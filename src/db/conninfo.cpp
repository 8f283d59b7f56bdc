#include "pgqadm/db/conninfo.hpp"

#include <libpq-fe.h>

#include <memory>
#include <regex>

namespace pgqadm::db {
namespace {

using OptionsPtr = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

OptionsPtr parse(const std::string& conninfo)
{
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
    if (err)
        PQfreemem(err); // its text may quote the password: never shown
    return OptionsPtr(opts, &PQconninfoFree);
}

std::string quote_value(const std::string& v)
{
    std::string out = "'";
    for (char c : v) {
        if (c == '\'' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "'";
}

} // namespace

ConnParams make_conn_params(const std::string& conninfo, const std::string& application_name)
{
    // The original appended " connect_timeout=15" when the string had none;
    // passing it before the expanded dbname gives the same effect for
    // key=value strings and URIs alike.
    // The server truncates application_name to 63 bytes with a NOTICE that
    // would bypass our log format; cut it ourselves, on a UTF-8 boundary.
    std::string app = application_name;
    if (app.size() > 63) {
        std::size_t cut = 63;
        while (cut > 0 && (static_cast<unsigned char>(app[cut]) & 0xC0) == 0x80)
            --cut;
        app.resize(cut);
    }
    return ConnParams{{"connect_timeout", "fallback_application_name", "dbname"},
                      {"15", app, conninfo}};
}

std::string mask_password(const std::string& conninfo)
{
    OptionsPtr opts = parse(conninfo);
    if (!opts) {
        // Unparseable: hide anything that looks like a password value.
        static const std::regex kv(R"((password\s*=\s*)('([^'\\]|\\.)*'|\S+))", std::regex::icase);
        static const std::regex uri(R"((://[^:/@]*:)[^@]*@)");
        std::string masked = std::regex_replace(conninfo, kv, "$1***");
        return std::regex_replace(masked, uri, "$1***@");
    }
    std::string out;
    for (PQconninfoOption* o = opts.get(); o->keyword; ++o) {
        if (!o->val)
            continue;
        std::string key = o->keyword;
        std::string val = key == "password" ? "***" : o->val;
        if (!out.empty())
            out += ' ';
        out += key + "=" + quote_value(val);
    }
    return out;
}

std::string scrub_secret(const std::string& text, const std::string& conninfo)
{
    OptionsPtr opts = parse(conninfo);
    std::string out = text;
    if (!opts)
        return mask_password(out);
    for (PQconninfoOption* o = opts.get(); o->keyword; ++o) {
        if (std::string(o->keyword) != "password" || !o->val || !*o->val)
            continue;
        std::string secret = o->val;
        for (std::size_t pos; (pos = out.find(secret)) != std::string::npos;)
            out.replace(pos, secret.size(), "***");
    }
    return out;
}

std::string conninfo_dbname(const std::string& conninfo)
{
    OptionsPtr opts = parse(conninfo);
    if (!opts)
        return "";
    for (PQconninfoOption* o = opts.get(); o->keyword; ++o)
        if (std::string(o->keyword) == "dbname" && o->val)
            return o->val;
    return "";
}

} // namespace pgqadm::db
