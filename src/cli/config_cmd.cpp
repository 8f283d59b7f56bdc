// config: show or change per-queue settings.
#include "pgqadm/cli/commands.hpp"
#include "pgqadm/error.hpp"

namespace pgqadm::cli {

int cmd_config(CommandContext&)
{
    throw Error("config: not implemented yet");
}

} // namespace pgqadm::cli
