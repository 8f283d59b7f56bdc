// The Prometheus text exposition format (0.0.4) and OpenMetrics 1.0, the
// two formats Prometheus scrapes, written family by family.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pgqadm::observe {

enum class Format { prometheus, openmetrics };

/// Content-Type of a response in `format`.
const char* content_type(Format format);

/// The format a scraper asks for in its Accept header.
Format negotiate(std::string_view accept_header);

/// A label value escaped for both formats: backslash, double quote, newline.
std::string escape_label_value(std::string_view value);

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { gauge, counter, histogram };

class Exposition {
  public:
    explicit Exposition(Format format) : format_(format) {}

    /// Starts a family: # HELP and # TYPE. A counter's `name` ends in
    /// _total (OpenMetrics names the family without it).
    void family(const std::string& name, Type type, const std::string& help);
    /// One sample of the current family (`suffix` for histogram parts).
    void sample(const Labels& labels, double value, std::string_view suffix = "");
    /// The finished text (OpenMetrics ends with # EOF).
    std::string finish();

  private:
    Format format_;
    std::string name_; ///< the current family's sample name
    std::string out_;
};

/// A sample value as both formats spell it (+Inf, -Inf, NaN; integers plain).
std::string format_value(double value);

} // namespace pgqadm::observe
