// JobControl's wake-ups: the ticker waits on its database socket and must
// still see a stop or a reload at once.
#include "pgqadm/ticker/job_control.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <future>

using namespace pgqadm::ticker;
using namespace std::chrono_literals;

namespace {

struct Pipe {
    int fds[2] = {-1, -1};
    Pipe() { EXPECT_EQ(pipe(fds), 0); }
    ~Pipe()
    {
        close(fds[0]);
        close(fds[1]);
    }
    int read_end() const { return fds[0]; }
    void put() const { EXPECT_EQ(write(fds[1], "x", 1), 1); }
};

} // namespace

TEST(JobControl, WaitReadableSeesDataAndTimesOut)
{
    JobControl control({});
    Pipe p;
    EXPECT_FALSE(control.wait_readable(p.read_end(), 10ms));
    p.put();
    EXPECT_TRUE(control.wait_readable(p.read_end(), 3600s));
}

TEST(JobControl, StopWakesAWaitOnAQuietSocket)
{
    JobControl control({});
    Pipe p;
    auto waiter =
        std::async(std::launch::async, [&] { return control.wait_readable(p.read_end(), 3600s); });
    control.request_stop();
    EXPECT_FALSE(waiter.get()); // returns at once, not after an hour
    EXPECT_FALSE(control.wait_readable(p.read_end(), 3600s)) << "stopped: no more waiting";
}

TEST(JobControl, AReloadBeforeTheWaitIsNotLost)
{
    JobControl control({});
    Pipe p;
    control.update({}); // e.g. SIGHUP between the ticker's checks and its wait
    EXPECT_FALSE(control.wait_readable(p.read_end(), 3600s));
    // consumed: the next wait sleeps until its timeout
    EXPECT_FALSE(control.wait_readable(p.read_end(), 10ms));
    p.put();
    EXPECT_TRUE(control.wait_readable(p.read_end(), 3600s));
}
