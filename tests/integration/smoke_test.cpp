#include "support/test_support.hpp"

using namespace pgqadm::test;

TEST_F(DbTest, HarnessConnectsToTheThrowawayCluster)
{
    EXPECT_EQ(scalar("select 1"), "1");
    EXPECT_EQ(scalar("select current_database()"), dbname_);
    EXPECT_EQ(scalar("select current_setting('server_version_num')::int / 10000"), "15");
}
