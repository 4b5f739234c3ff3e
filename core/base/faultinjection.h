#pragma once

#include <QByteArray>

namespace LearnPulse {

// Crash-safety tests kill a process for real (SIGKILL) at a named point of ticket creation: set
// LEARNPULSE_CRASH_AT to "after_claim", "after_transcript" or "after_index". Unset (always, outside
// those tests), this does nothing.
void crashPoint(const char *name);

} // namespace LearnPulse
