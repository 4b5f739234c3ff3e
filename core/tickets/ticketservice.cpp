#include "ticketservice.h"

#include "config.h"
#include "database.h"
#include "faultinjection.h"
#include "logging.h"
#include "messagevalidator.h"
#include "outbox.h"
#include "ticketrows_p.h"
#include "ticketstore.h"
#include "words.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <unistd.h>

namespace LearnPulse {

namespace {

constexpr QFile::Permissions ownerOnlyFile = QFile::ReadOwner | QFile::WriteOwner;
constexpr QFile::Permissions ownerOnlyDir = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;

QString orDash(const QString &s)
{
    return s.isEmpty() ? QStringLiteral("-") : s;
}

} // namespace

QJsonObject TicketResult::toJson() const
{
    QJsonObject o { { QStringLiteral("success"), success },
        { QStringLiteral("ticket_id"), ticketId.isEmpty() ? QJsonValue() : QJsonValue(ticketId) },
        { QStringLiteral("email_sent"), emailSent }, { QStringLiteral("conversation_file"), conversationFile },
        { QStringLiteral("timestamp"), timestamp.toUTC().toString(Qt::ISODate) } };
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

TicketService::TicketService(const Config &config, std::shared_ptr<TicketStore> store)
    : m_config(config)
    , m_store(std::move(store))
{ }

QString TicketService::ticketIdFor(const QString &sessionId, const QDateTime &utc)
{
    return QStringLiteral("TICKET-%1-%2")
        .arg(sessionId.left(8), utc.toUTC().toString(QStringLiteral("yyyyMMddHHmmss")));
}

QString TicketService::fileNameFor(const QString &sessionId, const QDateTime &utc)
{
    return QStringLiteral("support_ticket_%1_%2.txt")
        .arg(sessionId.left(8), utc.toUTC().toString(QStringLiteral("yyyyMMdd_HHmmss")));
}

QString TicketService::summaryFor(const SessionState &session)
{
    if (session.escalationReason == QLatin1String("explicit"))
        return QStringLiteral("Teacher asked for support");
    return QStringLiteral("Teacher dissatisfaction after %1 signals").arg(session.dissatisfactionCount);
}

QString TicketService::transcriptText(const QString &ticketId, const QDateTime &created, const TicketRequest &r)
{
    // Every field on its one line, every message's lines indented: nothing in them can forge a line of the
    // transcript (a header, another speaker).
    const auto line = [](const QString &field) {
        return MessageValidator::neutralise(field).replace(QLatin1Char('\n'), QLatin1Char(' '));
    };
    QString t;
    t += QStringLiteral("LearnPulse support ticket\n");
    t += QStringLiteral("Ticket ID: %1\n").arg(ticketId);
    t += QStringLiteral("Created: %1\n").arg(created.toUTC().toString(Qt::ISODate));
    t += QStringLiteral("Session: %1\n").arg(r.session.id);
    t += QStringLiteral("Summary: %1\n\n").arg(line(r.summary));
    t += QStringLiteral("Teacher\n");
    t += QStringLiteral("  Name: %1\n").arg(orDash(line(r.teacherName)));
    t += QStringLiteral("  Email: %1\n").arg(orDash(line(r.teacherEmail)));
    t += QStringLiteral("  User ID: %1\n").arg(orDash(line(r.teacherUserId)));
    t += QStringLiteral("  Role: %1\n\n").arg(orDash(line(r.teacherRole)));
    t += QStringLiteral("Context\n");
    t += QStringLiteral("  Class: %1\n").arg(orDash(line(r.session.context.classId)));
    t += QStringLiteral("  Student: %1\n").arg(orDash(line(r.session.context.student)));
    t += QStringLiteral("  Scope: %1\n\n").arg(orDash(line(r.session.context.scope)));
    t += QStringLiteral("Signals (%1): %2\n\n")
             .arg(r.session.dissatisfactionCount)
             .arg(r.session.signalRules.isEmpty() ? QStringLiteral("-")
                                                  : line(r.session.signalRules.join(QLatin1String(", "))));
    t += Words::counted(r.history.size(), QStringLiteral("Conversation (%1 message)\n"),
        QStringLiteral("Conversation (%1 messages)\n"));
    for (qsizetype i = 0; i < r.history.size(); ++i) {
        const HistoryEntry &e = r.history.at(i);
        const QString speaker = e.role == QLatin1String("teacher") ? QStringLiteral("Teacher")
            : e.role == QLatin1String("application")               ? QStringLiteral("LearnPulse")
                                                                   : QStringLiteral("Assistant");
        const QString note = r.signalNotes.value(int(i));
        t += QStringLiteral("\n[%1] %2%3:\n")
                 .arg(e.timestamp.toUTC().toString(Qt::ISODate), speaker,
                     note.isEmpty() ? QString() : QStringLiteral(" (signal: %1)").arg(note));
        // Indent continuation lines so that a message cannot forge a header line of the transcript.
        QString body = MessageValidator::neutralise(e.content);
        body.replace(QLatin1Char('\n'), QLatin1String("\n  "));
        t += QLatin1String("  ") + body + QLatin1Char('\n');
    }
    return t;
}

TicketResult TicketService::createTicket(const TicketRequest &request)
{
    TicketResult result;
    QDateTime now = (request.now.isValid() ? request.now : QDateTime::currentDateTimeUtc()).toUTC();
    now.setTime(QTime(now.time().hour(), now.time().minute(), now.time().second())); // IDs and files have seconds
    result.timestamp = now;
    result.ticketId = ticketIdFor(request.session.id, now);

    const QString dir = m_config.ticketsDir();
    if (!QDir().mkpath(dir) || !QFile::setPermissions(dir, ownerOnlyDir)) {
        result.error = QStringLiteral("Cannot create the ticket directory %1").arg(dir);
        return result;
    }
    const QString path = dir + QLatin1Char('/') + fileNameFor(request.session.id, now);
    const QString transcript = transcriptText(result.ticketId, now, request);

    // Unbuffered, every write checked and synced before the rename: QSaveFile alone can commit a
    // short file when the disk fills up during its final flush.
    const QByteArray bytes = transcript.toUtf8();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        result.error = QStringLiteral("Cannot write the transcript %1: %2").arg(path, file.errorString());
        return result;
    }
    file.setPermissions(ownerOnlyFile);
    if (file.write(bytes) != bytes.size() || ::fsync(file.handle()) != 0) {
        result.error = QStringLiteral("Cannot write the transcript %1: %2").arg(path, file.errorString());
        file.cancelWriting();
        return result;
    }
    if (!file.commit() || QFileInfo(path).size() != bytes.size()) {
        result.error = QStringLiteral("Cannot write the transcript %1: %2").arg(path, file.errorString());
        return result;
    }
    QFile::setPermissions(path, ownerOnlyFile); // in case the file system ignored it on the temporary file
    result.conversationFile = path;
    crashPoint("after_transcript");

    TicketRecord record;
    record.id = result.ticketId;
    record.sessionId = request.session.id;
    record.userId = request.teacherUserId;
    record.teacherName = TicketRows::oneLine(request.teacherName); // stored as it is shown
    record.teacherEmail = request.teacherEmail;
    record.teacherRole = request.teacherRole;
    record.classId = TicketRows::oneLine(request.session.context.classId);
    record.student = TicketRows::oneLine(request.session.context.student);
    record.scope = TicketRows::oneLine(request.session.context.scope);
    record.created = now;
    record.summary = TicketRows::oneLine(request.summary);
    record.signalCount = request.session.dissatisfactionCount;
    record.rules = request.session.signalRules;
    record.rules.removeDuplicates();
    record.conversationFile = path;

    // The email and the webhook go to the outbox in the ticket's own transaction: creating a ticket
    // never waits for SMTP, and no ticket exists without its delivery on record.
    // A teacher's seat login does not deliver (its support seats do, with their own mail settings): its ticket's
    // email is always queued.
    QList<OutboxItem> outbox;
    if (m_config.smtpConfigured() || !m_store->database()->actsForEverySeatAs(Role::Support)) {
        record.emailStatus = QStringLiteral("pending");
        outbox << Outbox::emailFor(m_config, record.id, record.summary, record.teacherName, record.teacherEmail, path);
    } else {
        record.emailStatus = QStringLiteral("not_configured");
    }
    if (!m_config.webhookUrl.isEmpty())
        outbox << Outbox::webhookFor(record.id, record.summary);

    auto inserted = m_store->insert(record, transcript, outbox);
    crashPoint("after_index");
    if (!inserted) {
        QFile::remove(path);
        result.conversationFile.clear();
        result.error = inserted.error();
        return result;
    }
    if (inserted->outcome == TicketStore::InsertOutcome::SessionHasTicket) {
        // Another process won a race the Redis claim should have prevented (or a lapsed claim was
        // retaken): the unique constraint keeps one ticket, and that one is the answer.
        // The existing ticket's file is ours too when it has the same name (the same ticket; the index may keep only
        // the bare name): then it stays and is named by this seat's path.
        const bool sameFile = QFileInfo(inserted->existing.conversationFile).fileName() == QFileInfo(path).fileName();
        if (!sameFile)
            QFile::remove(path);
        result.ticketId = inserted->existing.id;
        result.conversationFile = sameFile ? path : inserted->existing.conversationFile;
        result.timestamp = inserted->existing.created;
        result.alreadyExisted = true;
    }
    result.success = true;
    if (!m_config.smtpConfigured() && !result.alreadyExisted
        && m_store->database()->actsForEverySeatAs(Role::Support)) {
        // Development mode: say what would have been sent; the teacher appears by user id (their email, name
        // and words never go into a log).
        qCWarning(lcMail) << "SMTP not configured - logging ticket instead of sending email";
        qCWarning(lcMail).noquote() << QStringLiteral(
            "SUPPORT TICKET WOULD BE SENT: To: %1 | From: %2 | Reply-To: the teacher (user %3) | "
            "Subject: Teacher Support Request - %4 | Attachment: %5")
                                           .arg(m_config.supportEmail, m_config.fromEmail(), request.teacherUserId,
                                               record.summary, path);
    }
    return result;
}

} // namespace LearnPulse
