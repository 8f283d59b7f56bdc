// INI parsing on top of inih, plus ConfigParser-style interpolation.
#include "pgqadm/config/ini_file.hpp"

#include "pgqadm/error.hpp"

#include <ini.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

namespace pgqadm::config {
namespace {

// inih (as packaged by Debian) reads lines into a fixed 200-byte buffer and
// silently splits longer ones; refuse them instead of misreading the file.
constexpr std::size_t max_line_length = 199;
constexpr int max_interpolation_depth = 10; // ConfigParser's MAX_INTERPOLATION_DEPTH
// Depth alone does not bound the result (ten references per level, ten levels).
constexpr std::size_t max_value_length = 65536;

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

struct ParseState {
    std::map<std::string, IniFile::Section>* sections;
    std::string last_section;
    std::string last_key;
};

int on_entry(void* user, const char* section, const char* name, const char* value)
{
    auto* state = static_cast<ParseState*>(user);
    std::string key = lower(name);
    auto& sect = (*state->sections)[section];
    // inih reports a continuation line as a repeated key; ConfigParser joins
    // continuation lines with a newline, and a later duplicate key wins.
    bool continuation =
        state->last_section == section && state->last_key == key && sect.count(key) != 0;
    if (continuation)
        sect[key] += "\n" + std::string(value);
    else
        sect[key] = value;
    state->last_section = section;
    state->last_key = key;
    return 1;
}

void check_lines(const std::string& text, const std::string& origin)
{
    std::size_t line_no = 1, start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::size_t len = end - start;
        if (len > 0 && text[end - 1] == '\r')
            --len;
        if (len > max_line_length)
            throw ConfigError("config file " + origin + ": line " + std::to_string(line_no) +
                              " is longer than " + std::to_string(max_line_length) + " characters");
        if (std::memchr(text.data() + start, '\0', end - start) != nullptr)
            throw ConfigError("config file " + origin + ": line " + std::to_string(line_no) +
                              " contains a NUL byte (binary file?)");
        start = end + 1;
        ++line_no;
    }
}

constexpr int max_include_depth = 10;
constexpr std::string_view include_directive = "%include";

std::string read_whole(const std::filesystem::path& path)
{
    std::ifstream in(path, std::ios::binary);
    std::error_code ec;
    if (!in || std::filesystem::is_directory(path, ec))
        throw ConfigError("Config file not found: " + path.string());
    std::ostringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

std::string trim(std::string_view s)
{
    std::size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos)
        return "";
    std::size_t e = s.find_last_not_of(" \t\r");
    return std::string(s.substr(b, e - b + 1));
}

/// `text` with every `%include FILE` line replaced by FILE's contents
/// (each file's lines checked on their own, so errors name the right file).
std::string expand_includes(const std::string& text, const std::filesystem::path& path, int depth,
                            bool& expanded)
{
    check_lines(text, path.string());
    if (text.find(include_directive) == std::string::npos)
        return text;
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string_view line(text.data() + start, end - start);
        std::string stripped = trim(line);
        if (stripped.rfind(include_directive, 0) == 0 &&
            (stripped.size() == include_directive.size() ||
             std::isspace(static_cast<unsigned char>(stripped[include_directive.size()])))) {
            std::string target = trim(stripped.substr(include_directive.size()));
            if (target.empty())
                throw ConfigError("config file " + path.string() + ": %include without a file");
            if (depth >= max_include_depth)
                throw ConfigError("config file " + path.string() + ": %include " + target +
                                  ": nested too deeply (a loop?)");
            std::filesystem::path file = target;
            if (file.is_relative())
                file = path.parent_path() / file;
            expanded = true;
            out += expand_includes(read_whole(file), file, depth + 1, expanded);
            if (!out.empty() && out.back() != '\n')
                out += '\n';
        } else {
            out.append(line);
            out += '\n';
        }
        start = end + 1;
    }
    return out;
}

} // namespace

IniFile IniFile::load(const std::filesystem::path& path)
{
    bool expanded = false;
    std::string text = expand_includes(read_whole(path), path, 0, expanded);
    // Line numbers in inih's errors count the expanded text.
    return parse(text, expanded ? path.string() + " (with its %include files)" : path.string());
}

std::optional<std::string> IniFile::literal(const std::string& section,
                                            const std::string& key) const
{
    return raw(section, lower(key), {});
}

IniFile IniFile::parse(const std::string& text, const std::string& origin)
{
    check_lines(text, origin);
    IniFile ini;
    ini.origin_ = origin;
    ParseState state{&ini.sections_, {}, {}};
    int rc = ini_parse_string(text.c_str(), on_entry, &state);
    if (rc > 0)
        throw ConfigError("config file " + origin + ": syntax error on line " + std::to_string(rc));
    if (rc < 0)
        throw ConfigError("config file " + origin + ": cannot be parsed");
    // inih reports keys only: a section without any (a pgqd file that is
    // all defaults, "[pgqd]") exists all the same.
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        std::string t = trim(line);
        std::size_t close = t.find(']');
        if (t.size() > 2 && t.front() == '[' && close != std::string::npos)
            ini.sections_.try_emplace(t.substr(1, close - 1));
    }
    return ini;
}

std::vector<std::string> IniFile::keys(const std::string& section) const
{
    std::vector<std::string> out;
    auto it = sections_.find(section);
    if (it != sections_.end())
        for (const auto& [k, v] : it->second)
            out.push_back(k);
    return out;
}

std::optional<std::string> IniFile::raw(const std::string& section, const std::string& key,
                                        const Section& builtins) const
{
    for (const std::string& name : {section, std::string("DEFAULT")}) {
        auto s = sections_.find(name);
        if (s == sections_.end())
            continue;
        auto v = s->second.find(key);
        if (v != s->second.end())
            return v->second;
    }
    auto b = builtins.find(key);
    if (b != builtins.end())
        return b->second;
    return std::nullopt;
}

std::optional<std::string> IniFile::get(const std::string& section, const std::string& key,
                                        const Section& builtins) const
{
    auto value = raw(section, lower(key), builtins);
    if (!value)
        return std::nullopt;
    return interpolate(section, lower(key), *value, builtins, 1);
}

std::string IniFile::interpolate(const std::string& section, const std::string& key,
                                 const std::string& value, const Section& builtins, int depth) const
{
    if (depth > max_interpolation_depth)
        throw ConfigError("config file " + origin_ + ": key " + key +
                          ": value interpolation too deeply recursive (loop in %(...)s?)");
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '%') {
            out += value[i];
            continue;
        }
        if (i + 1 < value.size() && value[i + 1] == '%') {
            out += '%';
            ++i;
            continue;
        }
        if (i + 1 < value.size() && value[i + 1] == '(') {
            std::size_t close = value.find(")s", i + 2);
            if (close == std::string::npos)
                throw ConfigError("config file " + origin_ + ": key " + key +
                                  ": unterminated %(...)s in value '" + value + "'");
            std::string ref = lower(value.substr(i + 2, close - i - 2));
            auto referenced = raw(section, ref, builtins);
            if (!referenced)
                throw ConfigError("config file " + origin_ + ": key " + key + ": '%(" + ref +
                                  ")s' refers to a key that is not set");
            out += interpolate(section, ref, *referenced, builtins, depth + 1);
            if (out.size() > max_value_length)
                throw ConfigError("config file " + origin_ + ": key " + key +
                                  ": value longer than " + std::to_string(max_value_length) +
                                  " characters after interpolation");
            i = close + 1;
            continue;
        }
        throw ConfigError("config file " + origin_ + ": key " + key +
                          ": '%' must be followed by '%' or '(' in value '" + value + "'");
    }
    return out;
}

} // namespace pgqadm::config
