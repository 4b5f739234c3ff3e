#pragma once

#include "result.h"
#include "ticketstore.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>

namespace LearnPulse {

class Database;
struct Actor;

// One message of a ticket's thread after its escalation (DESIGN.md, "The ticket thread").
struct ThreadMessage
{
    qint64 id = 0; // increasing within the index: the thread's order
    QString ticketId;
    QDateTime time;
    QString kind; // "teacher", "assistant", "support" or "note" (internal: never shown to a teacher)
    QString authorId;
    QString authorName;
    QString body;

    bool isNote() const { return kind == QLatin1String("note"); }
    // "Support — Sam Lee", "Internal note — Sam Lee", "Teacher", "Assistant".
    QString speaker() const;
    QJsonObject toJson() const;
};

// What a change to a thread did: the message written and the ticket afterwards.
struct ThreadChange
{
    ThreadMessage message;
    TicketRecord ticket;
    bool reopened = false; // a teacher message reopened a resolved ticket
};

struct CannedReply
{
    QString title;
    QString body;
};

// A ticket's life after it is opened: the thread (teacher follow-ups, the assistant's later answers,
// support replies, internal notes), assignment, the teacher's read mark and rating, and the canned
// replies admins keep. Every change is one write transaction and an audit entry (ids only, never
// text). Teachers reach only their own tickets and never a note. Blocking: use from a worker thread.
class TicketThread final
{
public:
    explicit TicketThread(std::shared_ptr<Database> database);

    static constexpr int maxBodyChars = 20000;

    // Support and admins.
    Result<ThreadChange> reply(const Actor &agent, const QString &ticketId, const QString &body);
    Result<ThreadChange> note(const Actor &agent, const QString &ticketId, const QString &body);
    // `assigneeId` empty: unassigned. The assignee must be a support or admin account.
    Result<TicketRecord> assign(const Actor &agent, const QString &ticketId, const QString &assigneeId);

    // A message the teacher sent in the escalated conversation; reopens a resolved ticket.
    Result<ThreadChange> addTeacherMessage(const Actor &teacher, const QString &ticketId, const QString &body);
    // The assistant's answer in the escalated conversation, so that the agent sees what it said.
    Result<ThreadChange> addAssistantMessage(const Actor &teacher, const QString &ticketId, const QString &body);

    // The thread as `viewer` may read it (a teacher: their own ticket, notes left out), after `afterId`.
    Result<QList<ThreadMessage>> messages(const Actor &viewer, const QString &ticketId, qint64 afterId = 0);
    // The teacher has seen the thread up to `upToId` (never moves back).
    Status markRead(const Actor &teacher, const QString &ticketId, qint64 upToId);
    // Support replies the teacher has not seen yet.
    Result<int> unreadCount(const Actor &teacher, const QString &ticketId);
    // The teacher rates a resolved ticket once per resolution; counted anonymously for the metrics.
    Status rate(const Actor &teacher, const QString &ticketId, bool helpful, const QString &comment);

    Result<QList<CannedReply>> cannedReplies(const Actor &agent);
    Status saveCannedReply(const Actor &admin, const QString &title, const QString &body);
    Status removeCannedReply(const Actor &admin, const QString &title);

    // The thread as text below a transcript (shown, exported, mailed): every line of a message is
    // indented so that no message can forge a header line.
    static QString render(const QList<ThreadMessage> &messages);

private:
    Result<ThreadChange> append(const Actor &actor, const QString &ticketId, const QString &kind, const QString &body);
    // The ticket, if `actor` may see it (a teacher: only their own).
    Result<TicketRecord> ticketFor(const Actor &actor, const QString &ticketId);

    std::shared_ptr<Database> m_db;
    TicketStore m_store;
};

} // namespace LearnPulse
