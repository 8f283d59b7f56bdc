// A spdlog sink writing to a file that rotates by size (file.1 .. file.N, like
// Python's RotatingFileHandler) and can be reopened on demand. spdlog's own
// file sinks cannot be reopened after logrotate renamed the file.
#pragma once
#include <spdlog/sinks/base_sink.h>

#include <cstdio>
#include <mutex>
#include <string>

namespace pgqadm::log {

class ReopenableFileSink : public spdlog::sinks::base_sink<std::mutex> {
  public:
    ReopenableFileSink(std::string path, std::size_t max_size, std::size_t max_files);
    ~ReopenableFileSink() override;
    ReopenableFileSink(const ReopenableFileSink&) = delete;
    ReopenableFileSink& operator=(const ReopenableFileSink&) = delete;

    const std::string& path() const { return path_; }
    void reopen();
    void set_limits(std::size_t max_size, std::size_t max_files);

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override;
    void flush_() override;

  private:
    void open_locked();
    void rotate_locked();

    std::string path_;
    std::size_t max_size_;
    std::size_t max_files_;
    std::FILE* file_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace pgqadm::log
