#pragma once

#include <QtGlobal>

#include <memory>

namespace LearnPulse {
struct Config;
class Database;
} // namespace LearnPulse

// What the benchmarks share: a fast generator of a large ticket index, and the process's memory.
namespace LearnPulse::Bench {

// Resident memory of this process (VmRSS), in KiB; -1 when /proc cannot be read.
qint64 residentKiB();

// Fills the index with `n` tickets (files written without fsync, rows in one transaction): a
// generator, not the product's path, so that 100,000 tickets take seconds. The first `forTeacher`
// tickets belong to erase.me@school.example.
void generateIndex(const Config &config, std::shared_ptr<Database> db, int n, int forTeacher);

} // namespace LearnPulse::Bench
