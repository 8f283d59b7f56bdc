// status: overview of queues and consumers (text and --json).
#include "pgqadm/cli/commands.hpp"
#include "pgqadm/error.hpp"

namespace pgqadm::cli {

int cmd_status(CommandContext&)
{
    throw Error("status: not implemented yet");
}

} // namespace pgqadm::cli
