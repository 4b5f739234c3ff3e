#include "outbox.h"

#include "config.h"
#include "database.h"
#include "logging.h"
#include "roles.h"
#include "ticketstore.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlQuery>

#include <cmath>

namespace LearnPulse {

namespace {

OutboxEntry fromQuery(const QSqlQuery &q)
{
    OutboxEntry e;
    int i = 0;
    e.id = q.value(i++).toLongLong();
    e.ticketId = q.value(i++).toString();
    e.kind = q.value(i++).toString();
    e.payload = QJsonDocument::fromJson(q.value(i++).toString().toUtf8()).object();
    e.state = q.value(i++).toString();
    e.tries = q.value(i++).toInt();
    e.nextAttempt = QDateTime::fromString(q.value(i++).toString(), Qt::ISODateWithMs);
    e.lastError = q.value(i++).toString();
    e.created = QDateTime::fromString(q.value(i++).toString(), Qt::ISODateWithMs);
    e.sentAt = QDateTime::fromString(q.value(i++).toString(), Qt::ISODateWithMs);
    return e;
}

const QString columns
    = QStringLiteral("id, ticket_id, kind, payload, state, tries, next_attempt, last_error, created, sent_at");

} // namespace

QJsonObject OutboxEntry::toJson() const
{
    return QJsonObject { { QStringLiteral("id"), id }, { QStringLiteral("ticket_id"), ticketId },
        { QStringLiteral("kind"), kind }, { QStringLiteral("state"), state }, { QStringLiteral("tries"), tries },
        { QStringLiteral("next_attempt"),
            state == QLatin1String("pending") ? QJsonValue(Outbox::timestamp(nextAttempt)) : QJsonValue() },
        { QStringLiteral("last_error"), lastError }, { QStringLiteral("created"), Outbox::timestamp(created) },
        { QStringLiteral("sent_at"), sentAt.isValid() ? QJsonValue(Outbox::timestamp(sentAt)) : QJsonValue() } };
}

Outbox::Outbox(std::shared_ptr<Database> database, const Config &config)
    : m_db(std::move(database))
    , m_config(config)
{ }

QString Outbox::timestamp(const QDateTime &t)
{
    return t.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

OutboxItem Outbox::emailFor(const Config &config, const QString &ticketId, const QString &summary,
    const QString &teacherName, const QString &teacherEmail, const QString &transcriptPath)
{
    const QString body
        = QStringLiteral("A teacher needs help from LearnPulse support.\n\n"
                         "Ticket ID: %1\nTeacher: %2 <%3>\nSummary: %4\n\n"
                         "The whole conversation is attached. Reply to this email to answer the teacher.\n")
              .arg(ticketId, Mailer::sanitiseHeaderText(teacherName), teacherEmail, summary);
    return { QStringLiteral("email"),
        QJsonObject { { QStringLiteral("to"), config.supportEmail }, { QStringLiteral("from"), config.fromEmail() },
            { QStringLiteral("reply_to"), teacherEmail }, { QStringLiteral("reply_to_name"), teacherName },
            { QStringLiteral("subject"), QString(QStringLiteral("Teacher Support Request - ") + summary) },
            { QStringLiteral("body"), body }, { QStringLiteral("attachment"), transcriptPath },
            { QStringLiteral("message_id"), QString(ticketId + QStringLiteral("@learnpulse")) } } };
}

OutboxItem Outbox::webhookFor(const QString &ticketId, const QString &summary)
{
    // Slack-compatible: "text" is what a channel shows. No transcript, no message text.
    return { QStringLiteral("webhook"),
        QJsonObject {
            { QStringLiteral("text"), QStringLiteral("New LearnPulse support ticket %1: %2").arg(ticketId, summary) },
            { QStringLiteral("ticket_id"), ticketId }, { QStringLiteral("summary"), summary } } };
}

Result<QList<OutboxEntry>> Outbox::list()
{
    using R = Result<QList<OutboxEntry>>;
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!q.exec(QStringLiteral("SELECT ") + columns + QStringLiteral(" FROM outbox ORDER BY id")))
        return R::failure(QStringLiteral("Cannot read the outbox: %1").arg(Database::errorOf(q)));
    QList<OutboxEntry> out;
    while (q.next())
        out << fromQuery(q);
    return out;
}

Result<int> Outbox::retryAll()
{
    auto conn = m_db->connection();
    if (!conn)
        return Result<int>::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(QStringLiteral("UPDATE outbox SET state = 'pending', next_attempt = ?, "
                             "tries = CASE WHEN state = 'failed' THEN 0 ELSE tries END "
                             "WHERE state IN ('pending', 'failed')"));
    q.addBindValue(timestamp(QDateTime::currentDateTimeUtc()));
    if (!q.exec())
        return Result<int>::failure(QStringLiteral("Cannot update the outbox: %1").arg(Database::errorOf(q)));
    return q.numRowsAffected();
}

DeliveryResult Outbox::deliver(const OutboxEntry &e) const
{
    if (e.kind == QLatin1String("webhook")) {
        if (m_config.webhookUrl.isEmpty())
            return { false, true, 0, QStringLiteral("WEBHOOK_URL is no longer set") };
        // As for email: the post is made from the ticket, not from what the row says.
        auto ticket = TicketStore(m_db).find(Actor::commandLine(), e.ticketId);
        if (!ticket)
            return { false, true, 0, QStringLiteral("the ticket %1 is not in the index").arg(e.ticketId) };
        const QJsonObject payload = webhookFor(ticket->id, ticket->summary).payload;
        return postJson(m_config.webhookUrl, QJsonDocument(payload).toJson(QJsonDocument::Compact), 15, m_network);
    }
    if (!m_config.smtpConfigured())
        return { false, false, 0, QStringLiteral("SMTP is not configured") };
    // Nothing of the row is trusted but its ticket ID (anyone who can write the index can write a row): the
    // recipient and sender come from this seat's configuration, the rest from the ticket itself, and the
    // attachment is that ticket's transcript, read only from this seat's ticket folder.
    TicketStore store(m_db);
    auto ticket = store.find(Actor::commandLine(), e.ticketId);
    if (!ticket)
        return { false, true, 0, QStringLiteral("the ticket %1 is not in the index").arg(e.ticketId) };
    QString attachment;
    if (auto path = TicketStore::checkedTranscriptFile(ticket.value(), m_config.ticketsDir()); path)
        attachment = path.value();
    else if (!TicketStore::checkedTranscriptFile(ticket.value(), QString())) // not merely another seat's file
        qCWarning(lcOutbox).noquote() << QStringLiteral("Transcript path refused ticket=") + e.ticketId;
    const OutboxItem item
        = emailFor(m_config, ticket->id, ticket->summary, ticket->teacherName, ticket->teacherEmail, attachment);
    MailMessage m;
    m.to = m_config.supportEmail;
    m.from = m_config.fromEmail();
    m.replyTo = ticket->teacherEmail;
    m.replyToName = ticket->teacherName;
    m.subject = item.payload.value(QLatin1String("subject")).toString();
    m.body = item.payload.value(QLatin1String("body")).toString();
    m.attachmentPath = attachment;
    if (attachment.isEmpty() || !QFileInfo(attachment).isReadable()) {
        // Written on another seat (several seats share the index): the index has the same text.
        auto copy = store.indexedTranscript(e.ticketId);
        if (!copy)
            return { false, false, 0,
                QStringLiteral("the transcript of %1 cannot be read: %2").arg(e.ticketId, copy.error()) };
        m.attachmentData = copy->toUtf8();
        m.attachmentPath
            = m_config.ticketsDir() + QLatin1Char('/') + TicketStore::transcriptNameFor(e.ticketId); // its name
    }
    m.messageId = ticket->id + QStringLiteral("@learnpulse");
    Mailer mailer(m_config);
    mailer.setAbortFlag(m_stop);
    return mailer.send(m);
}

void Outbox::recordOutcome(const OutboxEntry &e, const DeliveryResult &outcome)
{
    auto conn = m_db->connection();
    if (!conn)
        return;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const int tries = e.tries + 1;
    QString state;
    QString ticketStatus;
    QDateTime next = now;
    if (outcome.ok) {
        state = QStringLiteral("sent");
        ticketStatus = QStringLiteral("sent");
        qCInfo(lcOutbox).noquote()
            << QStringLiteral("Delivered kind=%1 ticket=%2 tries=%3").arg(e.kind, e.ticketId).arg(tries);
    } else if (outcome.permanent || tries >= m_config.outboxMaxTries) {
        state = QStringLiteral("failed");
        ticketStatus = QStringLiteral("failed: ") + outcome.error;
        qCWarning(lcOutbox).noquote()
            << QStringLiteral("Delivery failed for good kind=%1 ticket=%2 tries=%3").arg(e.kind, e.ticketId).arg(tries);
    } else {
        const double delay = std::min<double>(
            m_config.outboxBackoffCapSeconds, m_config.outboxBackoffInitialSeconds * std::pow(2.0, tries - 1));
        next = now.addSecs(qint64(delay));
        state = QStringLiteral("pending");
        ticketStatus = QStringLiteral("pending (%1 %2, next attempt %3; last error: %4)")
                           .arg(tries)
                           .arg(tries == 1 ? QStringLiteral("try") : QStringLiteral("tries"))
                           .arg(next.toString(Qt::ISODate), outcome.error);
        qCWarning(lcOutbox).noquote() << QStringLiteral("Delivery failed kind=%1 ticket=%2 tries=%3 next=%4")
                                             .arg(e.kind, e.ticketId)
                                             .arg(tries)
                                             .arg(next.toString(Qt::ISODate));
    }
    // A sent email's row keeps where it went (and whose it was, as the row came): an erasure reports it after its
    // ticket is gone.
    QJsonObject payload = e.payload;
    if (outcome.ok && e.kind == QLatin1String("email") && !m_config.supportEmail.isEmpty())
        payload.insert(QStringLiteral("to"), m_config.supportEmail);
    QSqlQuery q(conn.value());
    q.prepare(
        QStringLiteral("UPDATE outbox SET state = ?, tries = ?, next_attempt = ?, lease_until = '', last_error = ?, "
                       "sent_at = ?, payload = ? WHERE id = ?"));
    q.addBindValue(state);
    q.addBindValue(tries);
    q.addBindValue(timestamp(next));
    q.addBindValue(outcome.ok ? QStringLiteral("") : outcome.error);
    q.addBindValue(outcome.ok ? timestamp(now) : QStringLiteral(""));
    q.addBindValue(QString::fromUtf8(QJsonDocument(payload).toJson(QJsonDocument::Compact)));
    q.addBindValue(e.id);
    if (!q.exec())
        qCWarning(lcOutbox).noquote() << QStringLiteral("Cannot record a delivery outcome: ") + Database::errorOf(q);
    if (e.kind == QLatin1String("email")) {
        q.prepare(QStringLiteral("UPDATE tickets SET email_status = ? WHERE id = ?"));
        q.addBindValue(ticketStatus);
        q.addBindValue(e.ticketId);
        q.exec();
    }
}

Outbox::Report Outbox::deliverDue(int max, const QString &ticketId)
{
    Report report;
    auto conn = m_db->connection();
    if (!conn) {
        report.errors << conn.error();
        return report;
    }
    const QString now = timestamp(QDateTime::currentDateTimeUtc());
    QList<OutboxEntry> due;
    {
        QSqlQuery q(conn.value());
        q.prepare(QStringLiteral("SELECT ") + columns
            + QStringLiteral(" FROM outbox WHERE ((state = 'pending' AND next_attempt <= ?) OR "
                             "(state = 'sending' AND lease_until <= ?)) AND (? = '' OR ticket_id = ?) "
                             "ORDER BY id LIMIT ?"));
        for (const QVariant &v : QVariantList { now, now, ticketId.isNull() ? QStringLiteral("") : ticketId,
                 ticketId.isNull() ? QStringLiteral("") : ticketId, max })
            q.addBindValue(v);
        if (!q.exec()) {
            report.errors << Database::errorOf(q);
            return report;
        }
        while (q.next())
            due << fromQuery(q);
    }
    for (const OutboxEntry &e : std::as_const(due)) {
        if (m_stop && m_stop->load())
            break; // closing: the rest stays due, no try spent
        // Claim the entry: of several senders (windows, processes, machines) only one gets it.
        QSqlQuery claim(conn.value());
        claim.prepare(
            QStringLiteral("UPDATE outbox SET state = 'sending', lease_until = ? WHERE id = ? AND "
                           "((state = 'pending' AND next_attempt <= ?) OR (state = 'sending' AND lease_until <= ?))"));
        claim.addBindValue(timestamp(QDateTime::currentDateTimeUtc().addSecs(leaseSeconds)));
        claim.addBindValue(e.id);
        claim.addBindValue(now);
        claim.addBindValue(now);
        if (!claim.exec() || claim.numRowsAffected() != 1)
            continue;
        ++report.attempted;
        const DeliveryResult outcome = deliver(e);
        recordOutcome(e, outcome);
        if (outcome.ok) {
            ++report.sent;
        } else {
            ++report.failed;
            report.errors << QStringLiteral("%1 for %2: %3").arg(e.kind, e.ticketId, outcome.error);
        }
    }
    return report;
}

} // namespace LearnPulse
