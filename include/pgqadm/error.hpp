// The exception types that carry a failure up to the one catch in main().
#pragma once
#include <stdexcept>
#include <string>

namespace pgqadm {

/// Base of every error pgqadm reports itself. what() is the one line the user sees.
class Error : public std::runtime_error {
  public:
    explicit Error(const std::string& message, int exit_code = 1)
        : std::runtime_error(message), exit_code_(exit_code)
    {
    }
    int exit_code() const noexcept { return exit_code_; }

  private:
    int exit_code_;
};

/// Wrong command line: printed plainly (no log prefix), like the original's
/// `need config file` / `need command` / `unknown command`.
class UsageError : public Error {
  public:
    using Error::Error;
};

/// The configuration file is missing, malformed or has a bad value.
class ConfigError : public Error {
  public:
    using Error::Error;
};

} // namespace pgqadm
