#include "ticketstore.h"

#include "database.h"
#include "logging.h"
#include "outbox.h"
#include "roles.h"
#include "ticketrows_p.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>

namespace LearnPulse {

using TicketRows::columns;
using TicketRows::fromQuery;

namespace {

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

// A null QString binds as SQL NULL; the text columns of the index are NOT NULL.
QVariant text(const QString &s)
{
    return s.isNull() ? QVariant(QStringLiteral("")) : QVariant(s);
}

QString notFound(const QString &ticketId)
{
    return QStringLiteral("No ticket %1.").arg(ticketId);
}

} // namespace

QJsonObject TicketRecord::toJson() const
{
    return QJsonObject {
        { QStringLiteral("ticket_id"), id },
        { QStringLiteral("session"), sessionId },
        { QStringLiteral("user_id"), userId },
        { QStringLiteral("teacher_name"), teacherName },
        { QStringLiteral("teacher_email"), teacherEmail },
        { QStringLiteral("teacher_role"), teacherRole },
        { QStringLiteral("class_id"), classId },
        { QStringLiteral("student"), student },
        { QStringLiteral("scope"), scope },
        { QStringLiteral("created"), iso(created) },
        { QStringLiteral("updated"), iso(updated) },
        { QStringLiteral("summary"), summary },
        { QStringLiteral("signal_count"), signalCount },
        { QStringLiteral("rules"), QJsonArray::fromStringList(rules) },
        { QStringLiteral("status"), status },
        { QStringLiteral("email_status"), emailStatus },
        { QStringLiteral("conversation_file"), conversationFile },
        { QStringLiteral("integrity"), integrity },
        { QStringLiteral("assignee_id"), assigneeId },
        { QStringLiteral("assignee_name"), assigneeName },
        { QStringLiteral("waiting_since"), waitingSince.isValid() ? QJsonValue(iso(waitingSince)) : QJsonValue() },
        { QStringLiteral("rating"), rating.isEmpty() ? QJsonValue() : QJsonValue(rating) },
    };
}

double TicketRecord::waitingHours(const QDateTime &now) const
{
    return waitingSince.isValid() ? workingHoursBetween(waitingSince, now) : -1;
}

double TicketRecord::workingHoursBetween(const QDateTime &start, const QDateTime &finish)
{
    const QDateTime from = start.toUTC();
    const QDateTime to = finish.toUTC();
    if (to <= from)
        return 0;
    // Whole days are walked (at most a few hundred for a forgotten ticket); the seconds of each that are
    // not on a Saturday or Sunday count.
    qint64 seconds = 0;
    QDateTime cursor = from;
    while (cursor < to) {
        const QDateTime dayEnd = cursor.date().addDays(1).startOfDay(Qt::UTC);
        const QDateTime end = qMin(dayEnd, to);
        if (cursor.date().dayOfWeek() <= 5)
            seconds += cursor.secsTo(end);
        cursor = end;
    }
    return seconds / 3600.0;
}

TicketStore::TicketStore(std::shared_ptr<Database> database, QString ticketsDir)
    : m_db(std::move(database))
    , m_ticketsDir(std::move(ticketsDir))
{ }

QStringList TicketStore::statuses()
{
    return { QStringLiteral("open"), QStringLiteral("in_progress"), QStringLiteral("resolved") };
}

QString TicketStore::notWaiting()
{
    return QStringLiteral("9999-12-31T23:59:59Z");
}

bool TicketStore::isValidStatus(const QString &status)
{
    return statuses().contains(status);
}

Result<TicketStore::InsertResult> TicketStore::insert(
    const TicketRecord &r, const QString &transcript, const QList<OutboxItem> &outbox)
{
    using R = Result<InsertResult>;
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!m_db->beginWrite(q))
        return R::failure(QStringLiteral("Cannot write the ticket index: %1").arg(Database::errorOf(q)));

    q.prepare(QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM tickets t WHERE t.session_id = ?"));
    q.addBindValue(r.sessionId);
    if (q.exec() && q.next()) {
        InsertResult existing { InsertOutcome::SessionHasTicket, fromQuery(q) };
        q.finish();
        q.exec(QStringLiteral("ROLLBACK"));
        return existing;
    }
    q.finish();

    if (m_db->seatLogin()) {
        // A seat's login opens a ticket only as its own account, through the database's function (which
        // queues the outbox entries by kind: delivery takes nothing else from a row).
        if (r.userId != m_db->seatLogin()->userId) {
            q.exec(QStringLiteral("ROLLBACK"));
            return R::failure(QStringLiteral("Cannot write the ticket index: this seat's database login opens tickets "
                                             "of its own account only."));
        }
        QStringList kinds;
        for (const OutboxItem &item : outbox)
            kinds << item.kind;
        q.prepare(QStringLiteral("SELECT lp_create_ticket(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        for (const QVariant &v : QVariantList { text(r.id), text(r.sessionId), iso(r.created), text(r.summary),
                 r.signalCount, text(r.rules.join(QLatin1Char(','))), text(r.conversationFile), transcript,
                 text(r.classId), text(r.student), text(r.scope), text(r.emailStatus), kinds.join(QLatin1Char(',')) })
            q.addBindValue(v);
        if (!q.exec() || !q.exec(QStringLiteral("COMMIT"))) {
            const QString error = Database::errorOf(q);
            q.exec(QStringLiteral("ROLLBACK"));
            return R::failure(QStringLiteral("Cannot write the ticket index: %1").arg(error));
        }
        return InsertResult {};
    }
    q.prepare(QStringLiteral(
        "INSERT INTO tickets (id, session_id, user_id, teacher_name, teacher_email, teacher_role, "
        "class_id, student, scope, created, updated, summary, signal_count, rules, status, "
        "email_status, conversation_file, waiting_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "RETURNING seq"));
    for (const QVariant &v : QVariantList { text(r.id), text(r.sessionId), text(r.userId), text(r.teacherName),
             text(r.teacherEmail), text(r.teacherRole), text(r.classId), text(r.student), text(r.scope), iso(r.created),
             iso(r.created), text(r.summary), r.signalCount, text(r.rules.join(QLatin1Char(','))), text(r.status),
             text(r.emailStatus), text(r.conversationFile), iso(r.created) })
        q.addBindValue(v);
    bool ok = q.exec();
    QString error = ok ? QString() : Database::errorOf(q);
    if (ok) {
        // The full-text row shares the ticket's integer key (see schema version 5).
        const QVariant seq = q.next() ? q.value(0) : QVariant();
        q.prepare(QStringLiteral("INSERT INTO tickets_fts (rowid, ticket_id, transcript) VALUES (?, ?, ?)"));
        q.addBindValue(seq);
        q.addBindValue(r.id);
        q.addBindValue(transcript);
        ok = q.exec();
        if (!ok)
            error = Database::errorOf(q);
    }
    const QString now = Outbox::timestamp(QDateTime::currentDateTimeUtc());
    for (const OutboxItem &item : outbox) {
        if (!ok)
            break;
        q.prepare(QStringLiteral("INSERT INTO outbox (ticket_id, kind, payload, state, tries, next_attempt, created) "
                                 "VALUES (?, ?, ?, 'pending', 0, ?, ?)"));
        q.addBindValue(r.id);
        q.addBindValue(item.kind);
        q.addBindValue(QString::fromUtf8(QJsonDocument(item.payload).toJson(QJsonDocument::Compact)));
        q.addBindValue(now);
        q.addBindValue(now);
        ok = q.exec();
        if (!ok)
            error = Database::errorOf(q);
    }
    if (ok && !q.exec(QStringLiteral("COMMIT"))) {
        ok = false;
        error = Database::errorOf(q);
    }
    if (!ok) {
        q.exec(QStringLiteral("ROLLBACK"));
        return R::failure(QStringLiteral("Cannot write the ticket index: %1").arg(error));
    }
    return InsertResult {};
}

Result<TicketRecord> TicketStore::find(const Actor &actor, const QString &ticketId)
{
    // A teacher finds their own tickets only; another teacher's ticket is "not found", not "refused".
    const bool ownOnly = !isAllowed(actor, Permission::ViewTickets);
    if (ownOnly && (actor.role != Role::Teacher || actor.userId.isEmpty()))
        return Result<TicketRecord>::failure(refusal(actor, Permission::ViewTickets));
    auto rows = ownOnly ? select(QStringLiteral("t.id = ? AND t.user_id = ?"), { ticketId, actor.userId })
                        : select(QStringLiteral("t.id = ?"), { ticketId });
    if (!rows)
        return Result<TicketRecord>::failure(rows.error());
    if (rows->isEmpty())
        return Result<TicketRecord>::failure(notFound(ticketId));
    return rows->constFirst();
}

QString TicketStore::transcriptNameFor(const QString &ticketId)
{
    static const QRegularExpression shape(QStringLiteral("\\ATICKET-([0-9a-f]{8})-([0-9]{8})([0-9]{6})\\z"));
    const auto m = shape.match(ticketId);
    return m.hasMatch() ? QStringLiteral("support_ticket_%1_%2_%3.txt").arg(m.captured(1), m.captured(2), m.captured(3))
                        : QString();
}

Result<QString> TicketStore::checkedTranscriptFile(const TicketRecord &ticket, const QString &ticketsDir)
{
    using R = Result<QString>;
    const QString path = ticket.conversationFile;
    const QString expected = transcriptNameFor(ticket.id);
    if (!path.isEmpty() && !path.contains(QLatin1Char('/'))) {
        // A bare name (a ticket a seat's login opened on PostgreSQL: the index names no seat's folder): the file is
        // in the ticket folder of the seat that wrote it, so each seat looks in its own.
        if (expected.isEmpty() || path != expected)
            return R::failure(
                QStringLiteral("The index names a transcript file that is not this ticket's; it was not used."),
                ErrorKind::BadInput);
        if (ticketsDir.isEmpty())
            return R::failure(QStringLiteral("The transcript of %1 is at the seat that wrote it.").arg(ticket.id),
                ErrorKind::NotFound);
        const QFileInfo local(ticketsDir + QLatin1Char('/') + path);
        if (local.isSymLink() || (local.exists() && !local.isFile()))
            return R::failure(
                QStringLiteral("The transcript of %1 is not a plain file; it was not used.").arg(ticket.id),
                ErrorKind::BadInput);
        return local.filePath();
    }
    const QFileInfo info(path);
    if (expected.isEmpty() || path.isEmpty() || !info.isAbsolute() || info.fileName() != expected
        || path.contains(QLatin1String("/../")) || path.contains(QLatin1String("/./"))
        || info.dir().dirName() != QLatin1String("support_tickets"))
        return R::failure(
            QStringLiteral("The index names a transcript file that is not this ticket's; it was not used."),
            ErrorKind::BadInput);
    if (!ticketsDir.isEmpty()
        && QFileInfo(info.absolutePath()).canonicalFilePath() != QFileInfo(ticketsDir).canonicalFilePath())
        return R::failure(QStringLiteral("The index names a transcript file outside this seat's ticket folder; it was "
                                         "not used."),
            ErrorKind::BadInput);
    if (info.isSymLink() || (info.exists() && !info.isFile()))
        return R::failure(QStringLiteral("The transcript of %1 is not a plain file; it was not used.").arg(ticket.id),
            ErrorKind::BadInput);
    return path;
}

Result<QString> TicketStore::transcript(const Actor &actor, const TicketRecord &ticket)
{
    using R = Result<QString>;
    if (const QString refused = refusal(actor, Permission::ViewTickets); !refused.isEmpty())
        return R::failure(refused);
    auto path = checkedTranscriptFile(ticket, m_ticketsDir);
    QString fileError;
    if (path) {
        QFile file(path.value());
        if (file.open(QIODevice::ReadOnly))
            return QString::fromUtf8(file.readAll());
        fileError = file.errorString();
    } else {
        qCWarning(lcTickets).noquote() << QStringLiteral("Transcript path refused ticket=") + ticket.id;
        fileError = path.error();
    }
    auto copy = indexedTranscript(ticket.id);
    if (!copy)
        return R::failure(
            QStringLiteral("The transcript of %1 cannot be read (%2), and %3").arg(ticket.id, fileError, copy.error()));
    return copy;
}

Result<QString> TicketStore::indexedTranscript(const QString &ticketId)
{
    using R = Result<QString>;
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(
        QStringLiteral("SELECT transcript FROM tickets_fts WHERE rowid = (SELECT seq FROM tickets WHERE id = ?)"));
    q.addBindValue(ticketId);
    if (!q.exec())
        return R::failure(QStringLiteral("the index cannot be read: %1").arg(Database::errorOf(q)));
    if (!q.next())
        return R::failure(QStringLiteral("the index holds no copy of the transcript of %1.").arg(ticketId));
    return q.value(0).toString();
}

bool TicketStore::recordDeleted(QSqlQuery &q, const QStringList &ticketIds)
{
    const QString now = iso(QDateTime::currentDateTimeUtc());
    for (const QString &id : ticketIds) {
        // Deleted twice (a re-run after a crash): the first record stands.
        q.prepare(QStringLiteral("INSERT INTO deleted_tickets (id, deleted) SELECT ?, ? "
                                 "WHERE NOT EXISTS (SELECT 1 FROM deleted_tickets WHERE id = ?)"));
        q.addBindValue(id);
        q.addBindValue(now);
        q.addBindValue(id);
        if (!q.exec())
            return false;
    }
    return true;
}

Result<bool> TicketStore::wasDeleted(const QString &ticketId)
{
    auto conn = m_db->connection();
    if (!conn)
        return Result<bool>::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(QStringLiteral("SELECT 1 FROM deleted_tickets WHERE id = ?"));
    q.addBindValue(ticketId);
    if (!q.exec())
        return Result<bool>::failure(QStringLiteral("Cannot read the index: %1").arg(Database::errorOf(q)));
    return q.next();
}

Result<TicketRecord> TicketStore::findBySession(const QString &sessionId)
{
    auto rows = select(QStringLiteral("t.session_id = ?"), { sessionId });
    if (!rows)
        return Result<TicketRecord>::failure(rows.error());
    if (rows->isEmpty())
        return Result<TicketRecord>::failure(QStringLiteral("No ticket for session %1.").arg(sessionId));
    return rows->constFirst();
}

Status TicketStore::setStatus(const Actor &actor, const QString &ticketId, const QString &status)
{
    if (const QString refused = refusal(actor, Permission::ChangeTicketStatus); !refused.isEmpty())
        return Status::failure(refused);
    if (!isValidStatus(status))
        return Status::failure(
            QStringLiteral("Unknown status \"%1\": use one of %2.").arg(status, statuses().join(QLatin1String(", "))));
    auto conn = m_db->connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    // A resolved ticket waits for nobody (a teacher message reopens it and starts the wait again).
    q.prepare(QStringLiteral("UPDATE tickets SET status = ?, updated = ?, waiting_since = CASE WHEN ? = 'resolved' "
                             "THEN ? ELSE waiting_since END WHERE id = ?"));
    q.addBindValue(status);
    q.addBindValue(iso(QDateTime::currentDateTimeUtc()));
    q.addBindValue(status);
    q.addBindValue(notWaiting());
    q.addBindValue(ticketId);
    if (!q.exec())
        return Status::failure(QStringLiteral("Cannot update the ticket: %1").arg(Database::errorOf(q)));
    if (q.numRowsAffected() == 0)
        return Status::failure(notFound(ticketId));
    qCInfo(lcTickets).noquote() << QStringLiteral("Ticket status changed ticket=") + ticketId
                                << QStringLiteral("status=") + status;
    return m_db->audit(actor, QStringLiteral("ticket.status"), ticketId, status);
}

Status TicketStore::remove(const Actor &actor, const QString &ticketId)
{
    if (const QString refused = refusal(actor, Permission::DeleteTicket); !refused.isEmpty())
        return Status::failure(refused);
    auto record = find(actor, ticketId);
    if (!record)
        return Status::failure(record.error());
    auto conn = m_db->connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!m_db->beginWrite(q))
        return Status::failure(QStringLiteral("Cannot delete the ticket: %1").arg(Database::errorOf(q)));
    bool ok = true;
    for (const QString &sql :
        { QStringLiteral("DELETE FROM tickets_fts WHERE rowid = (SELECT seq FROM tickets WHERE id = ?)"),
            QStringLiteral("DELETE FROM outbox WHERE ticket_id = ? AND state <> 'sent'"),
            QStringLiteral("DELETE FROM ticket_messages WHERE ticket_id = ?"),
            QStringLiteral("DELETE FROM tickets WHERE id = ?") }) {
        q.prepare(sql);
        q.addBindValue(ticketId);
        ok = ok && q.exec();
    }
    ok = ok && recordDeleted(q, { ticketId });
    if (!ok || !q.exec(QStringLiteral("COMMIT"))) {
        const QString error = Database::errorOf(q);
        q.exec(QStringLiteral("ROLLBACK"));
        return Status::failure(QStringLiteral("Cannot delete the ticket: %1").arg(error));
    }
    // Only the ticket's own transcript file is removed, whatever the row says.
    if (auto path = checkedTranscriptFile(record.value(), m_ticketsDir); !path) {
        qCWarning(lcTickets).noquote() << QStringLiteral("Transcript path refused ticket=") + ticketId;
    } else if (QFile::exists(path.value()) && !QFile::remove(path.value())) {
        return Status::failure(QStringLiteral("The ticket was removed from the index, but its transcript %1 could not "
                                              "be deleted; delete it by hand.")
                                   .arg(path.value()));
    }
    qCInfo(lcTickets).noquote() << QStringLiteral("Ticket deleted ticket=") + ticketId;
    return m_db->audit(actor, QStringLiteral("ticket.delete"), ticketId);
}

} // namespace LearnPulse
