// ticker: run the ticker and maintenance as a (daemon) process.
#include "pgqadm/cli/commands.hpp"
#include "pgqadm/error.hpp"

namespace pgqadm::cli {

int cmd_ticker(CommandContext&)
{
    throw Error("ticker: not implemented yet");
}

} // namespace pgqadm::cli
