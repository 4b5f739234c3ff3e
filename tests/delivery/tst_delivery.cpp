#include "outbox.h"
#include "roles.h"
#include "testsupport.h"
#include "ticketthread.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// Ticket delivery against a real SMTP server (aiosmtpd) and a real HTTP receiver on loopback.
class TestDelivery : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void mailArrivesWithHeadersAndTheTranscriptAttached();
    void mailFromAnotherSeatAttachesTheIndexCopy();
    void mailWaitsWhileTheServerIsDownAndIsSentOnce();
    void permanentRefusalFailsWithoutRetrying();
    void retriesStopAtTheMaximum();
    void headerInjectionIsDefused();
    void developmentModeLogsInsteadOfSending();
    void startTlsIsRequiredWhenConfigured();
    void webhookIsPostedAndRetried();
    void shellTicketIsMailedBeforeTheProcessExits();
    void aLaterNoteNeverReachesTheTicketEmail();
    void aNameThatLooksLikeAnAddressListIsOneMailbox_data();
    void aNameThatLooksLikeAnAddressListIsOneMailbox();
    void aForgedOutboxRowMailsOnlyTheTicketToSupport();
    void aForgedTranscriptPathIsNeitherReadNorDeleted_data();
    void aForgedTranscriptPathIsNeitherReadNorDeleted();

private:
    TicketResult createTicket(const QString &teacherName = QStringLiteral("Zo\u00eb \u00c5ngstr\u00f6m"),
        const QString &session = QStringLiteral("3f9a1c2e-1111-4222-8333-444455556666"));
    QString emailStatus(const QString &ticketId)
    {
        QSqlQuery q(m_fx->db->connection().value());
        q.prepare(QStringLiteral("SELECT email_status FROM tickets WHERE id = ?"));
        q.addBindValue(ticketId);
        return q.exec() && q.next() ? q.value(0).toString() : QStringLiteral("?");
    }
    static QString header(const QJsonObject &mail, const QString &name)
    {
        for (const QJsonValue &h : mail.value(QLatin1String("headers")).toArray())
            if (h.toArray().at(0).toString().compare(name, Qt::CaseInsensitive) == 0)
                return h.toArray().at(1).toString();
        return QString();
    }

    std::unique_ptr<CoreFixture> m_fx;
    int m_smtpPort = 0;
};

void TestDelivery::init()
{
    m_fx = std::make_unique<CoreFixture>();
    QVERIFY2(m_fx->setUp(), qPrintable(m_fx->error()));
    m_smtpPort = RedisServerProcess::freePort();
    m_fx->config.smtpHost = QStringLiteral("127.0.0.1");
    m_fx->config.smtpPort = m_smtpPort;
    m_fx->config.smtpFromEmail = QStringLiteral("console@learnpulse.example");
}

void TestDelivery::cleanup()
{
    m_fx.reset();
}

TicketResult TestDelivery::createTicket(const QString &teacherName, const QString &session)
{
    TicketRequest r;
    r.session.id = session;
    r.session.dissatisfactionCount = 3;
    r.session.signalRules = { QStringLiteral("wrong") };
    r.history = { { QStringLiteral("teacher"), QStringLiteral("This is wrong \u2014 caf\u00e9 \U0001F600"),
        QDateTime::currentDateTimeUtc() } };
    r.teacherName = teacherName;
    r.teacherEmail = QStringLiteral("zoe@school.example");
    r.teacherUserId = QStringLiteral("user-7");
    r.teacherRole = QStringLiteral("teacher");
    r.summary = QStringLiteral("Teacher dissatisfaction after 3 signals");
    const TicketResult t = m_fx->ticketService->createTicket(r);
    if (!t.success)
        qFatal("%s", qPrintable(t.error));
    return t;
}

void TestDelivery::mailArrivesWithHeadersAndTheTranscriptAttached()
{
    SmtpSink sink;
    QVERIFY2(sink.start(m_smtpPort), qPrintable(sink.error()));
    const TicketResult ticket = createTicket();
    QCOMPARE(emailStatus(ticket.ticketId), QStringLiteral("pending"));
    QVERIFY(sink.messages().isEmpty()); // creating the ticket did not wait for SMTP

    Outbox outbox(m_fx->db, m_fx->config);
    const Outbox::Report report = outbox.deliverDue();
    QVERIFY2(report.sent == 1, qPrintable(report.errors.join(QLatin1Char('\n'))));
    QCOMPARE(emailStatus(ticket.ticketId), QStringLiteral("sent"));

    const QList<QJsonObject> mails = sink.messages();
    QCOMPARE(mails.size(), 1);
    const QJsonObject mail = mails.first();
    QCOMPARE(mail.value(QLatin1String("mail_from")).toString(), QStringLiteral("console@learnpulse.example"));
    QCOMPARE(mail.value(QLatin1String("rcpt_tos")).toArray(), QJsonArray { QStringLiteral("support@learnpulse.ai") });
    QCOMPARE(header(mail, QStringLiteral("Subject")),
        QStringLiteral("Teacher Support Request - Teacher dissatisfaction after 3 signals"));
    QCOMPARE(header(mail, QStringLiteral("To")), QStringLiteral("support@learnpulse.ai"));
    QVERIFY(header(mail, QStringLiteral("From")).contains(QLatin1String("console@learnpulse.example")));
    QCOMPARE(
        header(mail, QStringLiteral("Reply-To")), QStringLiteral("Zo\u00eb \u00c5ngstr\u00f6m <zoe@school.example>"));
    QVERIFY(mail.value(QLatin1String("raw_headers"))
                .toString()
                .contains(QLatin1String("=?UTF-8?B?"))); // encoded, not raw 8-bit
    QVERIFY(header(mail, QStringLiteral("Message-ID")).contains(ticket.ticketId));
    const QString body = mail.value(QLatin1String("body")).toString();
    QVERIFY(body.contains(ticket.ticketId));
    QVERIFY(body.contains(QLatin1String("Teacher dissatisfaction after 3 signals")));

    const QJsonArray attachments = mail.value(QLatin1String("attachments")).toArray();
    QCOMPARE(attachments.size(), 1);
    const QJsonObject a = attachments.first().toObject();
    QCOMPARE(a.value(QLatin1String("filename")).toString(), QFileInfo(ticket.conversationFile).fileName());
    QFile transcript(ticket.conversationFile);
    QVERIFY(transcript.open(QIODevice::ReadOnly));
    QCOMPARE(QByteArray::fromBase64(a.value(QLatin1String("base64")).toString().toLatin1()), transcript.readAll());

    // Sent once: later rounds find nothing to do.
    QCOMPARE(outbox.deliverDue().attempted, 0);
    QCOMPARE(outbox.retryAll().value(), 0);
    QCOMPARE(outbox.deliverDue().attempted, 0);
    QCOMPARE(sink.messages().size(), 1);
    QCOMPARE(outbox.list()->first().state, QStringLiteral("sent"));
}

void TestDelivery::mailWaitsWhileTheServerIsDownAndIsSentOnce()
{
    m_fx->config.outboxBackoffInitialSeconds = 1;
    const TicketResult ticket = createTicket();
    {
        Outbox outbox(m_fx->db, m_fx->config);
        const Outbox::Report down = outbox.deliverDue();
        QCOMPARE(down.attempted, 1);
        QCOMPARE(down.failed, 1);
        const OutboxEntry e = outbox.list()->first();
        QCOMPARE(e.state, QStringLiteral("pending"));
        QCOMPARE(e.tries, 1);
        QVERIFY(e.nextAttempt > QDateTime::currentDateTimeUtc());
        QVERIFY2(emailStatus(ticket.ticketId).startsWith(QLatin1String("pending (1 try, next attempt ")),
            qPrintable(emailStatus(ticket.ticketId)));
        QCOMPARE(outbox.deliverDue().attempted, 0); // not due yet: backoff
    }

    // "Restart": a new database connection and outbox; the pending mail is still on record.
    m_fx->sessions = nullptr;
    m_fx->ticketService = nullptr;
    m_fx->accounts = nullptr;
    m_fx->tickets.reset();
    m_fx->services.reset();
    m_fx->db.reset();
    auto reopened = Database::open(m_fx->config);
    QVERIFY(reopened);
    m_fx->db = reopened.value();

    SmtpSink sink;
    QVERIFY2(sink.start(m_smtpPort), qPrintable(sink.error()));
    QTest::qWait(1100);
    Outbox outbox(m_fx->db, m_fx->config);
    const Outbox::Report up = outbox.deliverDue();
    QCOMPARE(up.sent, 1);
    QCOMPARE(outbox.deliverDue().attempted, 0);
    QCOMPARE(sink.messages().size(), 1);
    QCOMPARE(outbox.list()->first().tries, 2);
    QCOMPARE(emailStatus(ticket.ticketId), QStringLiteral("sent"));
}

void TestDelivery::permanentRefusalFailsWithoutRetrying()
{
    SmtpSink sink;
    QVERIFY2(sink.start(m_smtpPort, true), qPrintable(sink.error()));
    const TicketResult ticket = createTicket();
    Outbox outbox(m_fx->db, m_fx->config);
    const Outbox::Report r = outbox.deliverDue();
    QCOMPARE(r.failed, 1);
    const OutboxEntry e = outbox.list()->first();
    QCOMPARE(e.state, QStringLiteral("failed"));
    QVERIFY2(e.lastError.contains(QLatin1String("550")), qPrintable(e.lastError));
    QVERIFY2(emailStatus(ticket.ticketId).startsWith(QLatin1String("failed: SMTP 550")),
        qPrintable(emailStatus(ticket.ticketId)));
    QCOMPARE(outbox.deliverDue().attempted, 0);
    QVERIFY(sink.messages().isEmpty());
    // An admin can ask again, with a fresh set of tries.
    QCOMPARE(outbox.retryAll().value(), 1);
    QCOMPARE(outbox.list()->first().state, QStringLiteral("pending"));
}

void TestDelivery::retriesStopAtTheMaximum()
{
    m_fx->config.outboxMaxTries = 2;
    m_fx->config.outboxBackoffInitialSeconds = 1;
    const TicketResult ticket = createTicket(); // nothing listens on the SMTP port
    Outbox outbox(m_fx->db, m_fx->config);
    QCOMPARE(outbox.deliverDue().failed, 1);
    QCOMPARE(outbox.list()->first().state, QStringLiteral("pending"));
    QTest::qWait(1100);
    QCOMPARE(outbox.deliverDue().failed, 1);
    const OutboxEntry e = outbox.list()->first();
    QCOMPARE(e.state, QStringLiteral("failed"));
    QCOMPARE(e.tries, 2);
    QVERIFY(emailStatus(ticket.ticketId).startsWith(QLatin1String("failed: ")));
}

void TestDelivery::headerInjectionIsDefused()
{
    SmtpSink sink;
    QVERIFY2(sink.start(m_smtpPort), qPrintable(sink.error()));
    const TicketResult ticket = createTicket(QStringLiteral("Eve\r\nBcc: victim@evil.example\r\nX-Evil: 1"));
    // A summary with line breaks too, written into the index's row (which is not trusted either).
    const TicketResult second
        = createTicket(QStringLiteral("\"Quoted\" <name>\n"), QStringLiteral("4aa1c2e0-1111-4222-8333-444455556666"));
    QSqlQuery q(m_fx->db->connection().value());
    q.prepare(QStringLiteral("UPDATE tickets SET summary = ? WHERE id = ?"));
    q.addBindValue(QStringLiteral("Help\r\nBcc: b@evil.example"));
    q.addBindValue(second.ticketId);
    QVERIFY(q.exec());

    Outbox outbox(m_fx->db, m_fx->config);
    QCOMPARE(outbox.deliverDue().sent, 2);
    const QList<QJsonObject> mails = sink.messages();
    QCOMPARE(mails.size(), 2);
    for (const QJsonObject &mail : mails) {
        QCOMPARE(
            mail.value(QLatin1String("rcpt_tos")).toArray(), QJsonArray { QStringLiteral("support@learnpulse.ai") });
        QVERIFY(header(mail, QStringLiteral("Bcc")).isEmpty());
        QVERIFY(header(mail, QStringLiteral("X-Evil")).isEmpty());
        const QString raw = mail.value(QLatin1String("raw_headers")).toString();
        QVERIFY2(
            !raw.contains(QLatin1String("\r\nBcc:")) && !raw.contains(QLatin1String("\r\nX-Evil:")), qPrintable(raw));
    }
    QCOMPARE(header(mails[0], QStringLiteral("Reply-To")),
        QStringLiteral("\"Eve Bcc: victim@evil.example X-Evil: 1\" <zoe@school.example>"));
    QCOMPARE(header(mails[1], QStringLiteral("Subject")),
        QStringLiteral("Teacher Support Request - Help Bcc: b@evil.example"));
}

void TestDelivery::aNameThatLooksLikeAnAddressListIsOneMailbox_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("encoded word") << QStringLiteral("=?x?= <evil@attacker.example>, Ms Jones");
    QTest::newRow("encoded word, not ASCII") << QStringLiteral("=?x?= Zo\u00eb <evil@attacker.example>, Ms Jones");
    QTest::newRow("comma and quotes") << QStringLiteral("Jones, \"Ms\" <evil@attacker.example>");
    QTest::newRow("semicolon group") << QStringLiteral("undisclosed:; evil@attacker.example");
    QTest::newRow("backslash") << QStringLiteral("Ms \\\" Jones <evil@attacker.example>");
}

void TestDelivery::aNameThatLooksLikeAnAddressListIsOneMailbox()
{
    QFETCH(QString, name);
    SmtpSink sink;
    QVERIFY2(sink.start(m_smtpPort), qPrintable(sink.error()));
    createTicket(name);
    Outbox outbox(m_fx->db, m_fx->config);
    QCOMPARE(outbox.deliverDue().sent, 1);
    const QJsonObject mail = sink.messages().constFirst();
    // As Python's email.utils.getaddresses reads the header that arrived: one mailbox, the teacher's.
    const QJsonArray replyTo
        = mail.value(QLatin1String("addresses")).toObject().value(QLatin1String("Reply-To")).toArray();
    QCOMPARE(replyTo.size(), 1);
    QCOMPARE(replyTo.at(0).toArray().at(1).toString(), QStringLiteral("zoe@school.example"));
    QCOMPARE(mail.value(QLatin1String("rcpt_tos")).toArray(), QJsonArray { QStringLiteral("support@learnpulse.ai") });
}

void TestDelivery::aForgedOutboxRowMailsOnlyTheTicketToSupport()
{
    SmtpSink sink;
    QVERIFY2(sink.start(m_smtpPort), qPrintable(sink.error()));
    const TicketResult ticket = createTicket();
    // Anyone who can write the index rewrites the row: another recipient, a file of this seat as attachment.
    QTemporaryDir elsewhere;
    const QString secret = elsewhere.filePath(QStringLiteral("secret.txt"));
    QFile f(secret);
    QVERIFY(f.open(QIODevice::WriteOnly) && f.write("top secret\n") > 0);
    f.close();
    const QJsonObject forged { { QStringLiteral("to"), QStringLiteral("evil@attacker.example") },
        { QStringLiteral("from"), QStringLiteral("ceo@learnpulse.ai") },
        { QStringLiteral("reply_to"), QStringLiteral("evil@attacker.example") },
        { QStringLiteral("subject"), QStringLiteral("Invoice") }, { QStringLiteral("body"), QStringLiteral("Pay now") },
        { QStringLiteral("attachment"), secret } };
    QSqlQuery q(m_fx->db->connection().value());
    q.prepare(QStringLiteral("UPDATE outbox SET payload = ? WHERE ticket_id = ?"));
    q.addBindValue(QString::fromUtf8(QJsonDocument(forged).toJson()));
    q.addBindValue(ticket.ticketId);
    QVERIFY(q.exec() && q.numRowsAffected() == 1);
    // And a row of its own for a ticket that does not exist.
    q.prepare(QStringLiteral("INSERT INTO outbox (ticket_id, kind, payload, next_attempt, created) VALUES "
                             "('TICKET-deadbeef-20260101000000', 'email', ?, '', '')"));
    q.addBindValue(QString::fromUtf8(QJsonDocument(forged).toJson()));
    QVERIFY(q.exec());

    Outbox outbox(m_fx->db, m_fx->config);
    const Outbox::Report report = outbox.deliverDue();
    QCOMPARE(report.sent, 1);
    const QList<QJsonObject> mails = sink.messages();
    QCOMPARE(mails.size(), 1);
    const QJsonObject mail = mails.first();
    QCOMPARE(mail.value(QLatin1String("rcpt_tos")).toArray(), QJsonArray { QStringLiteral("support@learnpulse.ai") });
    QCOMPARE(mail.value(QLatin1String("mail_from")).toString(), QStringLiteral("console@learnpulse.example"));
    QVERIFY(header(mail, QStringLiteral("Reply-To")).contains(QLatin1String("zoe@school.example")));
    QVERIFY(mail.value(QLatin1String("body")).toString().contains(ticket.ticketId));
    QFile transcript(ticket.conversationFile);
    QVERIFY(transcript.open(QIODevice::ReadOnly));
    const QJsonObject a = mail.value(QLatin1String("attachments")).toArray().first().toObject();
    QCOMPARE(QByteArray::fromBase64(a.value(QLatin1String("base64")).toString().toLatin1()), transcript.readAll());
    const QString raw = QString::fromUtf8(QJsonDocument(mail).toJson());
    QVERIFY(!raw.contains(QLatin1String("evil@attacker.example")));
    QVERIFY(!raw.contains(QLatin1String("top secret")));
    // The row without a ticket failed for good, and said why.
    bool refused = false;
    const QList<OutboxEntry> entries = outbox.list().value();
    for (const OutboxEntry &e : entries)
        if (e.ticketId == QLatin1String("TICKET-deadbeef-20260101000000"))
            refused = e.state == QLatin1String("failed") && e.lastError.contains(QLatin1String("not in the index"));
    QVERIFY(refused);
}

void TestDelivery::aForgedTranscriptPathIsNeitherReadNorDeleted_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("another file") << QStringLiteral("path");
    QTest::newRow("dot-dot") << QStringLiteral("dotdot");
    QTest::newRow("symbolic link") << QStringLiteral("symlink");
    QTest::newRow("the right name in another ticket folder") << QStringLiteral("folder");
}

void TestDelivery::aForgedTranscriptPathIsNeitherReadNorDeleted()
{
    QFETCH(QString, how);
    SmtpSink sink;
    QVERIFY2(sink.start(m_smtpPort), qPrintable(sink.error()));
    const TicketResult ticket = createTicket();
    QTemporaryDir elsewhere;
    // "folder": a file with the ticket's own name, in a folder named as a seat's ticket folder is, not this seat's.
    QVERIFY(QDir(elsewhere.path()).mkpath(QStringLiteral("support_tickets")));
    const QString victim = how == QLatin1String("folder")
        ? elsewhere.filePath(QStringLiteral("support_tickets/") + QFileInfo(ticket.conversationFile).fileName())
        : elsewhere.filePath(QStringLiteral("victim.txt"));
    QFile f(victim);
    QVERIFY(f.open(QIODevice::WriteOnly) && f.write("do not touch\n") > 0);
    f.close();
    QSqlQuery q(m_fx->db->connection().value());
    if (how == QLatin1String("symlink")) {
        // The transcript itself replaced by a link to the victim.
        QVERIFY(QFile::remove(ticket.conversationFile));
        QVERIFY(QFile::link(victim, ticket.conversationFile));
    } else {
        const QString path = how == QLatin1String("path") || how == QLatin1String("folder")
            ? victim
            : m_fx->config.ticketsDir() + QStringLiteral("/../../") + QFileInfo(ticket.conversationFile).fileName();
        q.prepare(QStringLiteral("UPDATE tickets SET conversation_file = ? WHERE id = ?"));
        q.addBindValue(path);
        q.addBindValue(ticket.ticketId);
        QVERIFY(q.exec());
    }
    // Shown: the index's copy, never the victim (the seat's store, as the console and learnpulsectl use it).
    TicketStore &store = *m_fx->tickets;
    const TicketRecord record = store.find(Actor::commandLine(), ticket.ticketId).value();
    auto text = store.transcript(Actor::commandLine(), record);
    QVERIFY2(text, qPrintable(text.error()));
    QVERIFY(text->contains(ticket.ticketId));
    QVERIFY(!text->contains(QLatin1String("do not touch")));
    // Mailed: the index's copy.
    Outbox outbox(m_fx->db, m_fx->config);
    QCOMPARE(outbox.deliverDue().sent, 1);
    const QJsonObject a = sink.messages().first().value(QLatin1String("attachments")).toArray().first().toObject();
    const QByteArray attached = QByteArray::fromBase64(a.value(QLatin1String("base64")).toString().toLatin1());
    QVERIFY(attached.contains(ticket.ticketId.toUtf8()));
    QVERIFY(!attached.contains("do not touch"));
    // Deleted: the ticket goes, the victim stays.
    QVERIFY(store.remove(Actor::commandLine(), ticket.ticketId));
    QVERIFY(QFile::exists(victim));
    QFile check(victim);
    QVERIFY(check.open(QIODevice::ReadOnly));
    QCOMPARE(check.readAll(), QByteArray("do not touch\n"));
}

void TestDelivery::developmentModeLogsInsteadOfSending()
{
    m_fx->config.smtpHost.clear();
    QStringList logs;
    static QStringList *sink = nullptr;
    sink = &logs;
    const QtMessageHandler previous
        = qInstallMessageHandler([](QtMsgType, const QMessageLogContext &, const QString &m) {
              if (sink)
                  sink->append(m);
          });
    const TicketResult ticket = createTicket();
    qInstallMessageHandler(previous);
    sink = nullptr;

    QCOMPARE(emailStatus(ticket.ticketId), QStringLiteral("not_configured"));
    const QString all = logs.join(QLatin1Char('\n'));
    QVERIFY2(
        all.contains(QLatin1String("SMTP not configured - logging ticket instead of sending email")), qPrintable(all));
    QVERIFY(all.contains(QLatin1String("SUPPORT TICKET WOULD BE SENT:")));
    QVERIFY(all.contains(QLatin1String("To: support@learnpulse.ai")));
    QVERIFY(all.contains(QLatin1String("Subject: Teacher Support Request - Teacher dissatisfaction after 3 signals")));
    QVERIFY(all.contains(ticket.conversationFile));
    QVERIFY(!all.contains(QLatin1String("caf\u00e9"))); // no message text
    // The teacher by user id: no email or name of theirs in a log.
    QVERIFY(all.contains(QLatin1String("Reply-To: the teacher (user user-7)")));
    QVERIFY2(!all.contains(QLatin1String("zoe@school.example")) && !all.contains(QStringLiteral("Zo\u00eb")),
        qPrintable(all));
    Outbox outbox(m_fx->db, m_fx->config);
    QVERIFY(outbox.list()->isEmpty());
}

void TestDelivery::startTlsIsRequiredWhenConfigured()
{
    SmtpSink sink; // plain SMTP, no STARTTLS on offer
    QVERIFY2(sink.start(m_smtpPort), qPrintable(sink.error()));
    m_fx->config.smtpRequireTls = true;
    createTicket();
    Outbox outbox(m_fx->db, m_fx->config);
    const Outbox::Report r = outbox.deliverDue();
    QCOMPARE(r.failed, 1);
    QVERIFY2(r.errors.join(QString()).contains(QLatin1String("STARTTLS")), qPrintable(r.errors.join(QString())));
    QVERIFY(sink.messages().isEmpty());
    QVERIFY(Mailer::isLoopbackHost(QStringLiteral("localhost")));
    QVERIFY(Mailer::isLoopbackHost(QStringLiteral("::1")));
    QVERIFY(!Mailer::isLoopbackHost(QStringLiteral("smtp.example.org")));
    QVERIFY(!Mailer::isLoopbackHost(QStringLiteral("10.0.0.1")));
}

void TestDelivery::webhookIsPostedAndRetried()
{
    m_fx->config.smtpHost.clear();
    HttpSink failing;
    QVERIFY2(failing.start(0, 500), qPrintable(failing.error()));
    const int port = failing.port();
    m_fx->config.webhookUrl = failing.url();
    const TicketResult ticket = createTicket();
    Outbox outbox(m_fx->db, m_fx->config);
    QCOMPARE(outbox.deliverDue().failed, 1);
    QCOMPARE(failing.posts().size(), 1);
    QCOMPARE(outbox.list()->first().state, QStringLiteral("pending"));
    failing.stop();

    HttpSink receiver;
    QVERIFY2(receiver.start(port, 200), qPrintable(receiver.error()));
    QCOMPARE(outbox.retryAll().value(), 1);
    QCOMPARE(outbox.deliverDue().sent, 1);
    QCOMPARE(outbox.deliverDue().attempted, 0);
    const QList<QJsonObject> posts = receiver.posts();
    QCOMPARE(posts.size(), 1);
    QCOMPARE(posts[0].value(QLatin1String("path")).toString(), QStringLiteral("/hooks/support"));
    QCOMPARE(posts[0].value(QLatin1String("content_type")).toString(), QStringLiteral("application/json"));
    const QJsonObject body
        = QJsonDocument::fromJson(posts[0].value(QLatin1String("body")).toString().toUtf8()).object();
    QVERIFY(body.value(QLatin1String("text")).toString().contains(ticket.ticketId));
    QVERIFY(body.value(QLatin1String("text"))
                .toString()
                .contains(QLatin1String("Teacher dissatisfaction after 3 signals")));
    QCOMPARE(body.value(QLatin1String("ticket_id")).toString(), ticket.ticketId);
    QVERIFY(!posts[0].value(QLatin1String("body")).toString().contains(QLatin1String("caf"))); // no transcript
}

void TestDelivery::shellTicketIsMailedBeforeTheProcessExits()
{
    SmtpSink sink;
    QVERIFY2(sink.start(m_smtpPort), qPrintable(sink.error()));
    QTemporaryDir dataDir;
    auto run = [&](const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment()) {
        return runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
            args + QStringList { QStringLiteral("--data-dir"), dataDir.path() }, {}, env);
    };
    QCOMPARE(run({ QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("--email"),
                     QStringLiteral("t@school.example"), QStringLiteral("--name"), QStringLiteral("T"),
                     QStringLiteral("--role"), QStringLiteral("teacher") })
                 .exitCode,
        0);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("REDIS_URL"), m_fx->redis.url());
    env.insert(QStringLiteral("SMTP_HOST"), QStringLiteral("127.0.0.1"));
    env.insert(QStringLiteral("SMTP_PORT"), QString::number(m_smtpPort));
    env.insert(
        QStringLiteral("LLM_BASE_URL"), QStringLiteral("http://127.0.0.1:%1/v1").arg(RedisServerProcess::freePort()));
    const ProcessResult chat = run({ QStringLiteral("chat"), QStringLiteral("--json"), QStringLiteral("--user"),
                                       QStringLiteral("t@school.example"), QStringLiteral("Please contact support") },
        env);
    QVERIFY2(chat.exitCode == 0, chat.err.constData());
    const QString ticket = QJsonDocument::fromJson(chat.out).object().value(QLatin1String("ticket_id")).toString();
    QVERIFY(!ticket.isEmpty());
    QCOMPARE(sink.messages().size(), 1); // delivered before the process ended

    const ProcessResult list = run({ QStringLiteral("outbox"), QStringLiteral("list"), QStringLiteral("--json") });
    QCOMPARE(list.exitCode, 0);
    const QJsonObject entry = QJsonDocument::fromJson(list.out).object();
    QCOMPARE(entry.value(QLatin1String("state")).toString(), QStringLiteral("sent"));
    QCOMPARE(entry.value(QLatin1String("ticket_id")).toString(), ticket);
    const ProcessResult tickets = run({ QStringLiteral("tickets"), QStringLiteral("list"), QStringLiteral("--json") });
    QCOMPARE(QJsonDocument::fromJson(tickets.out).object().value(QLatin1String("email_status")).toString(),
        QStringLiteral("sent"));
    const ProcessResult retry = run({ QStringLiteral("outbox"), QStringLiteral("retry") }, env);
    QCOMPARE(retry.exitCode, 0);
    QVERIFY(retry.out.contains("attempted 0"));
    QCOMPARE(sink.messages().size(), 1);
}

void TestDelivery::aLaterNoteNeverReachesTheTicketEmail()
{
    // The ticket's email waits (the server is away) while support writes in the thread; what is mailed
    // is the transcript of the escalation: never an internal note (the email's Reply-To is the teacher).
    const TicketResult ticket = createTicket();
    const Actor agent { QStringLiteral("agent-1"), QStringLiteral("sam@learnpulse.example"), QStringLiteral("Sam"),
        Role::Support, false };
    TicketThread thread(m_fx->db);
    QVERIFY(thread.note(agent, ticket.ticketId, QStringLiteral("Quokka: internal only")));
    QVERIFY(thread.reply(agent, ticket.ticketId, QStringLiteral("We are looking into it.")));
    SmtpSink sink;
    QVERIFY2(sink.start(m_smtpPort), qPrintable(sink.error()));
    Outbox outbox(m_fx->db, m_fx->config);
    QCOMPARE(outbox.deliverDue().sent, 1);
    QCOMPARE(sink.messages().size(), 1);
    const QJsonObject mail = sink.messages().constFirst();
    const QByteArray attachment = QByteArray::fromBase64(mail.value(QLatin1String("attachments"))
                                                             .toArray()
                                                             .first()
                                                             .toObject()
                                                             .value(QLatin1String("base64"))
                                                             .toString()
                                                             .toLatin1());
    QVERIFY(attachment.contains("This is wrong")); // the conversation is there
    for (const QByteArray &part : { mail.value(QLatin1String("body")).toString().toUtf8(), attachment,
             mail.value(QLatin1String("raw_headers")).toString().toUtf8() })
        QVERIFY(!part.contains("Quokka"));
}

void TestDelivery::mailFromAnotherSeatAttachesTheIndexCopy()
{
    // The ticket was written on another seat: its file is not on this disk. The email still goes out,
    // with the transcript from the index, byte for byte.
    SmtpSink sink;
    QVERIFY2(sink.start(m_smtpPort), qPrintable(sink.error()));
    const TicketResult ticket = createTicket();
    QFile file(ticket.conversationFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    file.close();
    QVERIFY(QFile::rename(ticket.conversationFile, ticket.conversationFile + QStringLiteral(".elsewhere")));

    Outbox outbox(m_fx->db, m_fx->config);
    const Outbox::Report report = outbox.deliverDue();
    QVERIFY2(report.sent == 1, qPrintable(report.errors.join(QLatin1Char('\n'))));
    const QJsonArray attachments = sink.messages().value(0).value(QLatin1String("attachments")).toArray();
    QCOMPARE(attachments.size(), 1);
    const QJsonObject a = attachments.first().toObject();
    QCOMPARE(a.value(QLatin1String("filename")).toString(), QFileInfo(ticket.conversationFile).fileName());
    QCOMPARE(QByteArray::fromBase64(a.value(QLatin1String("base64")).toString().toLatin1()), bytes);
}

QTEST_GUILESS_MAIN(TestDelivery)
#include "tst_delivery.moc"
