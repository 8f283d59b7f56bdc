#include "pgqadm/observe/exposition.hpp"

#include <charconv>
#include <cmath>

namespace pgqadm::observe {

const char* content_type(Format format)
{
    return format == Format::openmetrics
               ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
               : "text/plain; version=0.0.4; charset=utf-8";
}

Format negotiate(std::string_view accept_header)
{
    // Prometheus lists OpenMetrics first when it wants it; a plain scraper
    // (curl, the text parser) sends */* or nothing.
    return accept_header.find("application/openmetrics-text") != std::string_view::npos
               ? Format::openmetrics
               : Format::prometheus;
}

std::string escape_label_value(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (char ch : value) {
        if (ch == '\\')
            out += "\\\\";
        else if (ch == '"')
            out += "\\\"";
        else if (ch == '\n')
            out += "\\n";
        else
            out += ch;
    }
    return out;
}

std::string format_value(double value)
{
    if (std::isnan(value))
        return "NaN";
    if (std::isinf(value))
        return value > 0 ? "+Inf" : "-Inf";
    // The shortest text that reads back as the same double.
    char buf[40];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
    return std::string(buf, end);
}

void Exposition::family(const std::string& name, Type type, const std::string& help)
{
    static constexpr std::string_view total = "_total";
    std::string family_name = name;
    // OpenMetrics names a counter's family without the _total its samples carry.
    if (type == Type::counter && format_ == Format::openmetrics && name.size() > total.size() &&
        name.compare(name.size() - total.size(), total.size(), total) == 0)
        family_name = name.substr(0, name.size() - total.size());
    const char* type_name = type == Type::gauge     ? "gauge"
                            : type == Type::counter ? "counter"
                                                    : "histogram";
    out_ += "# HELP " + family_name + " " + help + "\n";
    out_ += "# TYPE " + family_name + " " + type_name + "\n";
    name_ = name;
}

void Exposition::sample(const Labels& labels, double value, std::string_view suffix)
{
    out_ += name_;
    out_ += suffix;
    if (!labels.empty()) {
        out_ += '{';
        for (std::size_t i = 0; i < labels.size(); ++i) {
            if (i)
                out_ += ',';
            out_ += labels[i].first + "=\"" + escape_label_value(labels[i].second) + "\"";
        }
        out_ += '}';
    }
    out_ += ' ' + format_value(value) + '\n';
}

std::string Exposition::finish()
{
    if (format_ == Format::openmetrics)
        out_ += "# EOF\n";
    return std::move(out_);
}

} // namespace pgqadm::observe
