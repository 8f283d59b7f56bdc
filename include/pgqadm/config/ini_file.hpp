// An INI file read with inih, with the Python ConfigParser semantics that
// SkyTools configs rely on: case-insensitive keys, [DEFAULT] fallbacks,
// continuation lines and %(name)s interpolation; and pgqd's `%include FILE`
// lines, which stand for the contents of FILE (relative to the including
// file's directory), as its config parser has them.
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pgqadm::config {

class IniFile {
  public:
    using Section = std::map<std::string, std::string>; // lower-case key -> raw value

    /// Parses `path`. Throws ConfigError naming the file and line on failure.
    static IniFile load(const std::filesystem::path& path);
    /// Parses text (used by unit tests); `origin` names it in error messages.
    static IniFile parse(const std::string& text, const std::string& origin);

    bool has_section(const std::string& name) const { return sections_.count(name) != 0; }
    /// Keys of a section (lower case), not including [DEFAULT] ones.
    std::vector<std::string> keys(const std::string& section) const;

    /// Interpolated value of `key` in `section`, falling back to [DEFAULT] and
    /// then to `builtins`. nullopt when the key is not set anywhere.
    std::optional<std::string> get(const std::string& section, const std::string& key,
                                   const Section& builtins) const;

    /// The value as written (pgqd files know no interpolation), with the
    /// same [DEFAULT] fallback; nullopt when the key is not set.
    std::optional<std::string> literal(const std::string& section, const std::string& key) const;

    const std::string& origin() const { return origin_; }

  private:
    std::optional<std::string> raw(const std::string& section, const std::string& key,
                                   const Section& builtins) const;
    std::string interpolate(const std::string& section, const std::string& key,
                            const std::string& value, const Section& builtins, int depth) const;

    std::string origin_;
    std::map<std::string, Section> sections_;
};

} // namespace pgqadm::config
