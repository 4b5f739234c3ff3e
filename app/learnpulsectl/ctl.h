#pragma once

#include <QStringList>

namespace LearnPulse::Ctl {

// learnpulsectl: the core from a shell (DESIGN.md, "learnpulsectl"). Returns the exit code:
// 0 success, 2 bad usage, 1 any other error (with a one-line message on stderr).
int run(const QStringList &arguments);

} // namespace LearnPulse::Ctl
