#include "pgqadm/cli/commands.hpp"

namespace pgqadm::cli {

const std::vector<Command>& command_table()
{
    static const std::vector<Command> table{
        {"ticker", 0, 0, "", "start ticking & maintenance process", false, true, cmd_ticker},
        {"status", 0, 0, "", "show overview of queue health", false, true, cmd_status},
        {"install", 0, 0, "", "install code into db", true, false, cmd_install},
        {"create", 1, 1, "QNAME", "create queue", true, false, cmd_create},
        {"drop", 1, 1, "QNAME", "drop queue", true, false, cmd_drop},
        {"register", 2, 2, "QNAME CONS", "register consumer on queue", true, false, cmd_register},
        {"unregister", 2, 2, "QNAME CONS", "unregister consumer from queue", true, false,
         cmd_unregister},
        {"config", 0, -1, "QNAME [VAR=VAL]", "show or change queue config", true, false,
         cmd_config},
    };
    return table;
}

const Command* find_command(const std::string& name)
{
    for (const Command& cmd : command_table())
        if (cmd.name == name)
            return &cmd;
    return nullptr;
}

} // namespace pgqadm::cli
