#include "llmclient.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// LlmClient against a real HTTP server on loopback that speaks the OpenAI-compatible protocol.
class TestLlmClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void streamsTokenByToken();
    void sendsTheRequestOfTheProtocol();
    void nonStreamingAndJsonFallback();
    void failuresAreTypedAndReadable_data();
    void failuresAreTypedAndReadable();
    void apiKeyIsSentAsBearer();
    void capsReplySize();
    void canBeCancelled();

private:
    struct Run
    {
        LlmResult result;
        QStringList deltas;
    };
    Run run(const QString &model, bool stream = true, LlmSettings settings = {});
    LlmSettings settingsFor(const QString &model) const
    {
        LlmSettings s;
        s.baseUrl = QUrl(m_llm.baseUrl());
        s.model = model;
        s.connectTimeoutMs = 5000;
        s.idleTimeoutMs = 5000;
        return s;
    }
    const QList<ChatMessage> m_messages { { QStringLiteral("system"), QStringLiteral("Be brief.") },
        { QStringLiteral("user"), QStringLiteral("How is Omar doing?") } };
    FakeLlm m_llm;
};

void TestLlmClient::initTestCase()
{
    QVERIFY2(m_llm.start(3.0), qPrintable(m_llm.error()));
}

TestLlmClient::Run TestLlmClient::run(const QString &model, bool stream, LlmSettings settings)
{
    if (settings.model.isEmpty())
        settings = settingsFor(model);
    LlmClient client(settings);
    Run r;
    LlmReply *reply = client.chat(m_messages, stream);
    connect(reply, &LlmReply::delta, this, [&r](const QString &d) { r.deltas << d; });
    QSignalSpy finished(reply, &LlmReply::finished);
    if (!finished.wait(20000))
        qFatal("no finished() from LlmReply");
    r.result = finished.constFirst().constFirst().value<LlmResult>();
    if (finished.size() != 1)
        qFatal("finished() more than once");
    return r;
}

void TestLlmClient::streamsTokenByToken()
{
    const Run r = run(QStringLiteral("normal"));
    QVERIFY2(r.result.ok, qPrintable(r.result.error.message));
    const QString expected
        = QStringLiteral("I understand. About \u201cHow is Omar doing?\u201d: caf\u00e9 data shows steady "
                         "progress \U0001F4C8. Focus next on loop conditions.");
    QCOMPARE(r.result.text, expected);
    QVERIFY2(r.deltas.size() > 3, qPrintable(QString::number(r.deltas.size())));
    QCOMPARE(r.deltas.join(QString()), expected);
    QCOMPARE(r.result.finishReason, QStringLiteral("stop"));
}

void TestLlmClient::sendsTheRequestOfTheProtocol()
{
    const qsizetype before = m_llm.requests().size();
    QVERIFY(run(QStringLiteral("normal")).result.ok);
    const QList<QJsonObject> requests = m_llm.requests();
    QCOMPARE(requests.size(), before + 1);
    const QJsonObject body = requests.last().value(QLatin1String("request")).toObject();
    QCOMPARE(body.value(QLatin1String("model")).toString(), QStringLiteral("normal"));
    QCOMPARE(body.value(QLatin1String("stream")).toBool(), true);
    const QJsonArray messages = body.value(QLatin1String("messages")).toArray();
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[0].toObject().value(QLatin1String("role")).toString(), QStringLiteral("system"));
    QCOMPARE(messages[1].toObject().value(QLatin1String("content")).toString(), QStringLiteral("How is Omar doing?"));
    QCOMPARE(requests.last().value(QLatin1String("accept")).toString(), QStringLiteral("text/event-stream"));
    QVERIFY(requests.last().value(QLatin1String("authorization")).isNull()); // no key, no header
}

void TestLlmClient::nonStreamingAndJsonFallback()
{
    const Run plain = run(QStringLiteral("normal"), false);
    QVERIFY2(plain.result.ok, qPrintable(plain.result.error.message));
    QVERIFY(plain.result.text.startsWith(QLatin1String("I understand.")));
    QCOMPARE(m_llm.requests().last().value(QLatin1String("request")).toObject().value(QLatin1String("stream")).toBool(),
        false);
    const Run json = run(QStringLiteral("json"), true); // a server that ignores "stream": true
    QVERIFY2(json.result.ok, qPrintable(json.result.error.message));
    QCOMPARE(json.result.text, plain.result.text);
}

void TestLlmClient::failuresAreTypedAndReadable_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("message");
    QTest::newRow("500") << QStringLiteral("error500") << int(LlmError::Kind::Http)
                         << QStringLiteral("HTTP 500: model crashed: out of memory");
    QTest::newRow("401") << QStringLiteral("auth") << int(LlmError::Kind::Http) << QStringLiteral("invalid api key");
    QTest::newRow("stall") << QStringLiteral("stall") << int(LlmError::Kind::ConnectTimeout)
                           << QStringLiteral("did not answer within 0.5 seconds");
    QTest::newRow("slow") << QStringLiteral("slow") << int(LlmError::Kind::IdleTimeout)
                          << QStringLiteral("nothing arrived for 0.5 seconds");
    QTest::newRow("drop") << QStringLiteral("drop") << int(LlmError::Kind::Dropped) << QStringLiteral("connection");
    QTest::newRow("garbage") << QStringLiteral("garbage") << int(LlmError::Kind::MalformedResponse)
                             << QStringLiteral("not JSON");
    // An event that never ends (no blank line): bounded, not read into memory until the machine gives out.
    QTest::newRow("endless event") << QStringLiteral("endless") << int(LlmError::Kind::MalformedResponse)
                                   << QStringLiteral("without ending");
}

void TestLlmClient::failuresAreTypedAndReadable()
{
    QFETCH(QString, model);
    QFETCH(int, kind);
    QFETCH(QString, message);
    LlmSettings s = settingsFor(model);
    s.connectTimeoutMs = 500;
    s.idleTimeoutMs = 500;
    const Run r = run(model, true, s);
    QVERIFY(!r.result.ok);
    QCOMPARE(int(r.result.error.kind), kind);
    QVERIFY2(r.result.error.message.contains(message), qPrintable(r.result.error.message));
    if (model == QLatin1String("error500"))
        QCOMPARE(r.result.error.httpStatus, 500);
    if (model == QLatin1String("drop"))
        QCOMPARE(r.result.text, QStringLiteral("Half an ans")); // what arrived is kept for the caller
}

void TestLlmClient::apiKeyIsSentAsBearer()
{
    LlmSettings s = settingsFor(QStringLiteral("auth"));
    s.apiKey = QStringLiteral("sekret");
    const Run r = run(QStringLiteral("auth"), true, s);
    QVERIFY2(r.result.ok, qPrintable(r.result.error.message));
    QCOMPARE(m_llm.requests().last().value(QLatin1String("authorization")).toString(), QStringLiteral("Bearer sekret"));

    s.apiKey = QStringLiteral("wrong-key-123");
    const Run refused = run(QStringLiteral("auth"), true, s);
    QCOMPARE(refused.result.error.httpStatus, 401);
    QVERIFY(refused.result.error.message.contains(QLatin1String("LLM_API_KEY")));
    QVERIFY(!refused.result.error.message.contains(QLatin1String("wrong-key-123")));
}

void TestLlmClient::capsReplySize()
{
    LlmSettings s = settingsFor(QStringLiteral("huge"));
    s.maxReplyChars = 1000;
    // This test is about the size cap: a loaded machine (CI builds the fuzzers beside it) must not turn it
    // into an idle timeout while the test server writes its 100,000 characters.
    s.idleTimeoutMs = 30000;
    const Run r = run(QStringLiteral("huge"), true, s);
    QCOMPARE(r.result.error.kind, LlmError::Kind::TooLarge);
    QVERIFY(r.result.text.size() <= 1000);
    QVERIFY(r.result.error.message.contains(QLatin1String("1000 characters")));
    const Run whole = run(QStringLiteral("huge"), false, s);
    QCOMPARE(whole.result.error.kind, LlmError::Kind::TooLarge);
}

void TestLlmClient::canBeCancelled()
{
    LlmSettings s = settingsFor(QStringLiteral("stall"));
    LlmClient client(s);
    LlmReply *reply = client.chat(m_messages);
    QSignalSpy finished(reply, &LlmReply::finished);
    QTimer::singleShot(100, reply, [reply] { reply->abandon(); });
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.constFirst().constFirst().value<LlmResult>().error.kind, LlmError::Kind::Cancelled);

    // Nothing listens: connection refused. A broken base URL: not configured.
    s.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(RedisServerProcess::freePort()));
    const Run refused = run(QStringLiteral("normal"), true, s);
    QCOMPARE(refused.result.error.kind, LlmError::Kind::ConnectionRefused);
    QVERIFY(refused.result.error.message.contains(QLatin1String("connection was refused")));
    s.baseUrl = QUrl(QStringLiteral("ftp://example"));
    QCOMPARE(run(QStringLiteral("normal"), true, s).result.error.kind, LlmError::Kind::NotConfigured);
}

QTEST_GUILESS_MAIN(TestLlmClient)
#include "tst_llmclient.moc"
