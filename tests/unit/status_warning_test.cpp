// status warns before PostgreSQL's NOTIFY queue fills up (issue 14).
#include "pgqadm/cli/status.hpp"

#include <gtest/gtest.h>

using pgqadm::cli::notification_queue_warning;

TEST(StatusWarnings, NotificationQueueAboveHalfFull)
{
    EXPECT_FALSE(notification_queue_warning(0));
    EXPECT_FALSE(notification_queue_warning(0.2));
    EXPECT_FALSE(notification_queue_warning(0.5));
    auto warning = notification_queue_warning(0.63);
    ASSERT_TRUE(warning);
    EXPECT_NE(warning->find("notification queue is 63% full"), std::string::npos) << *warning;
    EXPECT_NE(warning->find("NOTIFY fails"), std::string::npos) << *warning;
    EXPECT_TRUE(notification_queue_warning(1.0));
}
