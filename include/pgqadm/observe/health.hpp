// /healthz and /readyz: verdicts on the ticker loop's own reports.
#pragma once
#include "pgqadm/ticker/job_control.hpp"

#include <string>

namespace pgqadm::observe {

struct Verdict {
    bool ok = false;
    std::string reason; ///< one line, for the response body and STATUS=
};

/// Alive: the loop came back when it said it would, give or take a grace
/// of max(20 s, 10 loop_delay) (a connection attempt may take 15 s).
Verdict alive(const ticker::LoopStatus& loop, double loop_delay);

/// Ready: connected, and either leading with a recent round (within
/// max(10 s, 5 loop_delay)) or standing by with a recent check of the lead.
/// Not ready from the first failed attempt until one succeeds.
Verdict ready(const ticker::LoopStatus& loop, double loop_delay);

/// A one-line summary for systemd's STATUS=.
std::string summary(const ticker::LoopStatus& loop, long ticks_total);

} // namespace pgqadm::observe
