#include "accountstore.h"
#include "database.h"
#include "messagevalidator.h"
#include "testsupport.h"
#include "ticketstore.h"
#include "ticketthread.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QTest>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// The whole turn through `learnpulsectl chat`, with a real redis-server and an OpenAI-compatible
// server on loopback: what the LLM received, what the teacher got back, and when the LLM is not asked.
class TestChat : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void normalConversationIsAnsweredWithContextAndHistory();
    void oneSignalIsAnsweredWithoutTicket();
    void thirdSignalEscalatesWithoutAskingTheLlm();
    void supportIsReachableWhileTheAssistantIsDown();
    void hallucinatedClaimsNeverReachTheTeacher();
    void aTicketIdIsTrueOnlyWhenTheIndexHoldsIt();
    void rateLimitRefusesWithoutStoring();
    void usageAndUnknownUser();
    void serverTextReachesTheTerminalDefused();
    void plainOutputStreamsTheReply();
    void metricsCountSessionsEscalationsRulesAndGuardHits();
    void brokenRulesFileFallsBackToTheBuiltInRules();
    void feedbackFromTheCommandLine_data();
    void feedbackFromTheCommandLine();
    void aVagueAskIsOfferedATicketOnce_data();
    void aVagueAskIsOfferedATicketOnce();
    void metricsCountFeedbackOffersAndSignalKinds();

private:
    struct Chat
    {
        int exitCode = -1;
        QJsonObject json;
        QByteArray out;
        QByteArray err;
    };
    Chat chat(const QString &text, const QStringList &extra = {}, const QString &model = QStringLiteral("normal"),
        bool json = true);
    qsizetype llmCalls() const { return m_llm.requests().size(); }
    QJsonArray lastMessages() const
    {
        return m_llm.requests()
            .last()
            .value(QLatin1String("request"))
            .toObject()
            .value(QLatin1String("messages"))
            .toArray();
    }
    QJsonObject metrics()
    {
        const ProcessResult r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
            { QStringLiteral("metrics"), QStringLiteral("--json"), QStringLiteral("--data-dir"), m_dataDir->path() });
        if (r.exitCode != 0)
            qWarning("learnpulsectl metrics: %s", r.err.constData());
        return QJsonDocument::fromJson(r.out).object();
    }
    long long historyLength(const QString &session)
    {
        auto r = m_redis->client()->command({ "LLEN", SessionStore::historyKey(session) });
        return r ? r->integer : -1;
    }

    FakeLlm m_llm;
    std::unique_ptr<TestRedis> m_redis;
    std::unique_ptr<QTemporaryDir> m_dataDir;
    QString m_llmUrl;
    QString m_session;
};

void TestChat::initTestCase()
{
    QVERIFY2(m_llm.start(3.0), qPrintable(m_llm.error()));
}

void TestChat::init()
{
    m_redis = std::make_unique<TestRedis>();
    QVERIFY2(m_redis->start(), qPrintable(m_redis->error()));
    m_dataDir = std::make_unique<QTemporaryDir>();
    m_llmUrl = m_llm.baseUrl();
    const ProcessResult added = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("--data-dir"), m_dataDir->path(),
            QStringLiteral("--email"), QStringLiteral("amira.khan@school.example"), QStringLiteral("--name"),
            QStringLiteral("Amira Khan"), QStringLiteral("--role"), QStringLiteral("teacher") });
    QVERIFY2(added.exitCode == 0, added.err.constData());
    m_session.clear();
}

void TestChat::cleanup()
{
    m_redis.reset();
    m_dataDir.reset();
}

TestChat::Chat TestChat::chat(const QString &text, const QStringList &extra, const QString &model, bool json)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("LEARNPULSE_DATA_DIR"));
    env.insert(QStringLiteral("REDIS_URL"), m_redis->url());
    env.insert(QStringLiteral("LLM_BASE_URL"), m_llmUrl);
    env.insert(QStringLiteral("LLM_MODEL"), model);
    QStringList args { QStringLiteral("chat"), QStringLiteral("--data-dir"), m_dataDir->path(),
        QStringLiteral("--user"), QStringLiteral("amira.khan@school.example") };
    if (json)
        args << QStringLiteral("--json");
    if (!m_session.isEmpty())
        args << QStringLiteral("--session") << m_session;
    args << extra;
    if (!text.isEmpty())
        args << text;
    const ProcessResult r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE), args, {}, env);
    Chat c { r.exitCode, {}, r.out, r.err };
    if (json && !r.out.isEmpty())
        c.json = QJsonDocument::fromJson(r.out).object();
    if (m_session.isEmpty())
        m_session = c.json.value(QLatin1String("session")).toString();
    return c;
}

void TestChat::normalConversationIsAnsweredWithContextAndHistory()
{
    const Chat first = chat(QStringLiteral("How is Aisha doing?"),
        { QStringLiteral("--class"), QStringLiteral("6B"), QStringLiteral("--student"), QStringLiteral("Aisha"),
            QStringLiteral("--scope"), QStringLiteral("while loops") });
    QVERIFY2(first.exitCode == 0, first.err.constData());
    QVERIFY(MessageValidator::isValidSessionId(m_session)); // a new session, its id in the JSON
    QCOMPARE(first.json.keys(),
        (QStringList { QStringLiteral("dissatisfaction_count"), QStringLiteral("escalated"),
            QStringLiteral("message_ts"), QStringLiteral("reply"), QStringLiteral("reply_ts"),
            QStringLiteral("session"), QStringLiteral("status"), QStringLiteral("support_replies"),
            QStringLiteral("ticket_id") }));
    QCOMPARE(first.json.value(QLatin1String("support_replies")).toArray(), QJsonArray()); // no ticket, no replies
    QCOMPARE(first.json.value(QLatin1String("reply")).toString(),
        QStringLiteral("I understand. About \u201cHow is Aisha doing?\u201d: caf\u00e9 data shows steady progress "
                       "\U0001F4C8. Focus next on loop conditions."));
    QCOMPARE(first.json.value(QLatin1String("escalated")).toBool(), false);
    QVERIFY(first.json.value(QLatin1String("ticket_id")).isNull());
    QCOMPARE(first.json.value(QLatin1String("dissatisfaction_count")).toInt(), 0);

    QJsonArray messages = lastMessages();
    QCOMPARE(messages.size(), 2);
    const QString system = messages[0].toObject().value(QLatin1String("content")).toString();
    QCOMPARE(messages[0].toObject().value(QLatin1String("role")).toString(), QStringLiteral("system"));
    QVERIFY(system.contains(QLatin1String("understand their classes' learning data")));
    QVERIFY(system.contains(QLatin1String("The LearnPulse application, not\nyou, opens support tickets")));
    QVERIFY2(system.contains(QLatin1String("class: 6B; student: Aisha; scope: while loops")), qPrintable(system));
    QCOMPARE(messages[1].toObject().value(QLatin1String("role")).toString(), QStringLiteral("user"));
    QCOMPARE(messages[1].toObject().value(QLatin1String("content")).toString(), QStringLiteral("How is Aisha doing?"));

    const Chat second = chat(QStringLiteral("What about her debugging skills?"));
    QVERIFY2(second.exitCode == 0, second.err.constData());
    QCOMPARE(second.json.value(QLatin1String("session")).toString(), m_session);
    messages = lastMessages();
    QCOMPARE(messages.size(), 4); // system, first question, first answer, second question
    QCOMPARE(messages[2].toObject().value(QLatin1String("role")).toString(), QStringLiteral("assistant"));
    QCOMPARE(messages[2].toObject().value(QLatin1String("content")).toString(),
        first.json.value(QLatin1String("reply")).toString());
    QCOMPARE(messages[3].toObject().value(QLatin1String("content")).toString(),
        QStringLiteral("What about her debugging skills?"));
    QCOMPARE(historyLength(m_session), 4);
}

void TestChat::oneSignalIsAnsweredWithoutTicket()
{
    QCOMPARE(chat(QStringLiteral("How is Aisha doing?")).exitCode, 0);
    const qsizetype calls = llmCalls();
    const Chat c = chat(QStringLiteral("This doesn't help"));
    QCOMPARE(c.exitCode, 0);
    QCOMPARE(c.json.value(QLatin1String("dissatisfaction_count")).toInt(), 1);
    QCOMPARE(c.json.value(QLatin1String("escalated")).toBool(), false);
    QVERIFY(c.json.value(QLatin1String("ticket_id")).isNull());
    QCOMPARE(llmCalls(), calls + 1); // the assistant still answers
    QVERIFY(c.json.value(QLatin1String("reply")).toString().contains(QLatin1String("This doesn't help")));
}

void TestChat::thirdSignalEscalatesWithoutAskingTheLlm()
{
    QCOMPARE(chat(QStringLiteral("How is Aisha doing?")).exitCode, 0);
    QCOMPARE(chat(QStringLiteral("This doesn't help")).json.value(QLatin1String("dissatisfaction_count")).toInt(), 1);
    QCOMPARE(chat(QStringLiteral("Still not clear")).json.value(QLatin1String("dissatisfaction_count")).toInt(), 2);
    const qsizetype calls = llmCalls();
    const Chat third = chat(QStringLiteral("That's wrong again"));
    QVERIFY2(third.exitCode == 0, third.err.constData());
    QCOMPARE(llmCalls(), calls); // the application answered; the LLM was not asked
    QCOMPARE(third.json.value(QLatin1String("escalated")).toBool(), true);
    QCOMPARE(third.json.value(QLatin1String("status")).toString(), QStringLiteral("escalated"));
    const QString ticket = third.json.value(QLatin1String("ticket_id")).toString();
    QVERIFY(ticket.startsWith(QStringLiteral("TICKET-") + m_session.left(8)));
    QVERIFY(third.json.value(QLatin1String("reply")).toString().contains(ticket));
    QCOMPARE(third.json.value(QLatin1String("dissatisfaction_count")).toInt(), 3);

    // The ticket holds the whole conversation, and the LLM's next context knows about it.
    const ProcessResult shown = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("tickets"), QStringLiteral("show"), ticket, QStringLiteral("--data-dir"), m_dataDir->path() });
    QCOMPARE(shown.exitCode, 0);
    for (const char *text : { "How is Aisha doing?", "This doesn't help", "Still not clear", "That's wrong again",
             "I understand. About", "Amira Khan", "amira.khan@school.example" })
        QVERIFY2(shown.out.contains(text), text);

    const Chat fourth = chat(QStringLiteral("Still wrong."));
    QCOMPARE(fourth.exitCode, 0);
    QCOMPARE(llmCalls(), calls + 1);
    QCOMPARE(fourth.json.value(QLatin1String("ticket_id")).toString(), ticket);
    QCOMPARE(fourth.json.value(QLatin1String("dissatisfaction_count")).toInt(), 4);
    QVERIFY(lastMessages()[0].toObject().value(QLatin1String("content")).toString().contains(ticket));
    const ProcessResult list = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("tickets"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--data-dir"),
            m_dataDir->path() });
    QCOMPARE(list.out.count('\n'), 1); // still exactly one ticket
}

void TestChat::supportIsReachableWhileTheAssistantIsDown()
{
    m_llmUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(RedisServerProcess::freePort()); // nothing listens
    const Chat down = chat(QStringLiteral("How is Aisha doing?"));
    QCOMPARE(down.exitCode, 1);
    QCOMPARE(down.json.value(QLatin1String("status")).toString(), QStringLiteral("assistant_failed"));
    QVERIFY(down.json.value(QLatin1String("error")).toString().contains(QLatin1String("connection was refused")));
    QVERIFY(down.err.contains("Your message was saved"));
    QCOMPARE(historyLength(m_session), 1); // recorded all the same

    const Chat help = chat(QStringLiteral("I need to talk to support"));
    QVERIFY2(help.exitCode == 0, help.err.constData());
    QCOMPARE(help.json.value(QLatin1String("escalated")).toBool(), true);
    QVERIFY(help.json.value(QLatin1String("reply"))
                .toString()
                .contains(help.json.value(QLatin1String("ticket_id")).toString()));
}

void TestChat::aTicketIdIsTrueOnlyWhenTheIndexHoldsIt()
{
    // A real ticket: the assistant may name it and say support has the conversation.
    const Chat opened = chat(QStringLiteral("I need to talk to support"));
    const QString ticket = opened.json.value(QLatin1String("ticket_id")).toString();
    QVERIFY(!ticket.isEmpty());
    const Chat cited = chat(QStringLiteral("What happens now?"), {}, QStringLiteral("cite"));
    QCOMPARE(cited.json.value(QLatin1String("reply")).toString(),
        QStringLiteral("Support has your conversation as ticket %1; they will email you. Meanwhile, loops repeat code.")
            .arg(ticket));

    // A session whose state names a ticket the index does not hold (written into Redis by someone else):
    // the same words are a false claim.
    m_session.clear();
    QCOMPARE(chat(QStringLiteral("How is Aisha doing?")).exitCode, 0);
    const QString forged = QStringLiteral("TICKET-00000000-20260101000000");
    QVERIFY(m_redis->client()->command(
        { "HSET", SessionStore::stateKey(m_session), "ticket_id", forged.toUtf8(), "escalated", "1" }));
    const Chat fake = chat(QStringLiteral("What happens now?"), {}, QStringLiteral("cite"));
    const QString reply = fake.json.value(QLatin1String("reply")).toString();
    QVERIFY2(!reply.contains(forged), qPrintable(reply));
    QVERIFY(reply.contains(QLatin1String("can't open support tickets")));
    QVERIFY(reply.endsWith(QLatin1String("Meanwhile, loops repeat code.")));
}

void TestChat::hallucinatedClaimsNeverReachTheTeacher()
{
    const Chat c = chat(QStringLiteral("Give me the list"), {}, QStringLiteral("hallucinate"));
    QCOMPARE(c.exitCode, 0);
    const QString reply = c.json.value(QLatin1String("reply")).toString();
    QVERIFY2(!reply.contains(QLatin1String("TICKET-deadbeef")), qPrintable(reply));
    QVERIFY(!reply.contains(QLatin1String("emailed")));
    QVERIFY(reply.contains(QLatin1String("can't open support tickets")));
    QVERIFY(reply.contains(QLatin1String("here is the list you asked for")));
    QCOMPARE(c.json.value(QLatin1String("escalated")).toBool(), false);
    // Counted among the metrics, and the stored history holds the guarded text, not the claim.
    const QJsonObject counted = metrics();
    QCOMPARE(counted.value(QLatin1String("guard_hits")).toObject().value(QLatin1String("ticket_id")).toInt(), 1);
    QCOMPARE(counted.value(QLatin1String("guard_hits_total")).toInt(),
        counted.value(QLatin1String("guard_hits")).toObject().size());
    auto stored = m_redis->client()->command({ "LINDEX", SessionStore::historyKey(m_session), "-1" });
    QVERIFY(!stored->string.contains("TICKET-deadbeef"));
}

void TestChat::rateLimitRefusesWithoutStoring()
{
    {
        QSettings ini(m_dataDir->filePath(QStringLiteral("learnpulse.ini")), QSettings::IniFormat);
        ini.setValue(QStringLiteral("limits/rate_per_minute"), 2);
    }
    // The limit counts per clock minute: the three messages (separate processes, slow under the sanitizers)
    // must fall into one, so late in a minute the test waits for the next one to begin.
    if (const int second = QDateTime::currentDateTimeUtc().time().second(); second > 30)
        QTest::qWait((61 - second) * 1000);
    QCOMPARE(chat(QStringLiteral("one")).exitCode, 0);
    QCOMPARE(chat(QStringLiteral("two")).exitCode, 0);
    const long long before = historyLength(m_session);
    const Chat third = chat(QStringLiteral("three"));
    QCOMPARE(third.exitCode, 1);
    QCOMPARE(third.json.value(QLatin1String("status")).toString(), QStringLiteral("rate_limited"));
    QVERIFY(third.err.contains("too quickly"));
    QCOMPARE(historyLength(m_session), before);
}

void TestChat::usageAndUnknownUser()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("REDIS_URL"), m_redis->url());
    ProcessResult r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("chat"), QStringLiteral("--data-dir"), m_dataDir->path(), QStringLiteral("hi") }, {}, env);
    QCOMPARE(r.exitCode, 2);
    r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("chat"), QStringLiteral("--data-dir"), m_dataDir->path(), QStringLiteral("--user"),
            QStringLiteral("nobody@school.example"), QStringLiteral("hi") },
        {}, env);
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("No account"));
    r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("chat"), QStringLiteral("--data-dir"), m_dataDir->path(), QStringLiteral("--user"),
            QStringLiteral("amira.khan@school.example"), QStringLiteral("--session"), QStringLiteral("../x"),
            QStringLiteral("hi") },
        {}, env);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("Invalid session id"));
    const Chat empty = chat(QStringLiteral("   "));
    QCOMPARE(empty.exitCode, 1);
    QCOMPARE(empty.json.value(QLatin1String("status")).toString(), QStringLiteral("bad_input"));
    QCOMPARE(historyLength(m_session), 0);
}

void TestChat::serverTextReachesTheTerminalDefused()
{
    // Issue 26: the assistant's words and its server's error reach a terminal; no escape sequence, line separator
    // or direction override goes through raw, on standard output or on standard error.
    const auto clean = [](const QByteArray &bytes) {
        return !bytes.contains('\x1b') && !bytes.contains('\x07') && !bytes.contains("\xe2\x80\xa8")
            && !bytes.contains("\xe2\x80\xae");
    };
    const Chat failed = chat(QStringLiteral("How is Aisha doing?"), {}, QStringLiteral("hostile500"), false);
    QCOMPARE(failed.exitCode, 1);
    QVERIFY2(failed.err.contains("boom"), failed.err.constData());
    QVERIFY2(clean(failed.err) && clean(failed.out), failed.err.constData());
    QVERIFY2(!failed.err.contains("\nLearnPulse: fake line"), failed.err.constData()); // no line of its own making
    const Chat hostile = chat(QStringLiteral("How is Aisha doing?"), {}, QStringLiteral("hostile"), false);
    QCOMPARE(hostile.exitCode, 0);
    QVERIFY2(hostile.out.contains("Line one"), hostile.out.constData());
    QVERIFY2(clean(hostile.out) && clean(hostile.err), hostile.out.constData());
    const Chat json = chat(QStringLiteral("How is Aisha doing?"), {}, QStringLiteral("hostile"), true);
    QVERIFY2(json.exitCode == 0, json.err.constData());
    QVERIFY(!json.json.value(QLatin1String("reply")).toString().contains(QChar(0x202e)));
}

void TestChat::plainOutputStreamsTheReply()
{
    const Chat c = chat(QStringLiteral("How is Aisha doing?"), {}, QStringLiteral("normal"), false);
    QCOMPARE(c.exitCode, 0);
    QVERIFY(c.out.startsWith("I understand. About"));
    QVERIFY(c.out.contains("[session "));
}

void TestChat::metricsCountSessionsEscalationsRulesAndGuardHits()
{
    QJsonObject empty = metrics();
    QCOMPARE(empty.value(QLatin1String("sessions")).toInt(), 0);
    QVERIFY(empty.value(QLatin1String("median_messages_to_escalation")).isNull());
    QCOMPARE(empty.value(QLatin1String("escalation_rate")).toDouble(), 0.0);

    // Session 1: four teacher messages, three signals: a ticket.
    QCOMPARE(chat(QStringLiteral("How is Aisha doing?")).exitCode, 0);
    QCOMPARE(chat(QStringLiteral("This doesn't help")).exitCode, 0);
    QCOMPARE(chat(QStringLiteral("Still not clear")).exitCode, 0);
    QVERIFY(chat(QStringLiteral("That's wrong again")).json.value(QLatin1String("escalated")).toBool());
    QCOMPARE(chat(QStringLiteral("Still wrong.")).exitCode, 0); // after the ticket: no second escalation
    // Session 2: asks for a person at once: a ticket after one message.
    m_session.clear();
    QVERIFY(chat(QStringLiteral("I need to talk to support")).json.value(QLatin1String("escalated")).toBool());
    // Sessions 3 and 4: no ticket; session 4 gets a reply the guard corrects.
    m_session.clear();
    QCOMPARE(chat(QStringLiteral("Which students need help with fractions?")).exitCode, 0);
    m_session.clear();
    QCOMPARE(chat(QStringLiteral("Give me the list"), {}, QStringLiteral("hallucinate")).exitCode, 0);

    const QJsonObject m = metrics();
    for (const char *key :
        { "escalation_rate", "sessions", "escalations", "median_messages_to_escalation", "top_rules" })
        QVERIFY2(m.contains(QLatin1String(key)), key);
    QCOMPARE(m.value(QLatin1String("sessions")).toInt(), 4);
    QCOMPARE(m.value(QLatin1String("escalations")).toInt(), 2);
    QCOMPARE(m.value(QLatin1String("escalation_rate")).toDouble(), 0.5);
    QCOMPARE(m.value(QLatin1String("target_escalation_rate")).toDouble(), 0.05);
    QCOMPARE(m.value(QLatin1String("median_messages_to_escalation")).toDouble(), 2.5); // 4 and 1
    QCOMPARE(m.value(QLatin1String("messages_to_escalation")).toArray().size(), 2);
    const QJsonArray rules = m.value(QLatin1String("top_rules")).toArray();
    QVERIFY(!rules.isEmpty());
    QStringList names;
    for (const QJsonValue &r : rules) {
        names << r.toObject().value(QLatin1String("rule")).toString();
        QCOMPARE(r.toObject().value(QLatin1String("escalations")).toInt(), 1); // each rule once per escalation
    }
    names.sort();
    QCOMPARE(names,
        (QStringList { QStringLiteral("does_not_help"), QStringLiteral("talk_to_person"), QStringLiteral("unclear"),
            QStringLiteral("wrong") }));
    QVERIFY(m.value(QLatin1String("guard_hits")).toObject().value(QLatin1String("ticket_id")).toInt() == 1);
    // Today is in the daily and weekly series with the same counts.
    const QJsonArray daily = m.value(QLatin1String("daily")).toArray();
    QCOMPARE(daily.size(), 30);
    const QJsonObject today = daily.last().toObject();
    QCOMPARE(
        today.value(QLatin1String("day")).toString(), QDateTime::currentDateTimeUtc().date().toString(Qt::ISODate));
    QCOMPARE(today.value(QLatin1String("sessions")).toInt(), 4);
    QCOMPARE(today.value(QLatin1String("escalations")).toInt(), 2);
    QCOMPARE(
        m.value(QLatin1String("weekly")).toArray().last().toObject().value(QLatin1String("escalations")).toInt(), 2);
    int weekDays = 0; // the weeks at either end hold only their days inside the range
    for (const QJsonValue &w : m.value(QLatin1String("weekly")).toArray())
        weekDays += w.toObject().value(QLatin1String("days")).toInt();
    QCOMPARE(weekDays, 30);

    // Satisfaction: the teacher rates both tickets once they are resolved (one helpful, one not).
    QVERIFY(empty.value(QLatin1String("csat")).toObject().value(QLatin1String("rate")).isNull());
    {
        auto db = Database::open(testConfig(m_dataDir->path()).value()).value();
        auto teacher = AccountStore(db).findByEmail(QStringLiteral("amira.khan@school.example")).value();
        TicketStore store(db);
        const QList<TicketRecord> tickets = store.list(Actor::commandLine(), {}).value();
        QCOMPARE(tickets.size(), 2);
        TicketThread thread(db);
        for (int i = 0; i < 2; ++i) {
            QVERIFY(store.setStatus(Actor::commandLine(), tickets.at(i).id, QStringLiteral("resolved")));
            QVERIFY(thread.rate(teacher.actor(), tickets.at(i).id, i == 0, {}));
        }
    }
    const QJsonObject csat = metrics().value(QLatin1String("csat")).toObject();
    QCOMPARE(csat.value(QLatin1String("ratings")).toInt(), 2);
    QCOMPARE(csat.value(QLatin1String("helpful")).toInt(), 1);
    QCOMPARE(csat.value(QLatin1String("rate")).toDouble(), 0.5);
    const QJsonObject thisWeek = csat.value(QLatin1String("weekly")).toArray().last().toObject();
    QCOMPARE(thisWeek.value(QLatin1String("ratings")).toInt(), 2);
    QCOMPARE(thisWeek.value(QLatin1String("csat")).toDouble(), 0.5);

    // The events name no one: after erasing the teacher they are all still there.
    const ProcessResult erased = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("privacy"), QStringLiteral("erase"), QStringLiteral("--user"),
            QStringLiteral("amira.khan@school.example"), QStringLiteral("--yes"), QStringLiteral("--data-dir"),
            m_dataDir->path() });
    QVERIFY2(erased.exitCode == 0, erased.err.constData());
    QCOMPARE(metrics().value(QLatin1String("escalations")).toInt(), 2);
    QCOMPARE(metrics().value(QLatin1String("csat")).toObject().value(QLatin1String("ratings")).toInt(), 2);

    // Plain text for people; bad usage is refused.
    const ProcessResult text = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("metrics"), QStringLiteral("--days"), QStringLiteral("7"), QStringLiteral("--data-dir"),
            m_dataDir->path() });
    QCOMPARE(text.exitCode, 0);
    QVERIFY2(text.out.contains("4 sessions, 2 escalated: 50.0 % (target 5 %)"), text.out.constData());
    QVERIFY2(text.out.contains("Satisfaction: 1 of 2 ratings helpful (50.0 %)"), text.out.constData());
    QCOMPARE(runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
                 { QStringLiteral("metrics"), QStringLiteral("--days"), QStringLiteral("0"),
                     QStringLiteral("--data-dir"), m_dataDir->path() })
                 .exitCode,
        2);
}

void TestChat::feedbackFromTheCommandLine_data()
{
    // After two answered questions and one complaint, the votes in order ("down", "up", "down@first": the
    // older reply by its reply_ts); then the signal count and whether the last vote opened the ticket.
    QTest::addColumn<QStringList>("votes");
    QTest::addColumn<int>("count");
    QTest::addColumn<bool>("escalates");
    QTest::newRow("thumbs up") << QStringList { QStringLiteral("up") } << 1 << false;
    QTest::newRow("thumbs down is the second signal") << QStringList { QStringLiteral("down") } << 2 << false;
    QTest::newRow("the same reply twice counts once")
        << QStringList { QStringLiteral("down"), QStringLiteral("down") } << 2 << false;
    QTest::newRow("two replies: the third signal opens the ticket")
        << QStringList { QStringLiteral("down"), QStringLiteral("down@first") } << 3 << true;
    QTest::newRow("changed to up") << QStringList { QStringLiteral("down"), QStringLiteral("up") } << 1 << false;
}

void TestChat::feedbackFromTheCommandLine()
{
    QFETCH(QStringList, votes);
    QFETCH(int, count);
    QFETCH(bool, escalates);
    const Chat first = chat(QStringLiteral("How is Aisha doing?"));
    QVERIFY2(first.exitCode == 0, first.err.constData());
    const QString firstReply = first.json.value(QLatin1String("reply_ts")).toString();
    QVERIFY(!firstReply.isEmpty());
    const Chat second = chat(QStringLiteral("This doesn't help"));
    QCOMPARE(second.json.value(QLatin1String("dissatisfaction_count")).toInt(), 1);
    QVERIFY(!second.json.value(QLatin1String("message_ts")).toString().isEmpty());
    QVERIFY(second.json.value(QLatin1String("reply_ts")).toString() != firstReply);
    const qsizetype calls = llmCalls();
    Chat last;
    for (const QString &v : votes) {
        QStringList extra { QStringLiteral("--feedback"), v.section(QLatin1Char('@'), 0, 0) };
        if (v.endsWith(QLatin1String("@first")))
            extra << QStringLiteral("--reply") << firstReply;
        last = chat(QString(), extra);
        QVERIFY2(last.exitCode == 0, last.err.constData());
    }
    QCOMPARE(llmCalls(), calls); // a vote asks no one
    QCOMPARE(last.json.value(QLatin1String("dissatisfaction_count")).toInt(), count);
    QCOMPARE(last.json.value(QLatin1String("status")).toString(),
        escalates ? QStringLiteral("escalated") : QStringLiteral("rated"));
    if (escalates) {
        const QString ticket = last.json.value(QLatin1String("ticket_id")).toString();
        QVERIFY(last.json.value(QLatin1String("reply")).toString().contains(ticket));
        QVERIFY(last.json.value(QLatin1String("signal_rules")).toArray().contains(QStringLiteral("thumbs_down")));
        const ProcessResult shown = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
            { QStringLiteral("tickets"), QStringLiteral("show"), ticket, QStringLiteral("--data-dir"),
                m_dataDir->path() });
        QVERIFY2(shown.out.contains("Assistant (signal: marked an answer as not helpful)"), shown.out.constData());
    }

    // Bad usage and a reply that does not exist: refused with a reason.
    Chat bad = chat(QString(), { QStringLiteral("--feedback"), QStringLiteral("sideways") });
    QCOMPARE(bad.exitCode, 2);
    bad = chat(QString(),
        { QStringLiteral("--feedback"), QStringLiteral("down"), QStringLiteral("--reply"),
            QStringLiteral("2020-01-01T00:00:00.000Z") });
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("no such reply"), bad.err.constData());
    bad = chat(QStringLiteral("text too"), { QStringLiteral("--feedback"), QStringLiteral("down") });
    QCOMPARE(bad.exitCode, 2);
}

void TestChat::aVagueAskIsOfferedATicketOnce_data()
{
    QTest::addColumn<QString>("answer");
    QTest::newRow("yes") << QStringLiteral("yes");
    QTest::newRow("no") << QStringLiteral("no");
}

void TestChat::aVagueAskIsOfferedATicketOnce()
{
    QFETCH(QString, answer);
    QCOMPARE(chat(QStringLiteral("How is Aisha doing?")).exitCode, 0);
    const qsizetype calls = llmCalls();
    const Chat vague = chat(QStringLiteral("Is there someone I can email about this?"));
    QVERIFY2(vague.exitCode == 0, vague.err.constData());
    QCOMPARE(vague.json.value(QLatin1String("status")).toString(), QStringLiteral("offered"));
    QVERIFY(vague.json.value(QLatin1String("offer")).toBool());
    QVERIFY(vague.json.value(QLatin1String("reply"))
                .toString()
                .contains(QLatin1String("Would you like a support ticket?")));
    QVERIFY(!vague.json.value(QLatin1String("escalated")).toBool());
    QCOMPARE(llmCalls(), calls); // the application offered; the assistant was not asked

    const Chat answered = chat(QString(), { QStringLiteral("--offer"), answer });
    QVERIFY2(answered.exitCode == 0, answered.err.constData());
    if (answer == QLatin1String("yes")) {
        QCOMPARE(answered.json.value(QLatin1String("status")).toString(), QStringLiteral("escalated"));
        const QString ticket = answered.json.value(QLatin1String("ticket_id")).toString();
        QVERIFY(!ticket.isEmpty());
        QVERIFY(answered.json.value(QLatin1String("reply")).toString().contains(ticket));
        const ProcessResult list = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
            { QStringLiteral("tickets"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--data-dir"),
                m_dataDir->path() });
        QCOMPARE(list.out.count('\n'), 1);
    } else {
        QCOMPARE(answered.json.value(QLatin1String("status")).toString(), QStringLiteral("answered"));
        QVERIFY(answered.json.value(QLatin1String("reply")).toString().contains(QLatin1String("no ticket")));
        QVERIFY(!answered.json.value(QLatin1String("escalated")).toBool());
        // Offered once: the next vague ask goes to the assistant.
        const Chat again = chat(QStringLiteral("Who should I talk to about this?"));
        QCOMPARE(again.json.value(QLatin1String("status")).toString(), QStringLiteral("answered"));
        QCOMPARE(llmCalls(), calls + 1);
    }
    QCOMPARE(llmCalls(), calls + (answer == QLatin1String("no") ? 1 : 0));
    // A second answer is refused, and so is an answer where nothing was offered.
    const Chat twice = chat(QString(), { QStringLiteral("--offer"), QStringLiteral("yes") });
    QCOMPARE(twice.exitCode, 1);
    QVERIFY2(twice.err.contains("answered this offer already"), twice.err.constData());
    m_session.clear();
    QCOMPARE(chat(QStringLiteral("Thanks")).exitCode, 0);
    const Chat none = chat(QString(), { QStringLiteral("--offer"), QStringLiteral("yes") });
    QCOMPARE(none.exitCode, 1);
    QVERIFY2(none.err.contains("No support ticket was offered"), none.err.constData());
}

void TestChat::metricsCountFeedbackOffersAndSignalKinds()
{
    // Session 1: a thumbs-up, then a complaint, a thumbs-down and a repetition open the ticket.
    QCOMPARE(chat(QStringLiteral("Which students in 8A are behind on fractions homework?")).exitCode, 0);
    QCOMPARE(chat(QString(), { QStringLiteral("--feedback"), QStringLiteral("up") }).exitCode, 0);
    QCOMPARE(chat(QStringLiteral("That is wrong.")).exitCode, 0);
    const Chat withdrawable = chat(QStringLiteral("This is confusing."));
    QCOMPARE(withdrawable.json.value(QLatin1String("dissatisfaction_count")).toInt(), 2);
    QCOMPARE(withdrawable.json.value(QLatin1String("status")), QJsonValue(QStringLiteral("offered")));
    // The teacher takes the last one back ("that was not a complaint"), by its message_ts.
    const Chat withdrawn = chat(QString(),
        { QStringLiteral("--withdraw"), QStringLiteral("--message"),
            withdrawable.json.value(QLatin1String("message_ts")).toString() });
    QVERIFY2(withdrawn.exitCode == 0, withdrawn.err.constData());
    const QJsonObject &w = withdrawn.json;
    QCOMPARE(w.value(QLatin1String("status")).toString(), QStringLiteral("withdrawn"));
    QCOMPARE(w.value(QLatin1String("dissatisfaction_count")).toInt(), 1);
    QCOMPARE(w.value(QLatin1String("rules")).toArray(), QJsonArray { QStringLiteral("unclear") });

    QCOMPARE(chat(QString(), { QStringLiteral("--feedback"), QStringLiteral("down") })
                 .json.value(QLatin1String("dissatisfaction_count"))
                 .toInt(),
        2);
    const Chat third = chat(QStringLiteral("In 8A, who is behind with the fractions homework?"));
    QVERIFY2(third.json.value(QLatin1String("escalated")).toBool(), third.out.constData());
    // With the ticket open, nothing can be withdrawn.
    const Chat late = chat(QString(), { QStringLiteral("--withdraw") });
    QCOMPARE(late.exitCode, 1);
    QVERIFY2(late.err.contains("ticket already"), late.err.constData());
    // Session 2: offered and declined. Session 3: offered and accepted.
    for (const QString &answer : { QStringLiteral("no"), QStringLiteral("yes") }) {
        m_session.clear();
        QCOMPARE(chat(QStringLiteral("Is there someone I can email about this?")).json.value(QLatin1String("status")),
            QJsonValue(QStringLiteral("offered")));
        QCOMPARE(chat(QString(), { QStringLiteral("--offer"), answer }).exitCode, 0);
    }

    const QJsonObject m = metrics();
    QCOMPARE(m.value(QLatin1String("escalations")).toInt(), 2);
    const QJsonObject kinds = m.value(QLatin1String("escalations_by_signal_kind")).toObject();
    QCOMPARE(kinds.value(QLatin1String("message")).toInt(), 1);
    QCOMPARE(kinds.value(QLatin1String("feedback")).toInt(), 1);
    QCOMPARE(kinds.value(QLatin1String("repetition")).toInt(), 1);
    QCOMPARE(kinds.value(QLatin1String("offer")).toInt(), 1);
    QVERIFY(!kinds.contains(QLatin1String("button")));
    const QJsonObject feedback = m.value(QLatin1String("feedback")).toObject();
    QCOMPARE(feedback.value(QLatin1String("thumbs_up")).toInt(), 1);
    QCOMPARE(feedback.value(QLatin1String("thumbs_down")).toInt(), 1);
    // Session 1's two complaints in a row brought the offer of a ticket too (signals/corrections_before_offer).
    QCOMPARE(feedback.value(QLatin1String("offers")).toInt(), 3);
    QCOMPARE(feedback.value(QLatin1String("offers_accepted")).toInt(), 1);
    QCOMPARE(feedback.value(QLatin1String("offers_declined")).toInt(), 1);
    QCOMPARE(feedback.value(QLatin1String("signals_withdrawn")).toInt(), 1);
    QCOMPARE(
        feedback.value(QLatin1String("signals_withdrawn_by_rule")).toObject().value(QLatin1String("unclear")).toInt(),
        1);
    const QJsonObject week = feedback.value(QLatin1String("weekly")).toArray().last().toObject();
    QCOMPARE(week.value(QLatin1String("thumbs_up")).toInt(), 1);
    QCOMPARE(week.value(QLatin1String("thumbs_down")).toInt(), 1);
    QCOMPARE(week.value(QLatin1String("offers_accepted")).toInt(), 1);
    QCOMPARE(week.value(QLatin1String("offers_declined")).toInt(), 1);
}

QTEST_GUILESS_MAIN(TestChat)
void TestChat::brokenRulesFileFallsBackToTheBuiltInRules()
{
    // The same policy as the console's (Services::loadRules): the conversation goes on with the built-in
    // rules, and the reason is printed.
    QFile rules(m_dataDir->filePath(QStringLiteral("detector-rules.json")));
    QVERIFY(rules.open(QIODevice::WriteOnly));
    rules.write("{ \"complaint_rules\": [ broken");
    rules.close();
    const Chat c = chat(QStringLiteral("This answer is useless"));
    QVERIFY2(c.exitCode == 0, c.err.constData());
    QVERIFY2(c.err.contains("not valid JSON") && c.err.contains("built-in rules"), c.err.constData());
    QCOMPARE(c.json.value(QLatin1String("dissatisfaction_count")).toInt(), 1); // detected by the built-in rules
}

#include "tst_chat.moc"
