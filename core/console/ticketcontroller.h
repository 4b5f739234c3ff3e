#pragma once

#include "consolecontext.h"
#include "request.h"
#include "ticketstore.h"
#include "ticketthread.h"

#include <functional>

namespace LearnPulse {

// The value of a ticket-list request: one page, and the number of all matches (-1 for a further page:
// the first page's total stands until the list is reloaded).
struct TicketPage
{
    QList<TicketRecord> rows;
    int total = -1;
};

// The value of a ticket request: the row, its transcript (or why the transcript cannot be shown), its
// thread since the escalation (notes included: only support and admins load tickets) and who else has
// it open.
struct TicketView
{
    TicketRecord ticket;
    QString transcript;
    QString transcriptError;
    QList<ThreadMessage> thread;
    QStringList otherViewers;
};

// The ticket browser's requests, on the console's worker thread. Changes are announced to every console
// (Redis pub/sub lp:tickets) and to the ticket's teacher (their own channel) through `announce`.
class TicketController final
{
public:
    using Announce = std::function<void(const QString &ticketId, const QString &change, const QString &teacherId)>;
    TicketController(ConsoleContext &context, Announce announce);

    RequestResult list(const TicketFilter &filter); // value: TicketPage
    // Also marks the ticket as open on this console (presence) until another is loaded or closeTicket().
    RequestResult load(const QString &ticketId); // value: TicketView
    RequestResult setStatus(const QString &ticketId, const QString &status);
    RequestResult remove(const QString &ticketId);
    // A reply to the teacher, or an internal note. Value: TicketView (the ticket afterwards).
    RequestResult reply(const QString &ticketId, const QString &text, bool note);
    // To the signed-in account, or to nobody. Value: TicketRecord.
    RequestResult assign(const QString &ticketId, bool toMe);
    RequestResult cannedReplies(); // value: QList<CannedReply>
    // Admins: value: the list afterwards.
    RequestResult saveCannedReply(const QString &title, const QString &body);
    RequestResult removeCannedReply(const QString &title);
    void closeTicket();
    // Renews this console's presence on the open ticket; true with `viewers` when the others changed.
    bool refreshPresence(QString *ticketId, QStringList *viewers);

private:
    SessionStore *sessions() const;

    ConsoleContext &m_ctx;
    Announce m_announce;
    QString m_viewing; // the ticket open in this console's browser
    QStringList m_viewers; // the others who had it open at the last look
};

} // namespace LearnPulse

Q_DECLARE_METATYPE(LearnPulse::TicketPage)
Q_DECLARE_METATYPE(LearnPulse::TicketView)
Q_DECLARE_METATYPE(LearnPulse::CannedReply)
