#include "ticketthread.h"

#include "database.h"
#include "logging.h"
#include "messagevalidator.h"
#include "roles.h"
#include "words.h"

#include <QRegularExpression>
#include <QSqlQuery>

namespace LearnPulse {

namespace {

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

// Every kind of line break a message may hold, so that none starts an unindented line.
const QRegularExpression &lineBreaks()
{
    static const QRegularExpression re(QStringLiteral("\\r\\n|[\\r\\n\\x{0085}\\x{2028}\\x{2029}]"));
    return re;
}

ThreadMessage messageFrom(const QSqlQuery &q)
{
    ThreadMessage m;
    int i = 0;
    m.id = q.value(i++).toLongLong();
    m.ticketId = q.value(i++).toString();
    m.time = QDateTime::fromString(q.value(i++).toString(), Qt::ISODate);
    m.kind = q.value(i++).toString();
    m.authorId = q.value(i++).toString();
    // A row is not trusted: a name stays on its line, and no text carries a control character.
    m.authorName = MessageValidator::neutralise(q.value(i++).toString()).replace(QLatin1Char('\n'), QLatin1Char(' '));
    m.body = MessageValidator::neutralise(q.value(i++).toString());
    return m;
}

const QString messageColumns = QStringLiteral("id, ticket_id, ts, kind, author_id, author_name, body");

} // namespace

QString ThreadMessage::speaker() const
{
    if (kind == QLatin1String("support"))
        return QStringLiteral("Support — %1").arg(authorName);
    if (kind == QLatin1String("note"))
        return QStringLiteral("Internal note — %1").arg(authorName);
    if (kind == QLatin1String("assistant"))
        return QStringLiteral("Assistant");
    return QStringLiteral("Teacher");
}

QJsonObject ThreadMessage::toJson() const
{
    return QJsonObject { { QStringLiteral("id"), id }, { QStringLiteral("ticket_id"), ticketId },
        { QStringLiteral("time"), iso(time) }, { QStringLiteral("kind"), kind },
        { QStringLiteral("author_id"), authorId }, { QStringLiteral("author_name"), authorName },
        { QStringLiteral("text"), body } };
}

TicketThread::TicketThread(std::shared_ptr<Database> database)
    : m_db(database)
    , m_store(std::move(database))
{ }

Result<TicketRecord> TicketThread::ticketFor(const Actor &actor, const QString &ticketId)
{
    return m_store.find(actor, ticketId);
}

Result<ThreadChange> TicketThread::append(
    const Actor &actor, const QString &ticketId, const QString &kind, const QString &body)
{
    using R = Result<ThreadChange>;
    auto text = MessageValidator::validate(MessageValidator::neutralise(body), maxBodyChars);
    if (!text)
        return R::failure(text.error());
    auto ticket = ticketFor(actor, ticketId);
    if (!ticket)
        return R::failure(ticket.error());
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!m_db->beginWrite(q))
        return R::failure(QStringLiteral("Cannot write the ticket thread: %1").arg(Database::errorOf(q)));
    auto rollback = [&q](const QString &error) {
        q.exec(QStringLiteral("ROLLBACK"));
        return R::failure(QStringLiteral("Cannot write the ticket thread: %1").arg(error));
    };
    // The status as it is now, inside the lock: another seat may have resolved or reopened it.
    q.prepare(QStringLiteral("SELECT status FROM tickets WHERE id = ?"));
    q.addBindValue(ticketId);
    if (!q.exec())
        return rollback(Database::errorOf(q));
    if (!q.next()) {
        q.exec(QStringLiteral("ROLLBACK"));
        return R::failure(QStringLiteral("No ticket %1.").arg(ticketId));
    }
    const bool wasResolved = q.value(0).toString() == QLatin1String("resolved");
    q.finish();

    ThreadChange change;
    ThreadMessage &m = change.message;
    m.ticketId = ticketId;
    m.time = QDateTime::currentDateTimeUtc();
    m.time.setTime(QTime(m.time.time().hour(), m.time.time().minute(), m.time.time().second()));
    m.kind = kind;
    m.authorId = actor.userId;
    m.authorName = actor.displayName;
    m.body = text.value();
    // A teacher's seat login writes into its own ticket's thread only through the database's function, which
    // also starts the wait and reopens a resolved ticket (as below).
    const bool throughFunction = !m_db->actsForEverySeatAs(Role::Support);
    if (throughFunction) {
        q.prepare(QStringLiteral("SELECT lp_add_thread_message(?, ?, ?, ?)"));
        q.addBindValue(ticketId);
        q.addBindValue(iso(m.time));
        q.addBindValue(kind);
        q.addBindValue(m.body);
    } else {
        q.prepare(QStringLiteral("INSERT INTO ticket_messages (ticket_id, ts, kind, author_id, author_name, body) "
                                 "VALUES (?, ?, ?, ?, ?, ?) RETURNING id"));
        for (const QVariant &v :
            QVariantList { ticketId, iso(m.time), kind, m.authorId.isNull() ? QStringLiteral("") : m.authorId,
                m.authorName.isNull() ? QStringLiteral("") : m.authorName, m.body })
            q.addBindValue(v);
    }
    if (!q.exec() || !q.next())
        return rollback(Database::errorOf(q));
    m.id = q.value(0).toLongLong();
    q.finish();

    QString update;
    QVariantList values { iso(m.time) };
    if (kind == QLatin1String("support")) {
        // A reply ends the wait and takes an open ticket into work.
        update = QStringLiteral("waiting_since = ?, status = CASE WHEN status = 'open' THEN 'in_progress' ELSE status "
                                "END");
        values << TicketStore::notWaiting();
    } else if (kind == QLatin1String("teacher")) {
        // The wait starts with the oldest unanswered message; a message after resolution reopens the ticket
        // (the same ticket: a session never gets a second one) and asks for a new rating.
        update = QStringLiteral("waiting_since = CASE WHEN waiting_since = ? THEN ? ELSE waiting_since END, "
                                "status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END, "
                                "rating = CASE WHEN status = 'resolved' THEN '' ELSE rating END, "
                                "rating_comment = CASE WHEN status = 'resolved' THEN '' ELSE rating_comment END");
        values << TicketStore::notWaiting() << iso(m.time);
        change.reopened = wasResolved;
    }
    if (!throughFunction) {
        q.prepare(QStringLiteral("UPDATE tickets SET updated = ?")
            + (update.isEmpty() ? QString() : QStringLiteral(", ") + update) + QStringLiteral(" WHERE id = ?"));
        for (const QVariant &v : std::as_const(values))
            q.addBindValue(v);
        q.addBindValue(ticketId);
        if (!q.exec())
            return rollback(Database::errorOf(q));
    }
    if (!q.exec(QStringLiteral("COMMIT")))
        return rollback(Database::errorOf(q));

    qCInfo(lcTickets).noquote()
        << QStringLiteral("Ticket thread message ticket=%1 kind=%2 id=%3").arg(ticketId, kind).arg(m.id);
    const QString action = QStringLiteral("ticket.") + kind;
    if (auto audited = m_db->audit(actor, action, ticketId, QString::number(m.id)); !audited)
        qCWarning(lcTickets).noquote() << QStringLiteral("Cannot audit a thread message: ") + audited.error();
    if (change.reopened)
        if (auto audited = m_db->audit(actor, QStringLiteral("ticket.reopen"), ticketId); !audited)
            qCWarning(lcTickets).noquote() << QStringLiteral("Cannot audit a reopening: ") + audited.error();
    auto after = m_store.find(Actor::commandLine(), ticketId);
    if (!after)
        return R::failure(after.error());
    change.ticket = after.value();
    return change;
}

Result<ThreadChange> TicketThread::reply(const Actor &agent, const QString &ticketId, const QString &body)
{
    if (const QString refused = refusal(agent, Permission::ReplyToTickets); !refused.isEmpty())
        return Result<ThreadChange>::failure(refused);
    return append(agent, ticketId, QStringLiteral("support"), body);
}

Result<ThreadChange> TicketThread::note(const Actor &agent, const QString &ticketId, const QString &body)
{
    if (const QString refused = refusal(agent, Permission::ReplyToTickets); !refused.isEmpty())
        return Result<ThreadChange>::failure(refused);
    return append(agent, ticketId, QStringLiteral("note"), body);
}

Result<ThreadChange> TicketThread::addTeacherMessage(const Actor &teacher, const QString &ticketId, const QString &body)
{
    return append(teacher, ticketId, QStringLiteral("teacher"), body);
}

Result<ThreadChange> TicketThread::addAssistantMessage(
    const Actor &teacher, const QString &ticketId, const QString &body)
{
    Actor assistant = teacher;
    assistant.displayName = QStringLiteral("Assistant");
    return append(assistant, ticketId, QStringLiteral("assistant"), body);
}

Result<TicketRecord> TicketThread::assign(const Actor &agent, const QString &ticketId, const QString &assigneeId)
{
    using R = Result<TicketRecord>;
    if (const QString refused = refusal(agent, Permission::ReplyToTickets); !refused.isEmpty())
        return R::failure(refused);
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    QString name;
    if (!assigneeId.isEmpty()) {
        q.prepare(QStringLiteral("SELECT display_name, role, disabled FROM users WHERE id = ?"));
        q.addBindValue(assigneeId);
        if (!q.exec())
            return R::failure(QStringLiteral("Cannot read the accounts: %1").arg(Database::errorOf(q)));
        if (!q.next())
            return R::failure(QStringLiteral("No account %1.").arg(assigneeId));
        if (q.value(1).toString() == QLatin1String("teacher") || q.value(2).toInt() != 0)
            return R::failure(QStringLiteral("%1 is not an active support account.").arg(q.value(0).toString()));
        name = q.value(0).toString();
        q.finish();
    }
    q.prepare(QStringLiteral("UPDATE tickets SET assignee_id = ?, assignee_name = ?, updated = ? WHERE id = ?"));
    q.addBindValue(assigneeId.isNull() ? QStringLiteral("") : assigneeId);
    q.addBindValue(name.isNull() ? QStringLiteral("") : name);
    q.addBindValue(iso(QDateTime::currentDateTimeUtc()));
    q.addBindValue(ticketId);
    if (!q.exec())
        return R::failure(QStringLiteral("Cannot assign the ticket: %1").arg(Database::errorOf(q)));
    if (q.numRowsAffected() == 0)
        return R::failure(QStringLiteral("No ticket %1.").arg(ticketId));
    if (auto audited = m_db->audit(agent, QStringLiteral("ticket.assign"), ticketId, assigneeId); !audited)
        return R::failure(audited.error());
    return m_store.find(agent, ticketId);
}

Result<QList<ThreadMessage>> TicketThread::messages(const Actor &viewer, const QString &ticketId, qint64 afterId)
{
    using R = Result<QList<ThreadMessage>>;
    auto ticket = ticketFor(viewer, ticketId);
    if (!ticket)
        return R::failure(ticket.error());
    const bool withNotes = isAllowed(viewer, Permission::ReplyToTickets);
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT ") + messageColumns
        + QStringLiteral(" FROM ticket_messages WHERE ticket_id = ? AND id > ?")
        + (withNotes ? QString() : QStringLiteral(" AND kind <> 'note'")) + QStringLiteral(" ORDER BY id"));
    q.addBindValue(ticketId);
    q.addBindValue(afterId);
    if (!q.exec())
        return R::failure(QStringLiteral("Cannot read the ticket thread: %1").arg(Database::errorOf(q)));
    QList<ThreadMessage> out;
    while (q.next())
        out.append(messageFrom(q));
    return out;
}

Status TicketThread::markRead(const Actor &teacher, const QString &ticketId, qint64 upToId)
{
    auto ticket = ticketFor(teacher, ticketId);
    if (!ticket)
        return Status::failure(ticket.error());
    if (ticket->userId != teacher.userId)
        return {}; // only the teacher's own reading counts
    auto conn = m_db->connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!m_db->actsForEverySeatAs(Role::Support)) {
        q.prepare(QStringLiteral("SELECT lp_mark_read(?, ?)")); // a teacher's seat changes no ticket row itself
        q.addBindValue(ticketId);
        q.addBindValue(upToId);
    } else {
        q.prepare(QStringLiteral("UPDATE tickets SET teacher_read = ? WHERE id = ? AND teacher_read < ?"));
        q.addBindValue(upToId);
        q.addBindValue(ticketId);
        q.addBindValue(upToId);
    }
    if (!q.exec())
        return Status::failure(QStringLiteral("Cannot update the ticket: %1").arg(Database::errorOf(q)));
    return {};
}

Result<int> TicketThread::unreadCount(const Actor &teacher, const QString &ticketId)
{
    auto ticket = ticketFor(teacher, ticketId);
    if (!ticket)
        return Result<int>::failure(ticket.error());
    auto conn = m_db->connection();
    if (!conn)
        return Result<int>::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(
        QStringLiteral("SELECT COUNT(*) FROM ticket_messages WHERE ticket_id = ? AND kind = 'support' AND id > ?"));
    q.addBindValue(ticketId);
    q.addBindValue(ticket->teacherRead);
    if (!q.exec() || !q.next())
        return Result<int>::failure(QStringLiteral("Cannot read the ticket thread: %1").arg(Database::errorOf(q)));
    return q.value(0).toInt();
}

Status TicketThread::rate(const Actor &teacher, const QString &ticketId, bool helpful, const QString &comment)
{
    auto ticket = ticketFor(teacher, ticketId);
    if (!ticket)
        return Status::failure(ticket.error());
    if (ticket->userId != teacher.userId)
        return Status::failure(QStringLiteral("Only the teacher who opened %1 can rate it.").arg(ticketId));
    QString text;
    if (!comment.trimmed().isEmpty()) {
        auto valid = MessageValidator::validate(comment, maxBodyChars);
        if (!valid)
            return Status::failure(valid.error());
        text = valid.value();
    }
    auto conn = m_db->connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!m_db->beginWrite(q))
        return Status::failure(QStringLiteral("Cannot rate the ticket: %1").arg(Database::errorOf(q)));
    // Once per resolution: the row changes only while it is resolved and not rated yet (on a teacher's seat
    // login, through the database's function, which says whether it did).
    const bool throughFunction = !m_db->actsForEverySeatAs(Role::Support);
    q.prepare(throughFunction
            ? QStringLiteral("SELECT lp_rate_ticket(?, ?, ?)")
            : QStringLiteral("UPDATE tickets SET rating = ?, rating_comment = ? WHERE id = ? AND status = 'resolved' "
                             "AND rating = ''"));
    if (throughFunction)
        q.addBindValue(ticketId);
    q.addBindValue(helpful ? QStringLiteral("helpful") : QStringLiteral("not_helpful"));
    q.addBindValue(text.isNull() ? QStringLiteral("") : text);
    if (!throughFunction)
        q.addBindValue(ticketId);
    const bool updated = q.exec();
    const bool taken = throughFunction ? updated && q.next() && q.value(0).toBool() : q.numRowsAffected() > 0;
    if (!updated || !taken) {
        const QString error = Database::errorOf(q);
        q.exec(QStringLiteral("ROLLBACK"));
        if (!updated)
            return Status::failure(QStringLiteral("Cannot rate the ticket: %1").arg(error));
        return Status::failure(ticket->status != QLatin1String("resolved")
                ? QStringLiteral("%1 can be rated once it is resolved.").arg(ticketId)
                : QStringLiteral("%1 is rated already.").arg(ticketId));
    }
    // The anonymous count: the hour and the verdict, nothing that names the ticket or the person.
    QDateTime hour = QDateTime::currentDateTimeUtc();
    hour.setTime(QTime(hour.time().hour(), 0));
    q.prepare(QStringLiteral("INSERT INTO csat_events (ts, helpful) VALUES (?, ?)"));
    q.addBindValue(iso(hour));
    q.addBindValue(helpful ? 1 : 0);
    if (!q.exec() || !q.exec(QStringLiteral("COMMIT"))) {
        const QString error = Database::errorOf(q);
        q.exec(QStringLiteral("ROLLBACK"));
        return Status::failure(QStringLiteral("Cannot rate the ticket: %1").arg(error));
    }
    return m_db->audit(teacher, QStringLiteral("ticket.rate"), ticketId,
        helpful ? QStringLiteral("helpful") : QStringLiteral("not_helpful"));
}

Result<QList<CannedReply>> TicketThread::cannedReplies(const Actor &agent)
{
    using R = Result<QList<CannedReply>>;
    if (const QString refused = refusal(agent, Permission::ReplyToTickets); !refused.isEmpty())
        return R::failure(refused);
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!q.exec(QStringLiteral("SELECT title, body FROM canned_replies ORDER BY title")))
        return R::failure(QStringLiteral("Cannot read the canned replies: %1").arg(Database::errorOf(q)));
    QList<CannedReply> out;
    while (q.next())
        out.append({ q.value(0).toString(), q.value(1).toString() });
    return out;
}

Status TicketThread::saveCannedReply(const Actor &admin, const QString &title, const QString &body)
{
    if (const QString refused = refusal(admin, Permission::ManageCannedReplies); !refused.isEmpty())
        return Status::failure(refused);
    auto validTitle = MessageValidator::validate(title.trimmed(), 80);
    if (!validTitle)
        return Status::failure(QStringLiteral("The title: %1").arg(validTitle.error()));
    auto validBody = MessageValidator::validate(body, maxBodyChars);
    if (!validBody)
        return Status::failure(validBody.error());
    auto conn = m_db->connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!m_db->beginWrite(q))
        return Status::failure(QStringLiteral("Cannot save the canned reply: %1").arg(Database::errorOf(q)));
    q.prepare(QStringLiteral("DELETE FROM canned_replies WHERE title = ?"));
    q.addBindValue(validTitle.value());
    bool ok = q.exec();
    q.prepare(QStringLiteral("INSERT INTO canned_replies (title, body) VALUES (?, ?)"));
    q.addBindValue(validTitle.value());
    q.addBindValue(validBody.value());
    ok = ok && q.exec() && q.exec(QStringLiteral("COMMIT"));
    if (!ok) {
        const QString error = Database::errorOf(q);
        q.exec(QStringLiteral("ROLLBACK"));
        return Status::failure(QStringLiteral("Cannot save the canned reply: %1").arg(error));
    }
    return m_db->audit(admin, QStringLiteral("canned_reply.save"), validTitle.value());
}

Status TicketThread::removeCannedReply(const Actor &admin, const QString &title)
{
    if (const QString refused = refusal(admin, Permission::ManageCannedReplies); !refused.isEmpty())
        return Status::failure(refused);
    auto conn = m_db->connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(QStringLiteral("DELETE FROM canned_replies WHERE title = ?"));
    q.addBindValue(title);
    if (!q.exec())
        return Status::failure(QStringLiteral("Cannot remove the canned reply: %1").arg(Database::errorOf(q)));
    if (q.numRowsAffected() == 0)
        return Status::failure(QStringLiteral("No canned reply \"%1\".").arg(title));
    return m_db->audit(admin, QStringLiteral("canned_reply.remove"), title);
}

QString TicketThread::render(const QList<ThreadMessage> &messages)
{
    if (messages.isEmpty())
        return {};
    QString t = Words::counted(messages.size(), QStringLiteral("\nAfter the escalation (%1 message)\n"),
        QStringLiteral("\nAfter the escalation (%1 messages)\n"));
    for (const ThreadMessage &m : messages) {
        t += QStringLiteral("\n[%1] %2:\n").arg(iso(m.time), m.speaker());
        QString body = m.body;
        body.replace(lineBreaks(), QStringLiteral("\n  "));
        t += QLatin1String("  ") + body + QLatin1Char('\n');
    }
    return t;
}

} // namespace LearnPulse
