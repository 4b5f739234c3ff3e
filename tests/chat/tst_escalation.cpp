#include "escalationengine.h"
#include "redisscripts.h"
#include "testsupport.h"
#include "ticketthread.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>
#include <QTime>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// The seed's scenarios and the turn's guarantees, through the core with a real Redis and SQLite.
class TestEscalation : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void normalConversationDoesNotEscalate();
    void oneSignalOpensNoTicket();
    void threeSignalsOpenExactlyOneTicket();
    void explicitRequestEscalatesAtOnce();
    void badInputIsRefusedAndWritesNothing_data();
    void badInputIsRefusedAndWritesNothing();
    void failedTicketIsRetriedWithTheNextMessage();
    void racingProcessesOpenExactlyOneTicket();
    void racingFollowUpsReopenTheOneTicketOnce();
    void repetitionIsASignal_data();
    void repetitionIsASignal();
    void repetitionFollowsItsSettings();
    void theTeacherAndTheTicketAreToldWhatCounted();
    void aMessageCannotForgeATranscriptLine_data();
    void aMessageCannotForgeATranscriptLine();
    void everyRuleFamilyThroughTheTurn_data();
    void everyRuleFamilyThroughTheTurn();
    void aThumbsDownIsASignal_data();
    void aThumbsDownIsASignal();
    void aThumbsDownCanOpenTheTicket();
    void aWithdrawnSignalNoLongerCounts_data();
    void aWithdrawnSignalNoLongerCounts();
    void aVagueAskIsOfferedATicketOnce();
    void aWithdrawnSignalStopsAFailedEscalationsRetry();
    void logsNameRulesAndIdsButNeverMessageText();
    void aTurnIsOneRoundTrip();
    void aTakeBackRemovesItsOwnSignalMarkWherever();
    void messageOverTheRateLimitIsTakenBackExactly_data();
    void messageOverTheRateLimitIsTakenBackExactly();

private:
    TurnOutcome send(const QString &text) { return m_engine->handleTeacherMessage(m_teacher, m_session, text); }
    // Starts `workers` turn-worker processes (each with `threads` threads) on this session, lets them all
    // connect, then releases them at once; the text of worker i is textPattern.arg(i). False if one did not
    // start.
    bool race(
        std::vector<std::unique_ptr<QProcess>> &processes, int workers, const QString &textPattern, int threads = 1)
    {
        const QString go = m_fx->dataDir.filePath(QStringLiteral("go"));
        for (int i = 0; i < workers; ++i) {
            auto p = std::make_unique<QProcess>();
            p->start(QStringLiteral(LP_TURN_WORKER),
                { QStringLiteral("--data-dir"), m_fx->config.dataDir, QStringLiteral("--redis-url"), m_fx->redis.url(),
                    QStringLiteral("--session"), m_session, QStringLiteral("--user-email"), m_teacher.email,
                    QStringLiteral("--text"), textPattern.arg(i), QStringLiteral("--threads"), QString::number(threads),
                    QStringLiteral("--go-file"), go });
            if (!p->waitForStarted())
                return false;
            processes.push_back(std::move(p));
        }
        QTest::qWait(300); // let every worker connect and wait at the line
        QFile start(go);
        return start.open(QIODevice::WriteOnly);
    }
    int ticketRows()
    {
        QSqlQuery q(m_fx->db->connection().value());
        q.exec(QStringLiteral("SELECT COUNT(*) FROM tickets"));
        return q.next() ? q.value(0).toInt() : -1;
    }
    QStringList ticketFiles() const { return QDir(m_fx->config.ticketsDir()).entryList(QDir::Files); }
    QByteArray redisDump(bool withRateCounters = true)
    {
        // Every key with its content, to prove that refused input changed nothing.
        QByteArray out;
        auto keys = m_fx->redisClient->command({ "KEYS", "*" });
        for (const RedisReply &k : keys->elements) {
            if (!withRateCounters && k.string.contains(":rate:"))
                continue;
            auto type = m_fx->redisClient->command({ "TYPE", k.string });
            out += k.string + ' ' + type->string + ':';
            const QByteArray t = type->string;
            auto v = t == "hash" ? m_fx->redisClient->command({ "HGETALL", k.string })
                : t == "list"    ? m_fx->redisClient->command({ "LRANGE", k.string, "0", "-1" })
                                 : m_fx->redisClient->command({ "SMEMBERS", k.string });
            for (const RedisReply &e : v->elements)
                out += e.string + ',';
            out += '\n';
        }
        return out;
    }

    std::unique_ptr<CoreFixture> m_fx;
    std::unique_ptr<EscalationEngine> m_engine;
    Account m_teacher;
    QString m_session;
    // The rules alone: these tests are about the turn, not the trained model (tst_detector measures that).
    const MessageClassifier m_rules { nullptr };
};

void TestEscalation::init()
{
    m_fx = std::make_unique<CoreFixture>();
    QVERIFY2(m_fx->setUp(), qPrintable(m_fx->error()));
    m_engine = std::make_unique<EscalationEngine>(m_fx->config, m_rules, *m_fx->sessions, *m_fx->ticketService);
    m_teacher = m_fx->addTeacher();
    auto session = m_fx->sessions->createSession(
        { m_teacher.id, m_teacher.email, QStringLiteral("Aisha"), QStringLiteral("6B"), QStringLiteral("loops") });
    QVERIFY2(session, qPrintable(session.error()));
    m_session = session.value();
}

void TestEscalation::cleanup()
{
    m_engine.reset();
    m_fx.reset();
}

void TestEscalation::normalConversationDoesNotEscalate()
{
    for (const QString &text : { QStringLiteral("How is Aisha doing?"),
             QStringLiteral("What about her debugging skills?"), QStringLiteral("Thanks, that's helpful.") }) {
        const TurnOutcome o = send(text);
        QCOMPARE(o.status, TurnOutcome::Status::Recorded);
        QVERIFY(o.needsAssistantReply());
        QVERIFY(!o.detection.dissatisfied);
        QCOMPARE(o.dissatisfactionCount, 0);
        QVERIFY(!o.escalated);
        QVERIFY(o.ticketId.isEmpty());
    }
    QCOMPARE(ticketRows(), 0);
    QVERIFY(ticketFiles().isEmpty());
    QCOMPARE(m_fx->sessions->history(m_session)->size(), 3);
}

void TestEscalation::oneSignalOpensNoTicket()
{
    QVERIFY(!send(QStringLiteral("How is Aisha doing?")).detection.dissatisfied);
    const TurnOutcome o = send(QStringLiteral("This doesn't help"));
    QCOMPARE(o.status, TurnOutcome::Status::Recorded);
    QVERIFY(o.detection.dissatisfied);
    QCOMPARE(o.dissatisfactionCount, 1);
    QVERIFY(!o.escalated);
    QVERIFY(o.needsAssistantReply());
    QCOMPARE(ticketRows(), 0);
    QVERIFY(!m_fx->sessions->state(m_session)->escalated);
}

void TestEscalation::threeSignalsOpenExactlyOneTicket()
{
    QVERIFY(send(QStringLiteral("How is Aisha doing?")).needsAssistantReply());
    QCOMPARE(send(QStringLiteral("This doesn't help")).dissatisfactionCount, 1);
    QCOMPARE(send(QStringLiteral("Still not clear")).dissatisfactionCount, 2);
    const TurnOutcome third = send(QStringLiteral("That's wrong again, xylophone"));
    QCOMPARE(third.status, TurnOutcome::Status::Recorded);
    QCOMPARE(third.dissatisfactionCount, 3);
    QVERIFY(third.escalated);
    QVERIFY(third.newlyEscalated);
    QVERIFY(!third.needsAssistantReply()); // the application answers, not the model
    QVERIFY(third.ticketId.startsWith(QStringLiteral("TICKET-") + m_session.left(8) + QLatin1Char('-')));
    QVERIFY2(third.reply.contains(third.ticketId), qPrintable(third.reply));
    QVERIFY(third.reply.contains(m_teacher.email));
    QVERIFY(third.ticket && third.ticket->success);

    auto state = m_fx->sessions->state(m_session);
    QVERIFY(state->escalated);
    QCOMPARE(state->ticketId, third.ticketId);

    QFile f(third.ticket->conversationFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString transcript = QString::fromUtf8(f.readAll());
    for (const QString &expected : { third.ticketId, QStringLiteral("Amira Khan"), m_teacher.email, m_teacher.id,
             QStringLiteral("How is Aisha doing?"), QStringLiteral("This doesn't help"),
             QStringLiteral("Still not clear"), QStringLiteral("That's wrong again, xylophone"),
             QStringLiteral("Teacher dissatisfaction after 3 signals") })
        QVERIFY2(transcript.contains(expected), qPrintable(expected));
    QCOMPARE(ticketRows(), 1);

    const TurnOutcome fourth = send(QStringLiteral("Still wrong."));
    QCOMPARE(fourth.status, TurnOutcome::Status::Recorded);
    QCOMPARE(fourth.dissatisfactionCount, 4);
    QVERIFY(fourth.escalated);
    QVERIFY(!fourth.newlyEscalated);
    QCOMPARE(fourth.ticketId, third.ticketId);
    QCOMPARE(ticketRows(), 1);
    QCOMPARE(ticketFiles().size(), 1);
}

void TestEscalation::explicitRequestEscalatesAtOnce()
{
    const TurnOutcome o = send(QStringLiteral("I need to talk to support"));
    QVERIFY(o.detection.explicitRequest);
    QVERIFY(o.newlyEscalated);
    QCOMPARE(o.dissatisfactionCount, 1);
    auto ticket = m_fx->tickets->findBySession(m_session);
    QVERIFY(ticket);
    QCOMPARE(ticket->summary, QStringLiteral("Teacher asked for support"));
    QCOMPARE(ticket->id, o.ticketId);
}

void TestEscalation::badInputIsRefusedAndWritesNothing_data()
{
    QTest::addColumn<QString>("session");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    const QString ok = QStringLiteral("valid"); // replaced by the real session id
    QTest::newRow("empty") << ok << QString() << QStringLiteral("empty");
    QTest::newRow("blank") << ok << QStringLiteral("   \n ") << QStringLiteral("empty");
    QTest::newRow("8001 characters") << ok << QStringLiteral("This is wrong ").repeated(572).left(8001)
                                     << QStringLiteral("too long");
    QTest::newRow("nul byte") << ok << QStringLiteral("This is wrong") + QChar(0) << QStringLiteral("NUL");
    QTest::newRow("invalid utf-8") << ok << QString::fromUtf8("wrong \xff\xfe").replace(QChar(0xFFFD), QChar(0xDC80))
                                   << QStringLiteral("invalid Unicode");
    QTest::newRow("dot dot session") << QStringLiteral("../../support_tickets/x") << QStringLiteral("This is wrong")
                                     << QStringLiteral("Invalid session id");
}

void TestEscalation::badInputIsRefusedAndWritesNothing()
{
    QFETCH(QString, session);
    QFETCH(QString, text);
    QFETCH(QString, expected);
    m_fx->config.escalationThreshold = 1; // any accepted signal would open a ticket at once
    const QByteArray before = redisDump();
    const TurnOutcome o
        = m_engine->handleTeacherMessage(m_teacher, session == QLatin1String("valid") ? m_session : session, text);
    QCOMPARE(o.status, TurnOutcome::Status::BadInput);
    QVERIFY(!o.recorded);
    QVERIFY2(o.error.contains(expected), qPrintable(o.error));
    QCOMPARE(redisDump(), before);
    QCOMPARE(ticketRows(), 0);
    QVERIFY(!QFileInfo::exists(m_fx->config.ticketsDir()));
    QVERIFY(!QFileInfo::exists(m_fx->config.dataDir + QStringLiteral("/x")));
}

void TestEscalation::failedTicketIsRetriedWithTheNextMessage()
{
    m_fx->config.escalationThreshold = 2;
    QFile blocker(m_fx->config.ticketsDir());
    QVERIFY(blocker.open(QIODevice::WriteOnly)); // the disk refuses the transcript
    blocker.close();
    QCOMPARE(send(QStringLiteral("Wrong.")).status, TurnOutcome::Status::Recorded);
    const TurnOutcome failed = send(QStringLiteral("Still wrong."));
    QCOMPARE(failed.status, TurnOutcome::Status::Failed);
    QVERIFY(failed.recorded);
    QVERIFY(!failed.escalated);
    QVERIFY2(failed.error.contains(QLatin1String("could not be opened")), qPrintable(failed.error));
    QVERIFY(!m_fx->sessions->state(m_session)->escalated); // the claim was given back
    QCOMPARE(ticketRows(), 0);

    QVERIFY(QFile::remove(m_fx->config.ticketsDir()));
    const TurnOutcome retried = send(QStringLiteral("Hello?"));
    QCOMPARE(retried.status, TurnOutcome::Status::Recorded);
    QVERIFY(retried.newlyEscalated);
    QCOMPARE(ticketRows(), 1);
    QFile f(retried.ticket->conversationFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("Still wrong."));
}

void TestEscalation::racingProcessesOpenExactlyOneTicket()
{
    constexpr int workers = 8;
    std::vector<std::unique_ptr<QProcess>> processes;
    QVERIFY(race(processes, workers, QStringLiteral("This is wrong, attempt %1")));

    int newTickets = 0;
    QSet<QString> ticketIds;
    for (auto &p : processes) {
        QVERIFY(p->waitForFinished(60000));
        const QByteArray out = p->readAllStandardOutput().trimmed();
        QVERIFY2(p->exitCode() == 0, out.constData());
        const QJsonObject o = QJsonDocument::fromJson(out).object();
        newTickets += o.value(QLatin1String("new_ticket")).toBool();
        if (!o.value(QLatin1String("ticket_id")).isNull())
            ticketIds.insert(o.value(QLatin1String("ticket_id")).toString());
    }
    QCOMPARE(newTickets, 1);
    QCOMPARE(ticketRows(), 1);
    QCOMPARE(ticketFiles().size(), 1);
    QVERIFY(ticketIds.size() <= 1); // nobody saw another ticket id
    auto state = m_fx->sessions->state(m_session);
    QCOMPARE(state->dissatisfactionCount, workers);
    QVERIFY(state->escalated);
    QCOMPARE(state->ticketId, m_fx->tickets->findBySession(m_session)->id);
    QCOMPARE(m_fx->sessions->history(m_session)->size(), workers);
}

void TestEscalation::racingFollowUpsReopenTheOneTicketOnce()
{
    const TurnOutcome opened = m_engine->handleTeacherMessage(m_teacher, m_session, QStringLiteral("Help"), true);
    QVERIFY(opened.newlyEscalated);
    const Actor agent { QStringLiteral("agent-1"), QStringLiteral("sam@learnpulse.example"), QStringLiteral("Sam"),
        Role::Support, false };
    QVERIFY(m_fx->tickets->setStatus(agent, opened.ticketId, QStringLiteral("resolved")));

    // Several processes, each with several threads, send follow-ups to the resolved ticket at once.
    constexpr int workers = 4;
    constexpr int threadsEach = 3;
    std::vector<std::unique_ptr<QProcess>> processes;
    QVERIFY(race(processes, workers, QStringLiteral("Back again, process %1"), threadsEach));

    int reopened = 0;
    int added = 0;
    QSet<QString> ticketIds;
    for (auto &p : processes) {
        QVERIFY(p->waitForFinished(60000));
        QVERIFY2(p->exitCode() == 0, p->readAllStandardError().constData());
        const QList<QByteArray> lines = p->readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(lines.size(), threadsEach);
        for (const QByteArray &line : lines) {
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            QVERIFY2(!o.value(QLatin1String("new_ticket")).toBool(), line.constData());
            reopened += o.value(QLatin1String("reopened")).toBool();
            added += o.value(QLatin1String("added_to_thread")).toBool();
            ticketIds.insert(o.value(QLatin1String("ticket_id")).toString());
        }
    }
    QCOMPARE(reopened, 1); // exactly one message found it resolved
    QCOMPARE(added, workers * threadsEach);
    QCOMPARE(ticketIds, QSet<QString> { opened.ticketId });
    QCOMPARE(ticketRows(), 1);
    QCOMPARE(m_fx->tickets->find(agent, opened.ticketId)->status, QStringLiteral("open"));
    auto thread = TicketThread(m_fx->db).messages(agent, opened.ticketId);
    QVERIFY2(thread, qPrintable(thread.error()));
    QCOMPARE(thread->size(), workers * threadsEach);
}

void TestEscalation::repetitionIsASignal_data()
{
    QTest::addColumn<QStringList>("earlier");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("repetition");
    const QString q = QStringLiteral("Which students in 8A are behind on fractions homework?");
    QTest::newRow("same words") << QStringList { q } << q << true;
    QTest::newRow("other words") << QStringList { q }
                                 << QStringLiteral("In 8A, who is behind with the fractions homework?") << true;
    QTest::newRow("again") << QStringList { q } << QStringLiteral("Again: fractions homework, who in 8A?") << true;
    QTest::newRow("two messages back") << QStringList { q, QStringLiteral("Thanks. How long is the lesson on Monday?") }
                                       << QStringLiteral("So which 8A students are behind on the fractions homework?")
                                       << true;
    QTest::newRow("a new question") << QStringList { q }
                                    << QStringLiteral("What should 7C revise before the loops test?") << false;
    QTest::newRow("same class, other topic")
        << QStringList { q } << QStringLiteral("Which students in 8A missed the trip to the museum?") << false;
    QTest::newRow("the same question about another class")
        << QStringList { q } << QStringLiteral("Which students in 8B are behind on fractions homework?") << false;
    QTest::newRow("the same question about another student")
        << QStringList { QStringLiteral("How is Aisha doing with fractions homework this week?") }
        << QStringLiteral("How is Omar doing with fractions homework this week?") << false;
    QTest::newRow("again about a student")
        << QStringList { q } << QStringLiteral("Omar forgot his homework again, any ideas?") << false;
    QTest::newRow("short") << QStringList { QStringLiteral("Thanks!") } << QStringLiteral("Thanks!") << false;
    QTest::newRow("outside the window") << QStringList { q, QStringLiteral("How long is Monday's lesson?"),
        QStringLiteral("What about Tuesday?"), QStringLiteral("And the quiz dates for 7C?") }
                                        << QStringLiteral("In 8A, who is behind with the fractions homework?") << false;
}

void TestEscalation::repetitionIsASignal()
{
    QFETCH(QStringList, earlier);
    QFETCH(QString, message);
    QFETCH(bool, repetition);
    for (const QString &e : earlier)
        QCOMPARE(send(e).status, TurnOutcome::Status::Recorded);
    const int before = m_fx->sessions->state(m_session)->dissatisfactionCount;
    const TurnOutcome o = send(message);
    QCOMPARE(o.detection.rules.contains(QLatin1String("repetition")), repetition);
    // Counted in the same record as the message: the session's count moved with it.
    QCOMPARE(m_fx->sessions->state(m_session)->dissatisfactionCount, before + (o.detection.dissatisfied ? 1 : 0));
    if (repetition)
        QVERIFY(m_fx->sessions->state(m_session)->signalRules.contains(QLatin1String("repetition")));
}

void TestEscalation::repetitionFollowsItsSettings()
{
    const QString q = QStringLiteral("Which students in 8A are behind on fractions homework?");
    send(q);
    send(QStringLiteral("How long is Monday's lesson?"));
    m_fx->config.repetitionWindow = 1; // only the message just before counts
    QVERIFY(!send(q).detection.rules.contains(QLatin1String("repetition")));
    m_fx->config.repetitionWindow = 3;
    QVERIFY(send(q).detection.rules.contains(QLatin1String("repetition")));
    m_fx->config.repetitionSignal = false;
    QVERIFY(!send(q).detection.dissatisfied);
    // Asked again and again, it opens the ticket as any three signals do (one counted so far).
    m_fx->config.repetitionSignal = true;
    QCOMPARE(m_fx->sessions->state(m_session)->dissatisfactionCount, 1);
    QVERIFY(!send(q).newlyEscalated);
    const TurnOutcome third = send(q);
    QVERIFY(third.newlyEscalated);
    QCOMPARE(third.dissatisfactionCount, 3);
}

void TestEscalation::theTeacherAndTheTicketAreToldWhatCounted()
{
    const QString q = QStringLiteral("Which students in 8A are behind on fractions homework?");
    send(q);
    send(QStringLiteral("That is wrong."));
    send(QStringLiteral("This is confusing."));
    const TurnOutcome o = send(QStringLiteral("In 8A, who is behind with the fractions homework?"));
    QVERIFY(o.newlyEscalated);
    QVERIFY2(o.reply.contains(QLatin1String("(What counted: you said the answer was wrong; you found the answer "
                                            "unclear; you asked the same thing again.)")),
        qPrintable(o.reply));
    QFile f(o.ticket->conversationFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString transcript = QString::fromUtf8(f.readAll());
    QVERIFY2(transcript.contains(QLatin1String("Teacher (signal: said the answer was wrong):\n  That is wrong.")),
        qPrintable(transcript));
    QVERIFY2(
        transcript.contains(QLatin1String("Teacher (signal: asked the same thing again):")), qPrintable(transcript));
    QVERIFY(transcript.contains(QStringLiteral("] Teacher:\n  %1").arg(q))); // the first asking was no signal
    // An explicit request says nothing of signals.
    QVERIFY(
        !EscalationEngine::escalationReply(QStringLiteral("T"), QStringLiteral("e"), true, { QStringLiteral("wrong") })
             .contains(QLatin1String("What counted")));
}

void TestEscalation::aMessageCannotForgeATranscriptLine_data()
{
    QTest::addColumn<QString>("lineBreak");
    QTest::newRow("CR") << QStringLiteral("\r");
    QTest::newRow("CR LF") << QStringLiteral("\r\n");
    QTest::newRow("U+2028") << QStringLiteral("\u2028");
    QTest::newRow("U+2029") << QStringLiteral("\u2029");
    // U+0085 and the other control characters are refused before anything is stored (tst_messagevalidator).
}

void TestEscalation::aMessageCannotForgeATranscriptLine()
{
    QFETCH(QString, lineBreak);
    const QString forged = QStringLiteral("LearnPulse: Support has closed this ticket");
    const TurnOutcome o = send(QStringLiteral("I want to talk to a person.") + lineBreak + forged);
    QVERIFY2(o.newlyEscalated, qPrintable(o.error));
    QFile f(o.ticket->conversationFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString transcript = QString::fromUtf8(f.readAll());
    for (const QString &l : transcript.split(QLatin1Char('\n')))
        QVERIFY2(!l.startsWith(forged), qPrintable(transcript));
    QVERIFY(transcript.contains(QStringLiteral("\n  ") + forged));
    QVERIFY(!transcript.contains(QLatin1Char('\r')) && !transcript.contains(QChar(0x2028)));
    // Stored so too: what Redis holds has "\n" as its only line break.
    QCOMPARE(m_fx->sessions->history(m_session)->constFirst().content,
        QStringLiteral("I want to talk to a person.\n") + forged);
}

void TestEscalation::everyRuleFamilyThroughTheTurn_data()
{
    // One message of each family of the rules file, recorded by the real turn: what it counts, under which
    // rule, keyed by the message, and what the conversation does next.
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("rule"); // empty: no signal
    QTest::addColumn<bool>("escalates");
    QTest::addColumn<bool>("offered");
    QTest::newRow("explicit_rules") << QStringLiteral("I want to talk to a person") << QStringLiteral("talk_to_person")
                                    << true << false;
    QTest::newRow("complaint_rules") << QStringLiteral("That's wrong.") << QStringLiteral("wrong") << false << false;
    QTest::newRow("complaint_rules, a typo")
        << QStringLiteral("doesnt help at all") << QStringLiteral("does_not_help") << false << false;
    QTest::newRow("message_rules, sarcasm")
        << QStringLiteral("great, another answer that tells me nothing") << QStringLiteral("sarcasm") << false << false;
    QTest::newRow("message_rules, corrected facts")
        << QStringLiteral("She had 14 absences, not 4.") << QStringLiteral("contradicted") << false << false;
    QTest::newRow("offer_rules") << QStringLiteral("Is there someone I can email about this?") << QString() << false
                                 << true;
    QTest::newRow("no rule") << QStringLiteral("How is Aisha doing with loops?") << QString() << false << false;
}

void TestEscalation::everyRuleFamilyThroughTheTurn()
{
    QFETCH(QString, text);
    QFETCH(QString, rule);
    QFETCH(bool, escalates);
    QFETCH(bool, offered);
    const TurnOutcome o = send(text);
    QCOMPARE(o.status, TurnOutcome::Status::Recorded);
    QCOMPARE(o.newlyEscalated, escalates);
    QCOMPARE(o.offered, offered);
    QCOMPARE(o.dissatisfactionCount, rule.isEmpty() ? 0 : 1);
    const SessionState state = m_fx->sessions->state(m_session).value();
    QCOMPARE(state.offer, offered ? QStringLiteral("open") : QString());
    if (rule.isEmpty()) {
        QVERIFY(state.signalMarks.isEmpty());
        return;
    }
    QCOMPARE(state.signalMarks.size(), 1);
    QCOMPARE(state.signalMarks.constFirst().key, o.messageKey);
    QVERIFY2(state.signalMarks.constFirst().rules.contains(rule),
        qPrintable(state.signalMarks.constFirst().rules.join(QLatin1Char(','))));
    // The stored message is the one the key names.
    const QList<HistoryEntry> history = m_fx->sessions->history(m_session).value();
    QCOMPARE(history.constFirst().key(), o.messageKey);
    QCOMPARE(history.constFirst().content, text);
}

void TestEscalation::aThumbsDownIsASignal_data()
{
    // Votes on the assistant's replies, in order: "reply:vote" (reply 0 is the older, 1 the newer, "-" the
    // newest); then the session's signal count and whether a thumbs-down is among its signals.
    QTest::addColumn<QStringList>("votes");
    QTest::addColumn<bool>("feedbackSignal");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("marked");
    QTest::newRow("down") << QStringList { QStringLiteral("-:down") } << true << 1 << true;
    QTest::newRow("up is only counted") << QStringList { QStringLiteral("-:up") } << true << 0 << false;
    QTest::newRow("down twice on one reply")
        << QStringList { QStringLiteral("1:down"), QStringLiteral("1:down") } << true << 1 << true;
    QTest::newRow("down on two replies") << QStringList { QStringLiteral("0:down"), QStringLiteral("1:down") } << true
                                         << 2 << true;
    QTest::newRow("down then up takes it back")
        << QStringList { QStringLiteral("1:down"), QStringLiteral("1:up") } << true << 0 << false;
    QTest::newRow("up then down") << QStringList { QStringLiteral("0:up"), QStringLiteral("0:down") } << true << 1
                                  << true;
    QTest::newRow("setting off") << QStringList { QStringLiteral("-:down") } << false << 0 << false;
}

void TestEscalation::aThumbsDownIsASignal()
{
    QFETCH(QStringList, votes);
    QFETCH(bool, feedbackSignal);
    QFETCH(int, count);
    QFETCH(bool, marked);
    m_fx->config.feedbackSignal = feedbackSignal;
    QStringList replies;
    for (const QString &text : { QStringLiteral("How is Aisha doing?"), QStringLiteral("And her homework?") }) {
        QVERIFY(send(text).needsAssistantReply());
        const HistoryEntry reply { QStringLiteral("assistant"), QStringLiteral("Fine."),
            QDateTime::currentDateTimeUtc().addMSecs(replies.size()) };
        QVERIFY(m_fx->sessions->record(m_session, m_teacher.id, reply, nullptr));
        replies << reply.key();
    }
    for (const QString &v : votes) {
        const QString which = v.section(QLatin1Char(':'), 0, 0);
        const QString key = which == QLatin1String("-") ? QString() : replies.at(which.toInt());
        const TurnOutcome o = m_engine->handleVote(m_teacher, m_session, key, v.endsWith(QLatin1String(":up")));
        QVERIFY2(o.status == TurnOutcome::Status::Recorded, qPrintable(o.error));
        QCOMPARE(o.messageKey, key.isEmpty() ? replies.last() : key);
        QVERIFY(!o.newlyEscalated);
    }
    const SessionState state = m_fx->sessions->state(m_session).value();
    QCOMPARE(state.dissatisfactionCount, count);
    QCOMPARE(state.signalRules.contains(QLatin1String("thumbs_down")), marked);
    // The vote itself is kept whatever the setting, once per reply.
    QVERIFY(!state.votes.isEmpty());
    QVERIFY(state.votes.size() <= 2);

    // A reply that is not in the conversation, or another teacher: refused, nothing changes.
    const QByteArray before = redisDump(false);
    const TurnOutcome missing
        = m_engine->handleVote(m_teacher, m_session, QStringLiteral("2020-01-01T00:00:00.000Z"), false);
    QCOMPARE(missing.status, TurnOutcome::Status::BadInput);
    QVERIFY2(missing.error.contains(QLatin1String("no such reply")), qPrintable(missing.error));
    const Account other = m_fx->addTeacher(QStringLiteral("omar@school.example"), QStringLiteral("Omar Haddad"));
    QVERIFY(m_engine->handleVote(other, m_session, {}, false).status != TurnOutcome::Status::Recorded);
    QCOMPARE(redisDump(false), before);
}

void TestEscalation::aThumbsDownCanOpenTheTicket()
{
    QCOMPARE(send(QStringLiteral("This doesn't help")).dissatisfactionCount, 1);
    QCOMPARE(send(QStringLiteral("Still not clear")).dissatisfactionCount, 2);
    const HistoryEntry reply { QStringLiteral("assistant"), QStringLiteral("Try the gradebook."),
        QDateTime::currentDateTimeUtc().addMSecs(5) };
    QVERIFY(m_fx->sessions->record(m_session, m_teacher.id, reply, nullptr));
    const TurnOutcome o = m_engine->handleVote(m_teacher, m_session, {}, false);
    QVERIFY2(o.status == TurnOutcome::Status::Recorded, qPrintable(o.error));
    QVERIFY(o.newlyEscalated);
    QCOMPARE(o.dissatisfactionCount, 3);
    QVERIFY(o.reply.contains(o.ticketId));
    QVERIFY2(o.reply.contains(QLatin1String("you marked an answer as not helpful")), qPrintable(o.reply));
    QCOMPARE(ticketRows(), 1);
    QFile f(o.ticket->conversationFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString transcript = QString::fromUtf8(f.readAll());
    QVERIFY2(transcript.contains(QLatin1String("Assistant (signal: marked an answer as not helpful):\n  Try the "
                                               "gradebook.")),
        qPrintable(transcript));
    QVERIFY(transcript.contains(QLatin1String("Teacher (signal: found the answer unclear):\n  Still not clear")));
    // After the ticket a thumbs-up takes nothing back, and a thumbs-down on a later reply counts as a message
    // would (the turn counts signals after the ticket too), but opens nothing.
    const TurnOutcome up = m_engine->handleVote(m_teacher, m_session, {}, true);
    QCOMPARE(up.status, TurnOutcome::Status::Recorded);
    QCOMPARE(up.dissatisfactionCount, 3);
    QVERIFY(!up.newlyEscalated);
    const HistoryEntry later { QStringLiteral("assistant"), QStringLiteral("Another answer."),
        QDateTime::currentDateTimeUtc().addMSecs(10) };
    QVERIFY(m_fx->sessions->record(m_session, m_teacher.id, later, nullptr));
    const TurnOutcome down = m_engine->handleVote(m_teacher, m_session, {}, false);
    QCOMPARE(down.dissatisfactionCount, 4);
    QVERIFY(!down.newlyEscalated);
    QCOMPARE(ticketRows(), 1);
}

void TestEscalation::aWithdrawnSignalNoLongerCounts_data()
{
    QTest::addColumn<QString>("complaint");
    QTest::addColumn<QString>("rule");
    QTest::newRow("a complaint rule") << QStringLiteral("That is wrong.") << QStringLiteral("wrong");
    QTest::newRow("sarcasm") << QStringLiteral("Thanks for nothing") << QStringLiteral("sarcasm");
    QTest::newRow("repetition") << QStringLiteral("Which students in 8A are behind on fractions homework?")
                                << QStringLiteral("repetition");
}

void TestEscalation::aWithdrawnSignalNoLongerCounts()
{
    QFETCH(QString, complaint);
    QFETCH(QString, rule);
    QVERIFY(send(QStringLiteral("Which students in 8A are behind on fractions homework?")).needsAssistantReply());
    const TurnOutcome counted = send(complaint);
    QVERIFY2(counted.detection.rules.contains(rule), qPrintable(counted.detection.rules.join(QLatin1Char(','))));
    QCOMPARE(counted.dissatisfactionCount, 1);
    auto withdrawn = m_engine->withdrawSignal(m_teacher, m_session, counted.messageKey);
    QVERIFY2(withdrawn, qPrintable(withdrawn.error()));
    QCOMPARE(withdrawn->dissatisfactionCount, 0);
    QVERIFY(withdrawn->rules.contains(rule));
    SessionState state = m_fx->sessions->state(m_session).value();
    QCOMPARE(state.dissatisfactionCount, 0);
    QVERIFY(state.signalMarks.isEmpty());
    QCOMPARE(state.withdrawnSignals.size(), 1);
    QCOMPARE(state.withdrawnSignals.constFirst().key, counted.messageKey);
    // Once only; another teacher cannot.
    auto again = m_engine->withdrawSignal(m_teacher, m_session, counted.messageKey);
    QVERIFY(!again);
    QVERIFY2(again.error().contains(QLatin1String("did not count")), qPrintable(again.error()));
    const Account other = m_fx->addTeacher(QStringLiteral("omar@school.example"), QStringLiteral("Omar Haddad"));
    QVERIFY(!m_engine->withdrawSignal(other, m_session, {}));

    // Three more signals open the ticket; the ticket shows the one the teacher took back.
    send(QStringLiteral("This doesn't help"));
    send(QStringLiteral("Still not clear"));
    const TurnOutcome third = send(QStringLiteral("That's useless"));
    QVERIFY(third.newlyEscalated);
    QCOMPARE(third.dissatisfactionCount, 3);
    QFile f(third.ticket->conversationFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString transcript = QString::fromUtf8(f.readAll());
    QVERIFY2(transcript.contains(QStringLiteral("Teacher (signal: withdrawn by the teacher as not a complaint: ")),
        qPrintable(transcript));
    QVERIFY(transcript.contains(Detection::ruleInWords(rule)));
    // With the ticket open, nothing can be withdrawn.
    auto late = m_engine->withdrawSignal(m_teacher, m_session, {});
    QVERIFY(!late);
    QVERIFY2(late.error().contains(QLatin1String("ticket already")), qPrintable(late.error()));
}

void TestEscalation::aWithdrawnSignalStopsAFailedEscalationsRetry()
{
    m_fx->config.escalationThreshold = 2;
    QFile blocker(m_fx->config.ticketsDir());
    QVERIFY(blocker.open(QIODevice::WriteOnly)); // the disk refuses the transcript: the ticket fails
    blocker.close();
    QCOMPARE(send(QStringLiteral("Wrong.")).dissatisfactionCount, 1);
    const TurnOutcome failed = send(QStringLiteral("Still wrong."));
    QCOMPARE(failed.status, TurnOutcome::Status::Failed);
    QVERIFY(QFile::remove(m_fx->config.ticketsDir()));
    // The teacher takes one signal back: under the threshold, the next message opens no ticket.
    auto withdrawn = m_engine->withdrawSignal(m_teacher, m_session, failed.messageKey);
    QVERIFY2(withdrawn, qPrintable(withdrawn.error()));
    QCOMPARE(withdrawn->dissatisfactionCount, 1);
    const TurnOutcome next = send(QStringLiteral("Thanks, how is Aisha doing?"));
    QCOMPARE(next.status, TurnOutcome::Status::Recorded);
    QVERIFY(!next.newlyEscalated);
    QCOMPARE(ticketRows(), 0);
}

void TestEscalation::aVagueAskIsOfferedATicketOnce()
{
    const TurnOutcome vague = send(QStringLiteral("is there someone I can email about this?"));
    QVERIFY(vague.detection.vagueRequest);
    QVERIFY(vague.offered);
    QVERIFY(!vague.escalated);
    QCOMPARE(vague.dissatisfactionCount, 0);
    QCOMPARE(m_fx->sessions->state(m_session)->offer, QStringLiteral("open"));
    // Once per conversation.
    const TurnOutcome second = send(QStringLiteral("who should I talk to about this?"));
    QVERIFY(second.detection.vagueRequest);
    QVERIFY(!second.offered);
    QCOMPARE(m_fx->sessions->answerOffer(m_session, m_teacher.id, false).value(), QStringLiteral("open"));
    QCOMPARE(m_fx->sessions->answerOffer(m_session, m_teacher.id, true).value(), QStringLiteral("declined"));
    QCOMPARE(m_fx->sessions->state(m_session)->offer, QStringLiteral("declined"));
    // A clear ask still escalates at once.
    const TurnOutcome clear = send(QStringLiteral("I want to talk to a person"));
    QVERIFY(clear.newlyEscalated);
    QVERIFY(!clear.offered);
    // Settings: off, no offer.
    m_fx->config.offerSignal = false;
    auto session = m_fx->sessions->createSession({ m_teacher.id, m_teacher.email, {}, {}, {} });
    QVERIFY(session);
    m_session = session.value();
    QVERIFY(!send(QStringLiteral("is there someone I can email about this?")).offered);
    QCOMPARE(m_fx->sessions->state(m_session)->offer, QString());
    QCOMPARE(m_fx->sessions->answerOffer(m_session, m_teacher.id, true).value(), QString());
}

namespace {
QStringList *capturedLogs = nullptr;
void captureLog(QtMsgType, const QMessageLogContext &context, const QString &message)
{
    if (capturedLogs)
        capturedLogs->append(QLatin1String(context.category) + QLatin1Char(' ') + message);
}
} // namespace

void TestEscalation::logsNameRulesAndIdsButNeverMessageText()
{
    QStringList logs;
    capturedLogs = &logs;
    const QtMessageHandler previous = qInstallMessageHandler(captureLog);
    send(QStringLiteral("Zanzibar quokka, this is wrong"));
    send(QStringLiteral("Zanzibar quokka, still unclear"));
    const TurnOutcome third = send(QStringLiteral("Zanzibar quokka, useless"));
    qInstallMessageHandler(previous);
    capturedLogs = nullptr;

    QVERIFY(third.newlyEscalated);
    const QString all = logs.join(QLatin1Char('\n'));
    QVERIFY2(!all.contains(QLatin1String("Zanzibar")) && !all.contains(QLatin1String("quokka")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("Dissatisfaction detected session=%1 count=3 rules=useless").arg(m_session)),
        qPrintable(all));
    QVERIFY2(all.contains(
                 QStringLiteral("Escalation threshold reached session=%1 ticket=%2").arg(m_session, third.ticketId)),
        qPrintable(all));
}

QTEST_GUILESS_MAIN(TestEscalation)
#include "tst_escalation.moc"

void TestEscalation::aTurnIsOneRoundTrip()
{
    // DESIGN.md, "The turn", step 3, and issue 8: a message that does not escalate costs one round trip to
    // Redis, rate limit included, also the first message of a session in this process.
    const QString other = m_fx->sessions->createSession({ m_teacher.id, m_teacher.email, {}, {}, {} }).value();
    QCOMPARE(m_engine->handleTeacherMessage(m_teacher, other, QStringLiteral("Hello")).status,
        TurnOutcome::Status::Recorded); // the server has the scripts from now on
    SessionStore fresh(*m_fx->redisClient, m_fx->config);
    const MessageClassifier rules(nullptr);
    EscalationEngine engine(m_fx->config, rules, fresh, *m_fx->ticketService);
    for (const QString &text : { QStringLiteral("How is Aisha doing?"), QStringLiteral("And her loops?"),
             QStringLiteral("This doesn't help") }) {
        const qint64 before = m_fx->redisClient->roundTrips();
        const TurnOutcome o = engine.handleTeacherMessage(m_teacher, m_session, text);
        QCOMPARE(o.status, TurnOutcome::Status::Recorded);
        QCOMPARE(m_fx->redisClient->roundTrips() - before, 1);
    }
    QCOMPARE(fresh.history(m_session)->size(), 3);
    QCOMPARE(fresh.state(m_session)->dissatisfactionCount, 1);
    // The copy kept for an outage was read in the same round trip, after the first message.
    QVERIFY(m_fx->redisClient->command({ "SCRIPT", "FLUSH" }));
    const TurnOutcome o = engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("Still unclear"));
    QCOMPARE(o.status, TurnOutcome::Status::Recorded); // a server without the scripts: EVAL once, then EVALSHA again
    QCOMPARE(o.dissatisfactionCount, 2);
    QCOMPARE(fresh.history(m_session)->size(), 4);
}

void TestEscalation::messageOverTheRateLimitIsTakenBackExactly_data()
{
    QTest::addColumn<bool>("scriptsFlushed");
    QTest::newRow("scripts cached") << false;
    QTest::newRow("server without the scripts") << true;
}

void TestEscalation::aTakeBackRemovesItsOwnSignalMarkWherever()
{
    // The take-back runs right after the turn, but another window's signal (or a thumbs-down) may land in
    // between: the turn's own mark goes, the later one stays, and nothing else is touched.
    const QByteArray state = SessionStore::stateKey(m_session);
    const QByteArray history = SessionStore::historyKey(m_session);
    const QByteArray entry = R"({"role":"teacher","content":"That's wrong again","ts":"2026-12-01T12:00:02Z"})";
    QVERIFY(m_fx->redisClient->command({ "RPUSH", history, entry }));
    QVERIFY(m_fx->redisClient->command({ "HSET", state, "dissatisfaction_count", "3", "signals",
        "2026-12-01T12:00:00Z=this_doesnt_help;2026-12-01T12:00:02Z=wrong_answer;2026-12-01T12:00:03Z=feedback" }));
    auto undone = m_fx->redisClient->eval(RedisScripts::takeBack(), { state, history },
        { entry, "1", "2026-12-01T12:00:02Z=wrong_answer", "", "", "", "", "0" });
    QVERIFY2(undone, qPrintable(undone.error()));
    QCOMPARE(undone->integer, 1);
    auto marks = m_fx->redisClient->command({ "HGET", state, "signals" });
    QCOMPARE(marks->string, QByteArray("2026-12-01T12:00:00Z=this_doesnt_help;2026-12-01T12:00:03Z=feedback"));
    QCOMPARE(m_fx->redisClient->command({ "HGET", state, "dissatisfaction_count" })->string, QByteArray("2"));
    QCOMPARE(m_fx->redisClient->command({ "LLEN", history })->integer, 0);
    // The last mark taken back leaves no empty field behind.
    QVERIFY(m_fx->redisClient->command({ "RPUSH", history, entry }));
    QVERIFY(m_fx->redisClient->command({ "HSET", state, "signals", "2026-12-01T12:00:02Z=wrong_answer" }));
    QVERIFY(m_fx->redisClient->eval(RedisScripts::takeBack(), { state, history },
        { entry, "1", "2026-12-01T12:00:02Z=wrong_answer", "", "", "", "", "0" }));
    QCOMPARE(m_fx->redisClient->command({ "HEXISTS", state, "signals" })->integer, 0);
}

void TestEscalation::messageOverTheRateLimitIsTakenBackExactly()
{
    QFETCH(bool, scriptsFlushed);
    // The counter goes in the same round trip as the turn, so a message over the limit has run the turn
    // script: it must be taken back exactly, including the oldest message the history cap pushed out,
    // a signal and the escalation it would have claimed.
    m_fx->config.rateLimitPerMinute = 3;
    m_fx->config.historyCap = 3;
    const MessageClassifier rules(nullptr);
    EscalationEngine engine(m_fx->config, rules, *m_fx->sessions, *m_fx->ticketService);
    if (QTime::currentTime().second() >= 55) // all four messages in one minute's window
        QTest::qWait((61 - QTime::currentTime().second()) * 1000);
    QCOMPARE(engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("How is Aisha doing?")).status,
        TurnOutcome::Status::Recorded);
    QCOMPARE(
        engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("This doesn't help")).dissatisfactionCount, 1);
    QCOMPARE(
        engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("Still not clear")).dissatisfactionCount, 2);
    const QByteArray before = redisDump(false);
    QVERIFY(before.contains("How is Aisha doing?"));
    if (scriptsFlushed)
        QVERIFY(m_fx->redisClient->command({ "SCRIPT", "FLUSH" }));

    // Dissatisfied: it would be the third signal, claim the escalation and push the first message out.
    const TurnOutcome o = engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("That's wrong again"));
    QCOMPARE(o.status, TurnOutcome::Status::RateLimited);
    QVERIFY(o.error.contains(QLatin1String("too quickly")));
    QVERIFY(!o.recorded);
    QVERIFY(!o.escalated);
    QCOMPARE(redisDump(false), before);
    QCOMPARE(ticketRows(), 0);
    const SessionState state = m_fx->sessions->state(m_session).value();
    QCOMPARE(state.dissatisfactionCount, 2);
    QVERIFY(!state.escalated);
    QCOMPARE(m_fx->sessions->history(m_session)->constFirst().content, QStringLiteral("How is Aisha doing?"));
}
