#include "ticketstore.h"

#include "database.h"
#include "logging.h"
#include "outbox.h"
#include "roles.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSqlQuery>

namespace LearnPulse {

namespace {

const QString columns = QStringLiteral(
    "t.id, t.session_id, t.user_id, t.teacher_name, t.teacher_email, t.teacher_role, t.class_id, t.student, t.scope, "
    "t.created, t.updated, t.summary, t.signal_count, t.rules, t.status, t.email_status, t.conversation_file, "
    "t.integrity");

QString iso(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate);
}

constexpr int columnCount = 18;

TicketRecord fromQuery(const QSqlQuery &q)
{
    TicketRecord r;
    int i = 0;
    r.id = q.value(i++).toString();
    r.sessionId = q.value(i++).toString();
    r.userId = q.value(i++).toString();
    r.teacherName = q.value(i++).toString();
    r.teacherEmail = q.value(i++).toString();
    r.teacherRole = q.value(i++).toString();
    r.classId = q.value(i++).toString();
    r.student = q.value(i++).toString();
    r.scope = q.value(i++).toString();
    r.created = QDateTime::fromString(q.value(i++).toString(), Qt::ISODate);
    r.updated = QDateTime::fromString(q.value(i++).toString(), Qt::ISODate);
    r.summary = q.value(i++).toString();
    r.signalCount = q.value(i++).toInt();
    r.rules = q.value(i++).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
    r.status = q.value(i++).toString();
    r.emailStatus = q.value(i++).toString();
    r.conversationFile = q.value(i++).toString();
    r.integrity = q.value(i++).toString();
    return r;
}

// The words of what a person typed (letters, digits, underscores): operators and punctuation in the
// input mean nothing to either full-text engine.
QStringList searchWords(const QString &search)
{
    static const QRegularExpression word(
        QStringLiteral("[\\p{L}\\p{N}_]+"), QRegularExpression::UseUnicodePropertiesOption);
    QStringList words;
    auto it = word.globalMatch(search);
    while (it.hasNext())
        words << it.next().captured();
    return words;
}

// A safe FTS5 query: every word quoted and matched as a prefix; all words must occur.
QString ftsQuery(const QString &search)
{
    QStringList terms;
    for (const QString &w : searchWords(search))
        terms << QLatin1Char('"') + w + QLatin1String("\"*");
    return terms.join(QLatin1Char(' '));
}

// The same for PostgreSQL: every word a quoted lexeme matched as a prefix ('word':*), all required.
QString tsQuery(const QString &search)
{
    QStringList terms;
    for (const QString &w : searchWords(search))
        terms << QLatin1Char('\'') + w + QLatin1String("':*");
    return terms.join(QLatin1String(" & "));
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
    };
}

TicketStore::TicketStore(std::shared_ptr<Database> database)
    : m_db(std::move(database))
{ }

QStringList TicketStore::statuses()
{
    return { QStringLiteral("open"), QStringLiteral("in_progress"), QStringLiteral("resolved") };
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

    q.prepare(QStringLiteral(
        "INSERT INTO tickets (id, session_id, user_id, teacher_name, teacher_email, teacher_role, "
        "class_id, student, scope, created, updated, summary, signal_count, rules, status, "
        "email_status, conversation_file) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq"));
    for (const QVariant &v : QVariantList { text(r.id), text(r.sessionId), text(r.userId), text(r.teacherName),
             text(r.teacherEmail), text(r.teacherRole), text(r.classId), text(r.student), text(r.scope), iso(r.created),
             iso(r.created), text(r.summary), r.signalCount, text(r.rules.join(QLatin1Char(','))), text(r.status),
             text(r.emailStatus), text(r.conversationFile) })
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

Result<QList<TicketRecord>> TicketStore::select(
    const QString &where, const QVariantList &values, int limit, int offset, const QString &orderBy, int *total)
{
    using R = Result<QList<TicketRecord>>;
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    q.setForwardOnly(true);
    const QString whereClause = where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where;
    const QString order
        = QStringLiteral(" ORDER BY ") + (orderBy.isEmpty() ? QStringLiteral("t.created DESC, t.id DESC") : orderBy);
    QString sql;
    if (limit > 0) {
        // A page: the matching rows are sorted by their keys alone, and only the page's rows are read
        // whole (a search of 100,000 tickets matching 4,000: 14 ms instead of 33). The total, when
        // asked for, is counted in the same pass.
        sql = QStringLiteral("WITH page AS (SELECT t.seq")
            + (total ? QStringLiteral(", COUNT(*) OVER () AS total") : QString()) + QStringLiteral(" FROM tickets t")
            + whereClause + order + QStringLiteral(" LIMIT %1 OFFSET %2) ").arg(limit).arg(qMax(0, offset))
            + QStringLiteral("SELECT ") + columns + (total ? QStringLiteral(", page.total") : QString())
            + QStringLiteral(" FROM page JOIN tickets t ON t.seq = page.seq") + order;
    } else {
        sql = QStringLiteral("SELECT ") + columns + (total ? QStringLiteral(", COUNT(*) OVER ()") : QString())
            + QStringLiteral(" FROM tickets t") + whereClause + order;
    }
    q.prepare(m_db->sql(sql));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return R::failure(QStringLiteral("Cannot read the ticket index: %1").arg(Database::errorOf(q)));
    QList<TicketRecord> out;
    if (total)
        *total = -1;
    while (q.next()) {
        out.append(fromQuery(q));
        if (total && out.size() == 1)
            *total = q.value(columnCount).toInt();
    }
    return out;
}

QStringList TicketStore::sortableColumns()
{
    return { QStringLiteral("id"), QStringLiteral("created"), QStringLiteral("teacher_name"),
        QStringLiteral("teacher_email"), QStringLiteral("summary"), QStringLiteral("signal_count"),
        QStringLiteral("status"), QStringLiteral("email_status") };
}

Result<std::pair<QString, QVariantList>> TicketStore::whereFor(const TicketFilter &filter) const
{
    using R = Result<std::pair<QString, QVariantList>>;
    QStringList where;
    QVariantList values;
    if (!filter.teacherEmail.isEmpty()) {
        where << QStringLiteral("t.teacher_email = ?");
        values << filter.teacherEmail;
    }
    if (!filter.status.isEmpty()) {
        if (!isValidStatus(filter.status))
            return R::failure(QStringLiteral("Unknown status \"%1\": use one of %2.")
                                  .arg(filter.status, statuses().join(QLatin1String(", "))));
        where << QStringLiteral("t.status = ?");
        values << filter.status;
    }
    if (filter.from.isValid()) {
        where << QStringLiteral("t.created >= ?");
        values << filter.from.startOfDay(Qt::UTC).toString(Qt::ISODate);
    }
    if (filter.to.isValid()) {
        where << QStringLiteral("t.created < ?");
        values << filter.to.addDays(1).startOfDay(Qt::UTC).toString(Qt::ISODate);
    }
    if (!filter.search.trimmed().isEmpty()) {
        const bool postgres = m_db->backend() == Database::Backend::PostgreSQL;
        const QString match = postgres ? tsQuery(filter.search) : ftsQuery(filter.search);
        if (match.isEmpty())
            return R::failure(QStringLiteral("The search has no words to look for."));
        where << (postgres
                ? QStringLiteral("t.seq IN (SELECT rowid FROM tickets_fts WHERE tsv @@ to_tsquery('simple', ?))")
                : QStringLiteral("t.seq IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?)"));
        values << match;
    }
    return std::pair { where.join(QLatin1String(" AND ")), values };
}

Result<TicketRecord> TicketStore::find(const Actor &actor, const QString &ticketId)
{
    if (const QString refused = refusal(actor, Permission::ViewTickets); !refused.isEmpty())
        return Result<TicketRecord>::failure(refused);
    auto rows = select(QStringLiteral("t.id = ?"), { ticketId });
    if (!rows)
        return Result<TicketRecord>::failure(rows.error());
    if (rows->isEmpty())
        return Result<TicketRecord>::failure(notFound(ticketId));
    return rows->constFirst();
}

Result<QString> TicketStore::transcript(const Actor &actor, const TicketRecord &ticket)
{
    using R = Result<QString>;
    if (const QString refused = refusal(actor, Permission::ViewTickets); !refused.isEmpty())
        return R::failure(refused);
    QFile file(ticket.conversationFile);
    if (file.open(QIODevice::ReadOnly))
        return QString::fromUtf8(file.readAll());
    const QString fileError = file.errorString();
    auto copy = indexedTranscript(ticket.id);
    if (!copy)
        return R::failure(QStringLiteral("The transcript file %1 cannot be read (%2), and %3")
                              .arg(ticket.conversationFile, fileError, copy.error()));
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

Result<QList<TicketRecord>> TicketStore::list(const Actor &actor, const TicketFilter &filter, int *total)
{
    using R = Result<QList<TicketRecord>>;
    if (const QString refused = refusal(actor, Permission::ViewTickets); !refused.isEmpty())
        return R::failure(refused);
    auto where = whereFor(filter);
    if (!where)
        return R::failure(where.error());
    const QString column
        = sortableColumns().contains(filter.sortColumn) ? filter.sortColumn : QStringLiteral("created");
    const QString direction = filter.descending ? QStringLiteral(" DESC") : QStringLiteral(" ASC");
    QString whereClause = where->first;
    QVariantList values = where->second;
    int offset = filter.offset;
    if (!filter.afterId.isEmpty()) {
        // After the cursor row in (column, id) order; its values are read by its key in the same statement.
        // A cursor row that is gone (deleted meanwhile) ends the list; the next reload starts afresh.
        const QString after = QStringLiteral("(t.%1, t.id) %2 (SELECT c.%1, c.id FROM tickets c WHERE c.id = ?)")
                                  .arg(column, filter.descending ? QStringLiteral("<") : QStringLiteral(">"));
        whereClause = whereClause.isEmpty() ? after : QStringLiteral("(%1) AND %2").arg(whereClause, after);
        values << filter.afterId;
        offset = 0;
    }
    const QString order = QStringLiteral("t.%1%2, t.id%2").arg(column, direction);
    return select(whereClause, values, filter.limit, offset, order, total);
}

Result<QList<TicketRecord>> TicketStore::list(const Actor &actor, const TicketFilter &filter)
{
    return list(actor, filter, nullptr);
}

Result<std::pair<QList<TicketRecord>, int>> TicketStore::listWithTotal(const Actor &actor, const TicketFilter &filter)
{
    using R = Result<std::pair<QList<TicketRecord>, int>>;
    if (filter.search.trimmed().isEmpty() || filter.offset > 0 || !filter.afterId.isEmpty()) {
        // Without a search the count reads an index and the page stops after its rows: two cheap queries.
        auto rows = list(actor, filter);
        if (!rows)
            return R::failure(rows.error());
        auto total = count(actor, filter);
        if (!total)
            return R::failure(total.error());
        return std::pair { rows.value(), total.value() };
    }
    int total = -1;
    auto rows = list(actor, filter, &total);
    if (!rows)
        return R::failure(rows.error());
    return std::pair { rows.value(), qMax(0, total) };
}

Result<int> TicketStore::count(const Actor &actor, const TicketFilter &filter)
{
    if (const QString refused = refusal(actor, Permission::ViewTickets); !refused.isEmpty())
        return Result<int>::failure(refused);
    auto where = whereFor(filter);
    if (!where)
        return Result<int>::failure(where.error());
    auto conn = m_db->connection();
    if (!conn)
        return Result<int>::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(m_db->sql(QStringLiteral("SELECT COUNT(*) FROM tickets t")
        + (where->first.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where->first)));
    for (const QVariant &v : where->second)
        q.addBindValue(v);
    if (!q.exec() || !q.next())
        return Result<int>::failure(QStringLiteral("Cannot count tickets: %1").arg(Database::errorOf(q)));
    return q.value(0).toInt();
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
    q.prepare(QStringLiteral("UPDATE tickets SET status = ?, updated = ? WHERE id = ?"));
    q.addBindValue(status);
    q.addBindValue(iso(QDateTime::currentDateTimeUtc()));
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
    if (QFile::exists(record->conversationFile) && !QFile::remove(record->conversationFile))
        return Status::failure(QStringLiteral("The ticket was removed from the index, but its transcript %1 could not "
                                              "be deleted; delete it by hand.")
                                   .arg(record->conversationFile));
    qCInfo(lcTickets).noquote() << QStringLiteral("Ticket deleted ticket=") + ticketId;
    return m_db->audit(actor, QStringLiteral("ticket.delete"), ticketId);
}

} // namespace LearnPulse
