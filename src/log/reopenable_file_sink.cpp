#include "pgqadm/log/reopenable_file_sink.hpp"

#include "pgqadm/error.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace pgqadm::log {

ReopenableFileSink::ReopenableFileSink(std::string path, std::size_t max_size,
                                       std::size_t max_files)
    : path_(std::move(path)), max_size_(max_size), max_files_(max_files)
{
    open_locked();
}

ReopenableFileSink::~ReopenableFileSink()
{
    if (file_)
        std::fclose(file_);
}

void ReopenableFileSink::open_locked()
{
    if (file_)
        std::fclose(file_);
    file_ = std::fopen(path_.c_str(), "a");
    if (!file_)
        throw Error("cannot open log file " + path_ + ": " + std::strerror(errno));
    std::error_code ec;
    auto size = std::filesystem::file_size(path_, ec);
    size_ = ec ? 0 : static_cast<std::size_t>(size);
}

void ReopenableFileSink::reopen()
{
    std::lock_guard guard(mutex_);
    open_locked();
}

void ReopenableFileSink::set_limits(std::size_t max_size, std::size_t max_files)
{
    std::lock_guard guard(mutex_);
    max_size_ = max_size;
    max_files_ = max_files;
}

void ReopenableFileSink::rotate_locked()
{
    std::fclose(file_);
    file_ = nullptr;
    std::error_code ec;
    for (std::size_t i = max_files_; i >= 1; --i) {
        std::string from = i == 1 ? path_ : path_ + "." + std::to_string(i - 1);
        std::string to = path_ + "." + std::to_string(i);
        if (std::filesystem::exists(from, ec))
            std::filesystem::rename(from, to, ec);
    }
    open_locked();
}

void ReopenableFileSink::sink_it_(const spdlog::details::log_msg& msg)
{
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    if (max_size_ > 0 && max_files_ > 0 && size_ > 0 && size_ + formatted.size() > max_size_)
        rotate_locked();
    if (!file_)
        return;
    std::fwrite(formatted.data(), 1, formatted.size(), file_);
    size_ += formatted.size();
}

void ReopenableFileSink::flush_()
{
    if (file_)
        std::fflush(file_);
}

} // namespace pgqadm::log
