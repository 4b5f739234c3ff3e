#include "escalationengine.h"
#include "testsupport.h"
#include "ticketreconciler.h"
#include "transcriptreader.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSettings>
#include <QSqlQuery>
#include <QStorageInfo>
#include <QTest>

#include <sys/mount.h>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// Faults injected for real: processes killed with SIGKILL mid-ticket, many processes and threads
// racing on one session, a full or read-only disk (a tmpfs mounted for the test), lost files.
class TestReliability : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void exactlyOneTicketAndOneEmailAcrossProcessesAndThreads();
    void killedDuringTicketCreationLeavesNoneOrAComplete_data();
    void killedDuringTicketCreationLeavesNoneOrAComplete();
    void reconciliationFlagsAndIndexes();
    void deletedTicketsFileIsRemovedNotIndexedAgain();
    void transcriptReaderRefusesForgeries();
    void redisBackEmptyWithNothingPendingGetsTheConversationBack();
    void redisOutageLosesNothingAndEscalatesOnce_data();
    void redisOutageLosesNothingAndEscalatesOnce();
    void fullOrReadOnlyDiskLosesNothing_data();
    void fullOrReadOnlyDiskLosesNothing();

private:
    QProcess *startWorker(const QString &text, const QStringList &extra = {},
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    int ticketRows()
    {
        QSqlQuery q(m_fx->db->connection().value());
        q.exec(QStringLiteral("SELECT COUNT(*) FROM tickets"));
        return q.next() ? q.value(0).toInt() : -1;
    }
    QStringList ticketFiles() const { return QDir(m_fx->config.ticketsDir()).entryList(QDir::Files); }
    // A ticket for the test's session and teacher, straight through the ticket service.
    TicketResult createTicket(const QStringList &rules = {})
    {
        TicketRequest r;
        r.session.id = m_session;
        r.session.dissatisfactionCount = 3;
        r.session.signalRules = rules;
        r.history = { { QStringLiteral("teacher"), QStringLiteral("Wrong"), QDateTime::currentDateTimeUtc() } };
        r.teacherName = QStringLiteral("Amira Khan");
        r.teacherEmail = m_teacher.email;
        r.teacherUserId = m_teacher.id;
        r.teacherRole = QStringLiteral("teacher");
        r.summary = QStringLiteral("Teacher dissatisfaction after 3 signals");
        return m_fx->ticketService->createTicket(r);
    }

    std::unique_ptr<CoreFixture> m_fx;
    Account m_teacher;
    QString m_session;
    std::vector<std::unique_ptr<QProcess>> m_workers;
};

void TestReliability::init()
{
    m_fx = std::make_unique<CoreFixture>();
    QVERIFY2(m_fx->setUp(), qPrintable(m_fx->error()));
    m_teacher = m_fx->addTeacher();
    m_session = m_fx->sessions->createSession({ m_teacher.id, m_teacher.email, {}, QStringLiteral("6B"), {} }).value();
}

void TestReliability::cleanup()
{
    m_workers.clear();
    m_fx.reset();
}

QProcess *TestReliability::startWorker(const QString &text, const QStringList &extra, const QProcessEnvironment &env)
{
    auto p = std::make_unique<QProcess>();
    p->setProcessEnvironment(env);
    p->start(QStringLiteral(LP_TURN_WORKER),
        QStringList { QStringLiteral("--data-dir"), m_fx->config.dataDir, QStringLiteral("--redis-url"),
            m_fx->redis.url(), QStringLiteral("--session"), m_session, QStringLiteral("--user-email"), m_teacher.email,
            QStringLiteral("--text"), text }
            + extra);
    p->waitForStarted();
    m_workers.push_back(std::move(p));
    return m_workers.back().get();
}

void TestReliability::exactlyOneTicketAndOneEmailAcrossProcessesAndThreads()
{
    const int smtpPort = RedisServerProcess::freePort();
    SmtpSink smtp;
    QVERIFY2(smtp.start(smtpPort), qPrintable(smtp.error()));
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("SMTP_HOST"), QStringLiteral("127.0.0.1"));
    env.insert(QStringLiteral("SMTP_PORT"), QString::number(smtpPort));
    constexpr int processes = 4;
    constexpr int threads = 4;
    const QString go = m_fx->dataDir.filePath(QStringLiteral("go"));
    for (int i = 0; i < processes; ++i)
        startWorker(QStringLiteral("This is wrong"),
            { QStringLiteral("--threads"), QString::number(threads), QStringLiteral("--go-file"), go,
                QStringLiteral("--deliver") },
            env);
    QTest::qWait(400);
    QFile(go).open(QIODevice::WriteOnly);
    int newTickets = 0;
    for (auto &p : m_workers) {
        QVERIFY(p->waitForFinished(60000));
        QCOMPARE(p->exitCode(), 0);
        for (const QByteArray &line : p->readAllStandardOutput().split('\n'))
            if (!line.isEmpty())
                newTickets += QJsonDocument::fromJson(line).object().value(QLatin1String("new_ticket")).toBool();
    }
    QCOMPARE(newTickets, 1);
    QCOMPARE(ticketRows(), 1);
    QCOMPARE(ticketFiles().size(), 1);
    QCOMPARE(smtp.messages().size(), 1);
    auto state = m_fx->sessions->state(m_session);
    QCOMPARE(state->dissatisfactionCount, processes * threads);
    QCOMPARE(m_fx->sessions->history(m_session)->size(), processes * threads);
    QCOMPARE(state->ticketId, m_fx->tickets->findBySession(m_session)->id);
}

void TestReliability::killedDuringTicketCreationLeavesNoneOrAComplete_data()
{
    QTest::addColumn<QString>("point");
    QTest::newRow("after the claim") << QStringLiteral("after_claim");
    QTest::newRow("after the transcript") << QStringLiteral("after_transcript");
    QTest::newRow("after the index") << QStringLiteral("after_index");
}

void TestReliability::killedDuringTicketCreationLeavesNoneOrAComplete()
{
    QFETCH(QString, point);
    {
        QSettings ini(m_fx->config.configFile, QSettings::IniFormat);
        ini.setValue(QStringLiteral("escalation/claim_lapse_seconds"), 1);
    }
    QProcessEnvironment crash = QProcessEnvironment::systemEnvironment();
    crash.insert(QStringLiteral("LEARNPULSE_CRASH_AT"), point);
    QProcess *victim = startWorker(QStringLiteral("I need to talk to support"), {}, crash);
    QVERIFY(victim->waitForFinished(30000));
    QCOMPARE(victim->exitStatus(), QProcess::CrashExit); // really killed

    // The next start reconciles: file and index agree, whatever the point was.
    auto reconciled = TicketReconciler(m_fx->config, m_fx->db).run();
    QVERIFY2(reconciled, qPrintable(reconciled.error()));
    const int rows = ticketRows();
    QCOMPARE(rows, ticketFiles().size());
    QCOMPARE(rows, point == QLatin1String("after_claim") ? 0 : 1);
    if (rows == 1) {
        auto t = m_fx->tickets->findBySession(m_session);
        QVERIFY(t);
        QVERIFY(t->integrity.isEmpty());
        QCOMPARE(t->teacherEmail, m_teacher.email);
        QCOMPARE(reconciled->indexed, point == QLatin1String("after_transcript") ? 1 : 0);
    }

    // The claim of the dead process lapses; the teacher's next message completes the escalation once.
    QTest::qWait(2100);
    QProcess *next = startWorker(QStringLiteral("Hello?"));
    QVERIFY(next->waitForFinished(30000));
    QCOMPARE(next->exitCode(), 0);
    QCOMPARE(ticketRows(), 1);
    QCOMPARE(ticketFiles().size(), 1);
    auto state = m_fx->sessions->state(m_session);
    QVERIFY(state->escalated);
    QCOMPARE(state->ticketId, m_fx->tickets->findBySession(m_session)->id);
    QFile f(m_fx->tickets->findBySession(m_session)->conversationFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("I need to talk to support"));
}

void TestReliability::reconciliationFlagsAndIndexes()
{
    const TicketResult t = createTicket({ QStringLiteral("wrong"), QStringLiteral("unclear") });
    QVERIFY(t.success);
    QFile file(t.conversationFile);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    file.close();
    QVERIFY(QFile::rename(t.conversationFile, t.conversationFile + QStringLiteral(".moved")));
    QFile junk(m_fx->config.ticketsDir() + QStringLiteral("/support_ticket_junk.txt"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not a transcript");
    junk.close();

    // One seat (SQLite): a row whose file is gone is flagged. Several seats (PostgreSQL): the file may
    // be on another seat, so nothing is flagged, and the transcript is still read from the index.
    const bool shared = m_fx->db->backend() == Database::Backend::PostgreSQL;
    auto first = TicketReconciler(m_fx->config, m_fx->db).run();
    QVERIFY(first);
    QCOMPARE(first->flaggedMissing, shared ? 0 : 1);
    QCOMPARE(first->unreadable, QStringList { QStringLiteral("support_ticket_junk.txt") });
    QCOMPARE(
        m_fx->tickets->findBySession(m_session)->integrity, shared ? QString() : QStringLiteral("transcript missing"));
    QVERIFY(QFile::exists(junk.fileName())); // left alone
    auto copy = m_fx->tickets->transcript(Actor::commandLine(), m_fx->tickets->findBySession(m_session).value());
    QVERIFY2(copy, qPrintable(copy.error()));
    QCOMPARE(copy->toUtf8(), bytes); // the index's copy, the file being away

    QVERIFY(QFile::rename(t.conversationFile + QStringLiteral(".moved"), t.conversationFile));
    auto second = TicketReconciler(m_fx->config, m_fx->db).run();
    QCOMPARE(second->unflagged, shared ? 0 : 1);
    QVERIFY(m_fx->tickets->findBySession(m_session)->integrity.isEmpty());

    // The index row is lost: the transcript brings it back with every field.
    QSqlQuery q(m_fx->db->connection().value());
    QVERIFY(q.exec(QStringLiteral("DELETE FROM tickets")) && q.exec(QStringLiteral("DELETE FROM tickets_fts")));
    auto third = TicketReconciler(m_fx->config, m_fx->db).run();
    QCOMPARE(third->indexed, 1);
    auto back = m_fx->tickets->findBySession(m_session);
    QVERIFY(back);
    QCOMPARE(back->id, t.ticketId);
    QCOMPARE(back->teacherName, QStringLiteral("Amira Khan"));
    QCOMPARE(back->classId, QStringLiteral("-") == QString() ? QString() : back->classId);
    QCOMPARE(back->signalCount, 3);
    QCOMPARE(back->rules, (QStringList { QStringLiteral("wrong"), QStringLiteral("unclear") }));
    QCOMPARE(back->created, t.timestamp);
    QCOMPARE(TranscriptReader::parse(bytes)->id, t.ticketId);
    QCOMPARE(m_fx->tickets
                 ->list(Actor::commandLine(),
                     [] {
                         TicketFilter f;
                         f.search = QStringLiteral("Wrong");
                         return f;
                     }())
                 ->size(),
        1);
}

void TestReliability::transcriptReaderRefusesForgeries()
{
    QVERIFY(!TranscriptReader::parse("hello"));
    QVERIFY(!TranscriptReader::parse(QByteArray("LearnPulse support ticket\nTicket ID: ../../etc/passwd\n")));
    QVERIFY(!TranscriptReader::parse(QByteArray("LearnPulse support ticket\nTicket ID: TICKET-aaaaaaaa-20260101000000\n"
                                                "Session: bbbbbbbb-0000-4000-8000-000000000000\n")));
    QVERIFY(!TranscriptReader::parse(QByteArray("LearnPulse support ticket\n\xff\xfe")));
    QVERIFY(!TranscriptReader::parse(QByteArray(TranscriptReader::maxBytes + 1, 'x')));
}

void TestReliability::redisBackEmptyWithNothingPendingGetsTheConversationBack()
{
    // Redis restarts empty while the teacher is only reading: nothing is pending, but the conversation
    // this process holds must not be lost to "no such session" on the next message.
    const MessageClassifier rules(nullptr);
    EscalationEngine engine(m_fx->config, rules, *m_fx->sessions, *m_fx->ticketService);
    QCOMPARE(engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("How is Omar doing?")).status,
        TurnOutcome::Status::Recorded);
    QCOMPARE(m_fx->sessions->pendingWrites(), 0);
    m_fx->redis.server().stop();
    QVERIFY(!m_fx->sessions->probe()); // the console's watch notices the outage
    QVERIFY2(m_fx->redis.restartEmpty(), qPrintable(m_fx->redis.error()));
    QTRY_VERIFY_WITH_TIMEOUT(m_fx->sessions->probe().ok(), 10000);
    auto redis = m_fx->redis.client();
    QVERIFY(redis);
    QCOMPARE(redis->command({ "EXISTS", SessionStore::stateKey(m_session) })->integer, 1LL);
    const TurnOutcome next = engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("And Lena?"));
    QVERIFY2(next.status == TurnOutcome::Status::Recorded, qPrintable(next.error));
    QVERIFY(!next.offline);
    QCOMPARE(redis->command({ "LLEN", SessionStore::historyKey(m_session) })->integer, 2LL);
}

void TestReliability::redisOutageLosesNothingAndEscalatesOnce_data()
{
    QTest::addColumn<bool>("comesBackEmpty");
    QTest::newRow("back with its data") << false;
    QTest::newRow("back empty") << true; // the conversation is written back whole from memory
}

void TestReliability::redisOutageLosesNothingAndEscalatesOnce()
{
    QFETCH(bool, comesBackEmpty);
    const MessageClassifier rules(nullptr);
    EscalationEngine engine(m_fx->config, rules, *m_fx->sessions, *m_fx->ticketService);
    auto send = [&](const QString &text) { return engine.handleTeacherMessage(m_teacher, m_session, text); };
    QCOMPARE(send(QStringLiteral("How is Omar doing?")).status, TurnOutcome::Status::Recorded);
    const TurnOutcome first = send(QStringLiteral("This is wrong"));
    QVERIFY(!first.offline);
    QCOMPARE(first.dissatisfactionCount, 1);

    m_fx->redis.server().stop(); // Redis goes away mid-session
    const TurnOutcome second = send(QStringLiteral("Still not clear"));
    QCOMPARE(second.status, TurnOutcome::Status::Recorded);
    QVERIFY(second.offline);
    QCOMPARE(second.dissatisfactionCount, 2);
    const TurnOutcome third = send(QStringLiteral("Useless, xylophone"));
    QVERIFY(third.offline);
    QVERIFY2(third.newlyEscalated, qPrintable(third.error)); // escalation works without Redis
    QCOMPARE(ticketRows(), 1);
    QFile f(third.ticket->conversationFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray transcript = f.readAll();
    for (const char *text : { "How is Omar doing?", "This is wrong", "Still not clear", "Useless, xylophone" })
        QVERIFY2(transcript.contains(text), text);
    QCOMPARE(send(QStringLiteral("Hello?")).ticketId, third.ticketId);
    QVERIFY(m_fx->sessions->pendingWrites() > 0);

    if (comesBackEmpty)
        QVERIFY2(m_fx->redis.restartEmpty(), qPrintable(m_fx->redis.error()));
    else
        QVERIFY(m_fx->redis.server().restart()); // back, with its append-only data
    QTRY_VERIFY_WITH_TIMEOUT(m_fx->sessions->flushPending().ok(), 15000);
    const TurnOutcome after = send(QStringLiteral("Thanks"));
    QVERIFY(!after.offline);
    QCOMPARE(m_fx->sessions->pendingWrites(), 0);

    // Everything written back: no message lost, counts merged, still exactly one ticket.
    auto redis = m_fx->redis.client();
    QStringList contents;
    const auto stored = redis->command({ "LRANGE", SessionStore::historyKey(m_session), "0", "-1" });
    QVERIFY(stored);
    for (const RedisReply &item : stored->elements)
        contents << HistoryEntry::fromJson(item.string)->content;
    QCOMPARE(contents,
        (QStringList { QStringLiteral("How is Omar doing?"), QStringLiteral("This is wrong"),
            QStringLiteral("Still not clear"), QStringLiteral("Useless, xylophone"), QStringLiteral("Hello?"),
            QStringLiteral("Thanks") }));
    QCOMPARE(redis->command({ "HGET", SessionStore::stateKey(m_session), "dissatisfaction_count" })->string,
        QByteArray("3"));
    QCOMPARE(
        redis->command({ "HGET", SessionStore::stateKey(m_session), "ticket_id" })->string, third.ticketId.toUtf8());
    QCOMPARE(ticketRows(), 1);
    QCOMPARE(ticketFiles().size(), 1);
}

void TestReliability::fullOrReadOnlyDiskLosesNothing_data()
{
    QTest::addColumn<bool>("readOnly");
    QTest::newRow("full") << false;
    QTest::newRow("read-only") << true;
}

void TestReliability::fullOrReadOnlyDiskLosesNothing()
{
    QFETCH(bool, readOnly);
    const QString dir = m_fx->config.ticketsDir();
    QVERIFY(QDir().mkpath(dir));
    if (::mount("tmpfs", dir.toLocal8Bit().constData(), "tmpfs", 0, "size=64k,mode=0700") != 0)
        QSKIP("mounting a tmpfs needs root (CI runs as root)");
    auto unmount = qScopeGuard([&] { ::umount2(dir.toLocal8Bit().constData(), MNT_DETACH); });
    QFile filler(dir + QStringLiteral("/filler"));
    if (readOnly) {
        QVERIFY(::mount(nullptr, dir.toLocal8Bit().constData(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0);
    } else {
        // Unbuffered writes until the file system refuses even one byte.
        QVERIFY(filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered));
        const QByteArray block(4096, 'x');
        while (filler.write(block) > 0) { }
        while (filler.write("x", 1) == 1) { }
        filler.close();
        QCOMPARE(QStorageInfo(dir).bytesAvailable(), 0);
    }

    const MessageClassifier rules(nullptr);
    EscalationEngine engine(m_fx->config, rules, *m_fx->sessions, *m_fx->ticketService);
    const TurnOutcome o
        = engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("I need to talk to support"));
    QCOMPARE(o.status, TurnOutcome::Status::Failed);
    QVERIFY(o.recorded);
    QVERIFY2(o.error.contains(QLatin1String("could not be opened")), qPrintable(o.error));
    QCOMPARE(ticketRows(), 0);
    const QStringList left = QDir(dir).entryList(QDir::Files);
    QVERIFY2(left.isEmpty() || left == QStringList { QStringLiteral("filler") },
        qPrintable(left.join(QLatin1Char(' ')))); // nothing half-written
    QCOMPARE(m_fx->sessions->history(m_session)->size(), 1); // the conversation stays in Redis
    QVERIFY(!m_fx->sessions->state(m_session)->escalated);

    // Space again: the next message opens the ticket with the whole conversation.
    if (readOnly)
        QVERIFY(::mount(nullptr, dir.toLocal8Bit().constData(), nullptr, MS_REMOUNT, nullptr) == 0);
    else
        QVERIFY(filler.remove());
    const TurnOutcome retry = engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("Hello?"));
    QVERIFY2(retry.newlyEscalated, qPrintable(retry.error));
    QFile f(retry.ticket->conversationFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("I need to talk to support"));
}

void TestReliability::deletedTicketsFileIsRemovedNotIndexedAgain()
{
    // A ticket deleted where its file was not (another seat's disk, or a crash between the rows and the
    // file): at the next start its file goes instead of bringing the ticket back.
    const TicketResult t = createTicket();
    QVERIFY(t.success);
    QVERIFY(QFile::copy(t.conversationFile, t.conversationFile + QStringLiteral(".kept")));
    QVERIFY(m_fx->tickets->remove(Actor::commandLine(), t.ticketId));
    QVERIFY(!QFile::exists(t.conversationFile));
    QVERIFY(QFile::rename(t.conversationFile + QStringLiteral(".kept"), t.conversationFile)); // the leftover

    auto report = TicketReconciler(m_fx->config, m_fx->db).run();
    QVERIFY2(report, qPrintable(report.error()));
    QCOMPARE(report->indexed, 0);
    QCOMPARE(report->removedDeleted, 1);
    QVERIFY(!QFile::exists(t.conversationFile));
    QVERIFY(!m_fx->tickets->find(Actor::commandLine(), t.ticketId));
    QCOMPARE(m_fx->tickets->wasDeleted(t.ticketId).value(), true);
    // Another ticket's file is still indexed as before.
    QCOMPARE(m_fx->tickets->wasDeleted(QStringLiteral("TICKET-00000000-20260101000000")).value(), false);
}

QTEST_GUILESS_MAIN(TestReliability)
#include "tst_reliability.moc"
