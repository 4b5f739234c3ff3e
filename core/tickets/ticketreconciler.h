#pragma once

#include "result.h"

#include <QStringList>

#include <memory>

namespace LearnPulse {

class Database;
struct Config;

// Makes the ticket index and the transcript files agree after a crash (run at start): a transcript
// the index lacks is indexed again (and its email queued), an index row whose file is gone is
// flagged, and the flag is cleared when the file is back.
class TicketReconciler final
{
public:
    struct Report
    {
        int indexed = 0;
        int flaggedMissing = 0;
        int unflagged = 0;
        int removedDeleted = 0; // transcripts of deleted or erased tickets, removed
        QStringList unreadable; // files that are not transcripts (left alone)
        QStringList notIndexed; // transcripts a seat's login may not index (another account's; left alone)
    };

    TicketReconciler(const Config &config, std::shared_ptr<Database> database);
    Result<Report> run();

private:
    const Config &m_config;
    std::shared_ptr<Database> m_db;
};

} // namespace LearnPulse
