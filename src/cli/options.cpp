#include "pgqadm/cli/options.hpp"

#include "pgqadm/cli/commands.hpp"
#include "pgqadm/error.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <string_view>

namespace pgqadm::cli {

Options parse_options(int argc, const char* const* argv)
{
    Options opts;
    CLI::App app{"pgqadm"};
    app.set_help_flag(); // our own help text, see help_text()
    app.add_flag("-h,--help", opts.help);
    app.add_flag("-V,--version", opts.version);
    app.add_flag("-q,--quiet", opts.quiet);
    app.add_flag("-v,--verbose", opts.verbose);
    app.add_flag("-d,--daemon", opts.daemon);
    app.add_flag("--json", opts.json);
    app.add_flag("--check", opts.check);
    app.add_flag("--force", opts.force);
    // -r/-s/-k store into one destination; the last one given wins (optparse store_const).
    auto control = [&opts](int sig) {
        return [&opts, sig](std::int64_t) { opts.control_signal = sig; };
    };
    app.add_flag_function("-r,--reload", control(SIGHUP));
    app.add_flag_function("-s,--stop", control(SIGINT));
    app.add_flag_function("-k,--kill", control(SIGTERM));
    app.add_option("args", opts.positionals);
    app.allow_extras(false);
    app.positionals_at_end(false);
    try {
        std::vector<std::string> args;
        for (int i = argc - 1; i >= 1; --i)
            args.emplace_back(argv[i]);
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        throw UsageError(std::string("bad command line: ") + e.what() + " (see --help)");
    }
    // When -r/-s/-k appear several times, CLI11 calls the callbacks in
    // declaration order, not argv order; redo "last wins" from argv.
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "--")
            break;
        if (a == "-r" || a == "--reload")
            opts.control_signal = SIGHUP;
        else if (a == "-s" || a == "--stop")
            opts.control_signal = SIGINT;
        else if (a == "-k" || a == "--kill")
            opts.control_signal = SIGTERM;
    }
    return opts;
}

std::string help_text()
{
    std::string out = "Usage: pgqadm [options] INI CMD [subcmd args]\n\ncommands:\n";
    for (const Command& cmd : command_table()) {
        std::string left = cmd.name;
        if (!cmd.arg_usage.empty())
            left += " " + cmd.arg_usage;
        out += "  " + left + std::string(left.size() < 25 ? 25 - left.size() : 1, ' ') + cmd.help +
               "\n";
        if (cmd.blank_line_after)
            out += "\n";
    }
    out += "\nOptions:\n"
           "  -h, --help      show this help message and exit\n"
           "  -q, --quiet     make program silent\n"
           "  -v, --verbose   make program verbose\n"
           "  -d, --daemon    go background\n"
           "  -V, --version   print version info and exit\n"
           "  --json          status: print one JSON document\n"
           "  --check         status: one line, exit 0/1/2 (ok/warning/critical)\n"
           "  --force         drop: unregister consumers first; install: over a foreign pgq\n"
           "\n"
           "  control running process:\n"
           "    -r, --reload  reload config (send SIGHUP)\n"
           "    -s, --stop    stop program safely (send SIGINT)\n"
           "    -k, --kill    kill program immediately (send SIGTERM)\n";
    return out;
}

} // namespace pgqadm::cli
