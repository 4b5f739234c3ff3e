#pragma once

#include <span>

namespace LearnPulse::Schema {

constexpr int currentVersion = 10;

// The statements that bring the index from version - 1 to `version` (1..currentVersion). PostgreSQL
// starts at version 6 (its step 6 creates what SQLite reached through 1 to 6; its steps 1 to 5 are empty).
std::span<const char *const> sqliteStep(int version);
std::span<const char *const> postgresStep(int version);

} // namespace LearnPulse::Schema
