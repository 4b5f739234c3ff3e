#pragma once

#include "consolecontext.h"
#include "request.h"
#include "ticketstore.h"

#include <functional>

namespace LearnPulse {

// The value of a ticket-list request: one page, and the number of all matches (-1 for a further page:
// the first page's total stands until the list is reloaded).
struct TicketPage
{
    QList<TicketRecord> rows;
    int total = -1;
};

// The value of a ticket request: the row and its transcript (or why the transcript cannot be shown).
struct TicketView
{
    TicketRecord ticket;
    QString transcript;
    QString transcriptError;
};

// The ticket browser's requests, on the console's worker thread. Changes are announced to every console
// (Redis pub/sub lp:tickets) through `announce`.
class TicketController final
{
public:
    using Announce = std::function<void(const QString &ticketId, const QString &change)>;
    TicketController(ConsoleContext &context, Announce announce);

    RequestResult list(const TicketFilter &filter); // value: TicketPage
    RequestResult load(const QString &ticketId); // value: TicketView
    RequestResult setStatus(const QString &ticketId, const QString &status);
    RequestResult remove(const QString &ticketId);

private:
    ConsoleContext &m_ctx;
    Announce m_announce;
};

} // namespace LearnPulse

Q_DECLARE_METATYPE(LearnPulse::TicketPage)
Q_DECLARE_METATYPE(LearnPulse::TicketView)
