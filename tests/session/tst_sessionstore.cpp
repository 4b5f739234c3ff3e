#include "detector.h"
#include "messagevalidator.h"
#include "redissubscriber.h"
#include "sessionstore.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>
#include <QUrl>

#include <csignal>

using namespace LearnPulse;
using namespace LearnPulse::Test;

class TestSessionStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void aSessionIdNamesItsAccount();
    void aConnectionTheServerClosedIsAnErrorNotACrash();
    void createsSessionKeysWithTtl();
    void correctionsInARowBringTheOffer();
    void historyEntryJsonIsExact_data();
    void historyEntryJsonIsExact();
    void recordsMessagesAndRefreshesTtl();
    void ttlIsASetting();
    void capsHistory();
    void claimsOnceAtThreshold();
    void explicitRequestClaimsImmediately();
    void explicitRequestWaitsWhenSettingIsOff();
    void assistantMessagesNeverClaim();
    void releasedClaimIsRetaken();
    void lapsedClaimIsRetaken();
    void firstTicketIdWins();
    void refusesOtherUsersAndUnknownSessions();
    void refusesInvalidSessionIdsWithoutWriting();
    void aRedisWithAPasswordOrAnAclUserWorksEverywhere_data();
    void aRedisWithAPasswordOrAnAclUserWorksEverywhere();

private:
    Detection signal(const QString &rule = QStringLiteral("wrong")) const
    {
        return Detection { true, false, { rule } };
    }
    HistoryEntry teacher(const QString &text) const
    {
        return { QStringLiteral("teacher"), text, QDateTime::currentDateTimeUtc() };
    }
    QString newSession(const QString &userId = QStringLiteral("user-1"))
    {
        auto id = m_fx->sessions->createSession({ userId, QStringLiteral("t@school.example"), QStringLiteral("Omar"),
            QStringLiteral("6B"), QStringLiteral("loops") });
        if (!id)
            qFatal("%s", qPrintable(id.error()));
        return id.value();
    }
    long long integer(const QList<QByteArray> &command)
    {
        auto r = m_fx->redisClient->command(command);
        return r ? r->integer : -1000;
    }

    std::unique_ptr<CoreFixture> m_fx;
};

void TestSessionStore::init()
{
    m_fx = std::make_unique<CoreFixture>();
    QVERIFY2(m_fx->setUp(), qPrintable(m_fx->error()));
}

void TestSessionStore::cleanup()
{
    m_fx.reset();
}

void TestSessionStore::aSessionIdNamesItsAccount()
{
    // Issue 26: the id names its account in its last 8 hex digits (the index takes its ticket from that account's
    // seat only), the first 8 (the ticket ID's) stay random, and it is still a canonical UUID.
    const QString bound = newSession(QStringLiteral("user-1"));
    QVERIFY(MessageValidator::isValidSessionId(bound));
    QCOMPARE(bound.right(8), SessionStore::sessionTag(QStringLiteral("user-1")));
    QCOMPARE(SessionStore::sessionTag(QStringLiteral("user-1")),
        QString::fromLatin1(QCryptographicHash::hash("user-1", QCryptographicHash::Sha256).toHex().left(8)));
    QVERIFY(newSession(QStringLiteral("user-1")).left(8) != bound.left(8));
}

void TestSessionStore::createsSessionKeysWithTtl()
{
    const QString id = newSession();
    QVERIFY(MessageValidator::isValidSessionId(id));
    QCOMPARE(SessionStore::stateKey(id), "lp:{" + id.toUtf8() + "}:state");
    QCOMPARE(SessionStore::historyKey(id), "lp:{" + id.toUtf8() + "}:history");

    auto state = m_fx->sessions->state(id);
    QVERIFY2(state, qPrintable(state.error()));
    QCOMPARE(state->context.userId, QStringLiteral("user-1"));
    QCOMPARE(state->context.teacherEmail, QStringLiteral("t@school.example"));
    QCOMPARE(state->context.student, QStringLiteral("Omar"));
    QCOMPARE(state->context.classId, QStringLiteral("6B"));
    QCOMPARE(state->context.scope, QStringLiteral("loops"));
    QCOMPARE(state->dissatisfactionCount, 0);
    QVERIFY(!state->escalated);
    QVERIFY(state->ticketId.isEmpty());
    QVERIFY(state->created.isValid());

    const long long ttl = integer({ "TTL", SessionStore::stateKey(id) });
    QVERIFY2(ttl > 7 * 24 * 3600 - 10 && ttl <= 7 * 24 * 3600, qPrintable(QString::number(ttl)));
    auto sessions = m_fx->sessions->sessionsOfUser(QStringLiteral("user-1"));
    QVERIFY(sessions);
    QCOMPARE(sessions.value(), QStringList { id });
}

void TestSessionStore::aConnectionTheServerClosedIsAnErrorNotACrash()
{
    // A write to a connection the server (or a TLS tunnel refusing its certificate) has closed raised SIGPIPE,
    // which ended the process: now it is an error, and the next command connects again or says why not.
    auto client = m_fx->redis.client();
    QVERIFY(client);
    struct sigaction now = {};
    QCOMPARE(sigaction(SIGPIPE, nullptr, &now), 0);
    QVERIFY(now.sa_handler == SIG_IGN);
    auto id = client->command({ "CLIENT", "ID" });
    QVERIFY2(id, qPrintable(id.error()));
    auto killer = m_fx->redis.client();
    auto killed = killer->command({ "CLIENT", "KILL", "ID", QByteArray::number(id->integer) });
    QVERIFY2(killed, qPrintable(killed.error()));
    QCOMPARE(killed->integer, 1);
    // The first write may still go out; the next meet the closed socket. Under QTest a SIGPIPE is a crash.
    for (int i = 0; i < 5; ++i)
        (void)client->command({ "PING" });
    QVERIFY(killer->command({ "PING" }));
}

void TestSessionStore::correctionsInARowBringTheOffer()
{
    // Turns that correct or repeat the request (the detector's model says so) or count as any other signal: the
    // setting's number of them within one more teacher message brings the offer of a ticket, once. One ordinary
    // turn between them ("thanks, but...") does not start again; two do.
    QCOMPARE(m_fx->config.correctionsBeforeOffer, 2);
    const QString id = newSession();
    Detection correction;
    correction.correction = true;
    Detection complaint;
    complaint.dissatisfied = true;
    complaint.rules = QStringList { QStringLiteral("model_unhappy") };
    complaint.phrases = QStringList { QString() };
    const Detection none;
    auto say = [&](const QString &session, const char *text, const Detection &d) {
        auto r = m_fx->sessions->record(session, QStringLiteral("user-1"), teacher(QString::fromLatin1(text)), &d);
        if (!r)
            qFatal("record failed: %s", qPrintable(r.error()));
        return r.value();
    };
    QVERIFY(!say(id, "Attendance for 8C this week", none).offered);
    QVERIFY(!say(id, "Only the girls please", correction).offered);
    QVERIFY(!say(id, "And their reading ages", none).offered);
    QVERIFY(!say(id, "Also the spelling scores", none).offered); // two ordinary turns: the count starts again
    QVERIFY(!say(id, "Period 3, not period 5", correction).offered);
    QVERIFY(!say(id, "Thanks. Can you add the dates?", none).offered);
    QVERIFY(say(id, "The 10:15 class", correction).offered); // one ordinary turn between
    QVERIFY(!say(id, "Still the 10:15 class", correction).offered); // once per conversation
    QCOMPARE(m_fx->sessions->state(id)->offer, QStringLiteral("open"));

    // A complaint and a correction together.
    const QString mixed = newSession();
    QVERIFY(!say(mixed, "Reading ages for 7B", none).offered);
    QVERIFY(!say(mixed, "That is not what I asked", complaint).offered);
    QVERIFY(say(mixed, "7B, not 7C", correction).offered);

    // 0 switches it off.
    m_fx->config.correctionsBeforeOffer = 0;
    const QString other = newSession();
    for (int i = 0; i < 4; ++i) {
        auto r = m_fx->sessions->record(
            other, QStringLiteral("user-1"), teacher(QStringLiteral("again %1").arg(i)), &correction);
        QVERIFY(r && !r->offered);
    }
    m_fx->config.correctionsBeforeOffer = 2;

    // Marks written before this counted turns in a row (a number): read as that many such turns.
    const QString old = newSession();
    QVERIFY(m_fx->redisClient->command({ "HSET", SessionStore::stateKey(old), "corrections", "0" }));
    QVERIFY(!say(old, "Only the girls", correction).offered);
    QVERIFY(m_fx->redisClient->command({ "HSET", SessionStore::stateKey(old), "corrections", "1" }));
    QVERIFY(say(old, "Still only the girls", correction).offered);
    auto marks = m_fx->redisClient->command({ "HGET", SessionStore::stateKey(old), "corrections" });
    QVERIFY(marks);
    QCOMPARE(marks->string, QByteArray("11"));
    const QString older = newSession();
    QVERIFY(m_fx->redisClient->command({ "HSET", SessionStore::stateKey(older), "corrections", "2" }));
    QVERIFY(say(older, "Thanks", none).offered); // two in a row before: within the last three
    marks = m_fx->redisClient->command({ "HGET", SessionStore::stateKey(older), "corrections" });
    QVERIFY(marks);
    QCOMPARE(marks->string, QByteArray("110"));
}

void TestSessionStore::recordsMessagesAndRefreshesTtl()
{
    const QString id = newSession();
    const Detection none;
    auto first = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("How is Omar?")), &none);
    QVERIFY2(first, qPrintable(first.error()));
    QCOMPARE(first->dissatisfactionCount, 0);
    QCOMPARE(first->historyLength, 1);
    QVERIFY(!first->claimed);

    // Age both keys, then show that activity renews them.
    QCOMPARE(integer({ "EXPIRE", SessionStore::stateKey(id), "100" }), 1);
    QCOMPARE(integer({ "EXPIRE", SessionStore::historyKey(id), "100" }), 1);
    const Detection d = signal();
    auto second = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("Wrong.")), &d);
    QVERIFY(second);
    QCOMPARE(second->dissatisfactionCount, 1);
    QCOMPARE(second->historyLength, 2);
    QVERIFY(integer({ "TTL", SessionStore::stateKey(id) }) > 7 * 24 * 3600 - 10);
    QVERIFY(integer({ "TTL", SessionStore::historyKey(id) }) > 7 * 24 * 3600 - 10);

    auto history = m_fx->sessions->history(id);
    QVERIFY(history);
    QCOMPARE(history->size(), 2);
    QCOMPARE(history->at(0).role, QStringLiteral("teacher"));
    QCOMPARE(history->at(0).content, QStringLiteral("How is Omar?"));
    QCOMPARE(history->at(1).content, QStringLiteral("Wrong."));
    QVERIFY(history->at(1).timestamp.isValid());

    // The stored entry is the JSON of DESIGN.md: {"role","content","ts"}, and for a teacher message "w", its
    // content words (the repetition signal compares them).
    auto raw = m_fx->redisClient->command({ "LINDEX", SessionStore::historyKey(id), "0" });
    QVERIFY(raw);
    const QJsonObject o = QJsonDocument::fromJson(raw->string).object();
    QCOMPARE(o.keys(),
        (QStringList { QStringLiteral("content"), QStringLiteral("role"), QStringLiteral("ts"), QStringLiteral("w") }));
    QCOMPARE(o.value(QLatin1String("w")).toString(), QStringLiteral("#omar")); // what it is about, marked

    auto state = m_fx->sessions->state(id);
    QVERIFY(state);
    QCOMPARE(state->signalRules, QStringList { QStringLiteral("wrong") });
}

void TestSessionStore::ttlIsASetting()
{
    m_fx->config.sessionTtlSeconds = 1000;
    const QString id = newSession();
    const Detection none;
    QVERIFY(m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("hi")), &none));
    for (const QByteArray &key : { SessionStore::stateKey(id), SessionStore::historyKey(id) }) {
        const long long ttl = integer({ "TTL", key });
        QVERIFY2(ttl > 990 && ttl <= 1000, qPrintable(QString::number(ttl)));
    }
}

void TestSessionStore::capsHistory()
{
    m_fx->config.historyCap = 5;
    const QString id = newSession();
    const Detection none;
    for (int i = 1; i <= 8; ++i) {
        auto r
            = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("message %1").arg(i)), &none);
        QVERIFY(r);
        QCOMPARE(r->historyLength, qMin(i, 5));
    }
    auto history = m_fx->sessions->history(id);
    QVERIFY(history);
    QCOMPARE(history->size(), 5);
    QCOMPARE(history->first().content, QStringLiteral("message 4"));
    QCOMPARE(history->last().content, QStringLiteral("message 8"));
}

void TestSessionStore::claimsOnceAtThreshold()
{
    const QString id = newSession();
    const Detection d = signal();
    QList<bool> claims;
    for (int i = 1; i <= 5; ++i) {
        auto r = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("Wrong.")), &d);
        QVERIFY(r);
        QCOMPARE(r->dissatisfactionCount, i);
        claims << r->claimed;
        QCOMPARE(r->escalated, i >= 3);
        if (r->claimed) {
            QCOMPARE(r->reason, QStringLiteral("threshold"));
            QVERIFY(!r->claimToken.isEmpty());
        }
    }
    QCOMPARE(claims, (QList<bool> { false, false, true, false, false }));
}

void TestSessionStore::explicitRequestClaimsImmediately()
{
    const QString id = newSession();
    const Detection d { true, true, { QStringLiteral("talk_to_person") } };
    auto r = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("A human please")), &d);
    QVERIFY(r);
    QVERIFY(r->claimed);
    QCOMPARE(r->reason, QStringLiteral("explicit"));
    QCOMPARE(r->dissatisfactionCount, 1);
}

void TestSessionStore::explicitRequestWaitsWhenSettingIsOff()
{
    m_fx->config.escalateOnExplicitRequest = false;
    const QString id = newSession();
    const Detection d { true, true, { QStringLiteral("talk_to_person") } };
    for (int i = 1; i <= 3; ++i) {
        auto r = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("A human please")), &d);
        QVERIFY(r);
        QCOMPARE(r->claimed, i == 3);
    }
}

void TestSessionStore::assistantMessagesNeverClaim()
{
    m_fx->config.escalationThreshold = 1;
    const QString id = newSession();
    const Detection d = signal();
    // Even a reply that the detector would flag does not claim: only teacher messages escalate.
    auto r = m_fx->sessions->record(id, QStringLiteral("user-1"),
        { QStringLiteral("assistant"), QStringLiteral("Wrong?"), QDateTime::currentDateTimeUtc() }, &d);
    QVERIFY(r);
    QVERIFY(!r->claimed);
    QVERIFY(!r->escalated);
}

void TestSessionStore::releasedClaimIsRetaken()
{
    m_fx->config.escalationThreshold = 1;
    const QString id = newSession();
    const Detection d = signal();
    auto first = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("Wrong.")), &d);
    QVERIFY(first && first->claimed);
    QVERIFY(m_fx->sessions->releaseClaim(id, QStringLiteral("not-the-token")).ok());
    auto still = m_fx->sessions->state(id);
    QVERIFY(still && still->escalated); // a wrong token releases nothing
    QVERIFY(m_fx->sessions->releaseClaim(id, first->claimToken).ok());
    auto state = m_fx->sessions->state(id);
    QVERIFY(state && !state->escalated);

    const Detection none;
    auto retry = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("Hello?")), &none);
    QVERIFY(retry);
    QVERIFY(retry->claimed);
}

void TestSessionStore::lapsedClaimIsRetaken()
{
    m_fx->config.escalationThreshold = 1;
    const QString id = newSession();
    const Detection d = signal();
    auto first = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("Wrong.")), &d);
    QVERIFY(first && first->claimed);
    auto again = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("Wrong.")), &d);
    QVERIFY(again && !again->claimed); // the claim is fresh: nobody else may take it

    // The claimer died long ago without storing a ticket.
    const QByteArray old = QByteArray::number(QDateTime::currentSecsSinceEpoch() - m_fx->config.claimLapseSeconds - 5);
    QVERIFY(m_fx->redisClient->command({ "HSET", SessionStore::stateKey(id), "claimed_at", old }));
    auto retaken = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("Wrong.")), &d);
    QVERIFY(retaken);
    QVERIFY(retaken->claimed);
}

void TestSessionStore::firstTicketIdWins()
{
    m_fx->config.escalationThreshold = 1;
    const QString id = newSession();
    const Detection d = signal();
    auto r = m_fx->sessions->record(id, QStringLiteral("user-1"), teacher(QStringLiteral("Wrong.")), &d);
    QVERIFY(r && r->claimed);
    auto stored = m_fx->sessions->finishEscalation(id, r->claimToken, QStringLiteral("TICKET-A"));
    QVERIFY(stored);
    QCOMPARE(stored.value(), QStringLiteral("TICKET-A"));
    auto second = m_fx->sessions->finishEscalation(id, QStringLiteral("other"), QStringLiteral("TICKET-B"));
    QVERIFY(second);
    QCOMPARE(second.value(), QStringLiteral("TICKET-A"));
    auto state = m_fx->sessions->state(id);
    QVERIFY(state);
    QVERIFY(state->escalated);
    QCOMPARE(state->ticketId, QStringLiteral("TICKET-A"));
    // Escalated with a ticket: a released claim cannot undo it.
    QVERIFY(m_fx->sessions->releaseClaim(id, r->claimToken).ok());
    QVERIFY(m_fx->sessions->state(id)->escalated);
}

void TestSessionStore::refusesOtherUsersAndUnknownSessions()
{
    const QString id = newSession(QStringLiteral("user-1"));
    const Detection none;
    auto other = m_fx->sessions->record(id, QStringLiteral("user-2"), teacher(QStringLiteral("hi")), &none);
    QVERIFY(!other);
    QVERIFY2(other.error().contains(QLatin1String("another user")), qPrintable(other.error()));
    QCOMPARE(integer({ "LLEN", SessionStore::historyKey(id) }), 0);

    const QString unknown = QStringLiteral("00000000-0000-4000-8000-000000000000");
    auto missing = m_fx->sessions->record(unknown, QStringLiteral("user-1"), teacher(QStringLiteral("hi")), &none);
    QVERIFY(!missing);
    QVERIFY2(missing.error().contains(QLatin1String("no longer exists")), qPrintable(missing.error()));
    QCOMPARE(integer({ "EXISTS", SessionStore::historyKey(unknown) }), 0);
    QVERIFY(!m_fx->sessions->state(unknown));
}

void TestSessionStore::refusesInvalidSessionIdsWithoutWriting()
{
    newSession();
    const long long keysBefore = integer({ "DBSIZE" });
    const Detection d = signal();
    for (const QString &bad :
        { QStringLiteral("../../etc/passwd"), QStringLiteral("*"), QStringLiteral("}:state"), QString() }) {
        auto r = m_fx->sessions->record(bad, QStringLiteral("user-1"), teacher(QStringLiteral("Wrong.")), &d);
        QVERIFY(!r);
        QVERIFY2(r.error().contains(QLatin1String("Invalid session id")), qPrintable(r.error()));
        QVERIFY(!m_fx->sessions->state(bad));
        QVERIFY(!m_fx->sessions->history(bad));
    }
    QCOMPARE(integer({ "DBSIZE" }), keysBefore);
}

QTEST_GUILESS_MAIN(TestSessionStore)
void TestSessionStore::aRedisWithAPasswordOrAnAclUserWorksEverywhere_data()
{
    QTest::addColumn<QString>("credentials"); // what goes before "@" in the URL
    QTest::newRow("password") << QStringLiteral(":s3cret-pw");
    QTest::newRow("ACL user") << QStringLiteral("seat-7:seat-pw");
}

void TestSessionStore::aRedisWithAPasswordOrAnAclUserWorksEverywhere()
{
    QFETCH(QString, credentials);
    // A shared Redis must not be reachable without a password: this one asks for one (and knows an ACL user).
    TestRedis redis;
    QVERIFY2(redis.start(), qPrintable(redis.error()));
    {
        auto admin = redis.client();
        QVERIFY(admin->command({ "ACL", "SETUSER", "seat-7", "on", ">seat-pw", "~*", "&*", "+@all" }));
        QVERIFY(admin->command({ "CONFIG", "SET", "requirepass", "s3cret-pw" }));
    }
    const QUrl plain(redis.url());
    const QString url = QStringLiteral("redis://%1@%2:%3/0").arg(credentials, plain.host()).arg(plain.port());
    QVERIFY(!RedisClient::connect(redis.url(), 2000).value()->command({ "PING" })); // without: NOAUTH

    // The blocking client: sessions and turns.
    auto client = RedisClient::connect(url, 2000);
    QVERIFY2(client, qPrintable(client.error()));
    SessionStore sessions(*client.value(), m_fx->config);
    auto session = sessions.createSession({ QStringLiteral("u1"), QStringLiteral("t@school.example"), {}, {}, {} });
    QVERIFY2(session, qPrintable(session.error()));
    QVERIFY(sessions.record(session.value(), QStringLiteral("u1"), teacher(QStringLiteral("Hello")), nullptr));

    // The subscriber (pub/sub) too.
    RedisSubscriber subscriber(RedisEndpoint::parse(url).value(), SessionStore::ticketsChannel());
    QByteArray received;
    connect(&subscriber, &RedisSubscriber::message, this, [&received](const QByteArray &p) { received = p; });
    subscriber.start();
    QTRY_VERIFY_WITH_TIMEOUT(subscriber.isSubscribed(), 5000);
    QVERIFY(sessions.publishTicketChange(QStringLiteral("TICKET-1"), QStringLiteral("created")));
    QTRY_VERIFY_WITH_TIMEOUT(received.contains("TICKET-1"), 5000);

    // A wrong password: refused, and the message never shows a password.
    const QString wrong = QString(url).replace(QLatin1String("pw@"), QLatin1String("pw-typo@"));
    auto refused = RedisClient::connect(wrong, 2000);
    QVERIFY(!refused);
    QCOMPARE(refused.kind(), ErrorKind::Forbidden);
    QVERIFY2(!refused.error().contains(QLatin1String("pw")), qPrintable(refused.error()));
}

void TestSessionStore::historyEntryJsonIsExact_data()
{
    QTest::addColumn<QString>("content");
    QTest::addColumn<QDateTime>("ts");
    const QDateTime t = QDateTime(QDate(2026, 11, 24), QTime(9, 5, 7, 42), Qt::UTC);
    QTest::newRow("plain") << QStringLiteral("How is Aisha doing?") << t;
    QTest::newRow("quotes and backslash") << QStringLiteral("She said \"no\" \\ then left") << t;
    QTest::newRow("controls") << QStringLiteral("line\nbreak\ttab\rret\x01\x1f\b\f") << t;
    QTest::newRow("non-ascii") << QStringLiteral("café – naïve 数学 ") + QString::fromUcs4(U"\U0001F600") << t;
    QTest::newRow("leap day, midnight") << QStringLiteral("x") << QDateTime(QDate(2028, 2, 29), QTime(0, 0), Qt::UTC);
    QTest::newRow("before 1970") << QStringLiteral("x")
                                 << QDateTime(QDate(1969, 12, 31), QTime(23, 59, 59, 999), Qt::UTC);
    QTest::newRow("not utc") << QStringLiteral("x") << QDateTime(QDate(2026, 6, 1), QTime(12, 0), QTimeZone(3600));
    QTest::newRow("no time") << QStringLiteral("x") << QDateTime();
}

void TestSessionStore::historyEntryJsonIsExact()
{
    QFETCH(QString, content);
    QFETCH(QDateTime, ts);
    // The turn writes history entries without QJsonDocument (docs/BENCHMARKS.md): any JSON reader must read
    // back exactly what was written, and the time as Qt::ISODateWithMs writes it in UTC.
    const HistoryEntry entry { QStringLiteral("teacher"), content, ts };
    const QByteArray json = entry.toJson();
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    QVERIFY2(doc.isObject(), qPrintable(error.errorString() + QLatin1Char(' ') + QString::fromUtf8(json)));
    QCOMPARE(doc.object().value(QLatin1String("role")).toString(), QStringLiteral("teacher"));
    QCOMPARE(doc.object().value(QLatin1String("content")).toString(), content);
    QCOMPARE(doc.object().value(QLatin1String("ts")).toString(),
        ts.isValid() ? ts.toUTC().toString(Qt::ISODateWithMs) : QString());
    QCOMPARE(doc.object().size(), 3);
    const HistoryEntry back = HistoryEntry::fromJson(json).value();
    QCOMPARE(back.content, content);
    QCOMPARE(back.timestamp, ts);
}

#include "tst_sessionstore.moc"
