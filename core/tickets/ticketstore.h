#pragma once

#include "outbox.h"
#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

class QSqlQuery;

namespace LearnPulse {

class Database;
struct Actor;

// One row of the ticket index.
struct TicketRecord
{
    QString id;
    QString sessionId;
    QString userId;
    QString teacherName;
    QString teacherEmail;
    QString teacherRole;
    QString classId;
    QString student;
    QString scope;
    QDateTime created;
    QDateTime updated;
    QString summary;
    int signalCount = 0;
    QStringList rules;
    QString status = QStringLiteral("open");
    QString emailStatus = QStringLiteral("pending");
    QString conversationFile;
    QString integrity; // empty, or what is wrong ("transcript missing")
    QString assigneeId; // the support agent or admin who has the ticket; empty: unassigned
    QString assigneeName;
    QDateTime waitingSince; // the oldest teacher message without a reply; invalid: nobody waits
    qint64 teacherRead = 0; // the newest thread message the teacher has seen
    QString rating; // "helpful", "not_helpful" or empty
    QString ratingComment;

    // Hours a teacher has waited for a reply at `now`, weekends not counted (the first-response
    // target counts working days); negative when nobody waits.
    double waitingHours(const QDateTime &now) const;
    static double workingHoursBetween(const QDateTime &from, const QDateTime &to);

    QJsonObject toJson() const;
};

struct TicketFilter
{
    QString teacherEmail;
    QString search; // words to find in the transcript (all of them, as prefixes)
    QString status;
    int limit = 0; // 0: no limit
    int offset = 0;
    // Keyset paging: the id of the last row of the previous page; the page starts after it in the sort
    // order (then `offset` is not used), so that every page costs about what the first one costs.
    QString afterId;
    QDate from; // created on or after this day (UTC), if valid
    QDate to; // created on or before this day (UTC), if valid
    enum class Assignment
    {
        All,
        Mine, // assigned to `viewerId`
        Unassigned,
    };
    Assignment assignment = Assignment::All;
    QString viewerId;
    QString sortColumn = QStringLiteral("created"); // one of sortableColumns()
    bool descending = true;
};

// The ticket index: rows in the database plus an FTS5 full-text index over each transcript. One
// ticket per session is enforced by a unique constraint. Privileged operations take the acting user
// and refuse with a readable error (DESIGN.md, "Users").
class TicketStore final
{
public:
    // `ticketsDir`: this seat's ticket folder, the only one whose transcripts it reads or removes (empty: any
    // folder named "support_tickets", for stores that never touch a transcript file).
    explicit TicketStore(std::shared_ptr<Database> database, QString ticketsDir = {});
    const std::shared_ptr<Database> &database() const { return m_db; }

    static bool isValidStatus(const QString &status);
    // The `waiting_since` of a ticket on which nobody waits (sorts after every real time).
    static QString notWaiting();
    static QStringList statuses();

    enum class InsertOutcome
    {
        Inserted,
        SessionHasTicket, // `existing` holds the session's ticket
    };
    struct InsertResult
    {
        InsertOutcome outcome = InsertOutcome::Inserted;
        TicketRecord existing;
    };
    // Inserts the ticket, its full-text entry and its outbox items in one transaction.
    Result<InsertResult> insert(
        const TicketRecord &record, const QString &transcript, const QList<OutboxItem> &outbox = {});

    // The ticket's transcript: its file, or, when the file cannot be read here (another seat wrote it,
    // or it is gone), the copy in the full-text index.
    Result<QString> transcript(const Actor &actor, const TicketRecord &ticket);
    // The ticket's transcript file as the index names it, checked before anything reads or removes it: a row
    // is not trusted (another seat, or anyone with the database, can write it). It must be the file name this
    // ticket's ID gives ("support_ticket_<8 hex>_<yyyyMMdd>_<HHmmss>.txt") in a folder "support_tickets" (when
    // `ticketsDir` is given: that folder), with no ".." and no symbolic link on the way. Error: why not.
    static Result<QString> checkedTranscriptFile(const TicketRecord &ticket, const QString &ticketsDir = {});
    // The transcript file name of a ticket ID, or empty for an ID of another shape.
    static QString transcriptNameFor(const QString &ticketId);
    // The copy of a ticket's transcript in the full-text index.
    Result<QString> indexedTranscript(const QString &ticketId);

    // Records, inside the caller's write transaction, that these tickets were deleted (erased, expired):
    // a transcript file of theirs found later is deleted, not indexed again. False on failure.
    static bool recordDeleted(QSqlQuery &query, const QStringList &ticketIds);
    // Whether the ticket was deleted.
    Result<bool> wasDeleted(const QString &ticketId);
    // Support and admins find any ticket; a teacher only their own.
    Result<TicketRecord> find(const Actor &actor, const QString &ticketId);
    Result<TicketRecord> findBySession(const QString &sessionId);
    Result<QList<TicketRecord>> list(const Actor &actor, const TicketFilter &filter);
    // How many tickets match the filter (its limit and offset aside).
    Result<int> count(const Actor &actor, const TicketFilter &filter);
    // A page and how many tickets match in all (the browser's first page): with a full-text search in
    // one query, so that the search runs once (docs/BENCHMARKS.md).
    Result<std::pair<QList<TicketRecord>, int>> listWithTotal(const Actor &actor, const TicketFilter &filter);
    static QStringList sortableColumns();
    Status setStatus(const Actor &actor, const QString &ticketId, const QString &status);
    // Removes the row, its full-text entry and the transcript file.
    Status remove(const Actor &actor, const QString &ticketId);

private:
    Result<QList<TicketRecord>> list(const Actor &actor, const TicketFilter &filter, int *total);
    // `total`, when given, receives how many rows match in all (limit and offset aside), or -1 when the
    // page is empty.
    Result<QList<TicketRecord>> select(const QString &where, const QVariantList &values, int limit = 0, int offset = 0,
        const QString &orderBy = {}, int *total = nullptr);
    // The WHERE clause and values of a filter, or an error for a bad filter.
    Result<std::pair<QString, QVariantList>> whereFor(const TicketFilter &filter) const;

    std::shared_ptr<Database> m_db;
    QString m_ticketsDir;
};

} // namespace LearnPulse
