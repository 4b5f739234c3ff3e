#include "sseparser.h"

#include <QTest>

using namespace LearnPulse;

class TestSseParser : public QObject
{
    Q_OBJECT

private slots:
    void parsesEvents();
    void handlesEveryLineEnding();
    void splitAtEveryByteGivesTheSameEvents();
    void keepsPendingUntilBlankLine();
    void reportsInvalidUtf8();
    void capsLineLength();
    void capsEventSize();
};

namespace {

const QByteArray stream = "\xEF\xBB\xBF: comment line\n"
                          "data: {\"t\":\"caf\xC3\xA9 \xF0\x9F\x93\x88\"}\n\n"
                          "event: update\r\nid: 7\r\ndata: line one\r\ndata:line two\r\n\r\n"
                          "retry: 100\rdata: cr only\r\r"
                          "data\n\n"
                          "data: [DONE]\n\n";

QList<SseEvent> parseAll(const QByteArray &bytes, qsizetype step)
{
    SseParser p;
    QList<SseEvent> out;
    for (qsizetype i = 0; i < bytes.size(); i += step)
        out += p.feed(QByteArrayView(bytes).sliced(i, qMin(step, bytes.size() - i)));
    return out;
}

} // namespace

void TestSseParser::parsesEvents()
{
    const QList<SseEvent> events = parseAll(stream, stream.size());
    QCOMPARE(events.size(), 5);
    QCOMPARE(events[0].event, QStringLiteral("message"));
    QCOMPARE(events[0].data, QStringLiteral("{\"t\":\"caf\u00e9 \U0001F4C8\"}"));
    QCOMPARE(events[1].event, QStringLiteral("update"));
    QCOMPARE(events[1].id, QStringLiteral("7"));
    QCOMPARE(events[1].data, QStringLiteral("line one\nline two"));
    QCOMPARE(events[2].data, QStringLiteral("cr only"));
    QCOMPARE(events[3].data, QString()); // "data" with no colon: an empty data line
    QCOMPARE(events[4].data, QStringLiteral("[DONE]"));
}

void TestSseParser::handlesEveryLineEnding()
{
    for (const QByteArray &eol : { QByteArray("\n"), QByteArray("\r\n"), QByteArray("\r") }) {
        const QByteArray bytes = "data: a" + eol + "data: b" + eol + eol + "data: c" + eol + eol;
        const QList<SseEvent> events = parseAll(bytes, bytes.size());
        QCOMPARE(events.size(), 2);
        QCOMPARE(events[0].data, QStringLiteral("a\nb"));
        QCOMPARE(events[1].data, QStringLiteral("c"));
    }
}

void TestSseParser::splitAtEveryByteGivesTheSameEvents()
{
    const QList<SseEvent> whole = parseAll(stream, stream.size());
    for (qsizetype step = 1; step <= 9; ++step) {
        const QList<SseEvent> split = parseAll(stream, step);
        QCOMPARE(split.size(), whole.size());
        for (qsizetype i = 0; i < whole.size(); ++i) {
            QCOMPARE(split[i].data, whole[i].data);
            QCOMPARE(split[i].event, whole[i].event);
        }
    }
    // Every single cut position, including inside the 4-byte emoji and between \r and \n.
    for (qsizetype cut = 1; cut < stream.size(); ++cut) {
        SseParser p;
        QList<SseEvent> events = p.feed(QByteArrayView(stream).first(cut));
        events += p.feed(QByteArrayView(stream).sliced(cut));
        QCOMPARE(events.size(), whole.size());
        QCOMPARE(events[0].data, whole[0].data);
        QCOMPARE(events[2].data, whole[2].data);
        QVERIFY(!p.hasError());
    }
}

void TestSseParser::keepsPendingUntilBlankLine()
{
    SseParser p;
    QVERIFY(p.feed("data: partial\n").isEmpty());
    QVERIFY(p.hasPendingData());
    const QList<SseEvent> events = p.feed("\n");
    QCOMPARE(events.size(), 1);
    QVERIFY(!p.hasPendingData());
}

void TestSseParser::reportsInvalidUtf8()
{
    SseParser p;
    p.feed("data: \xff\xfe\n\n");
    QVERIFY(p.hasError());
    QVERIFY(p.error().contains(QLatin1String("UTF-8")));
}

void TestSseParser::capsLineLength()
{
    SseParser p(64);
    p.feed(QByteArray("data: " + QByteArray(100, 'x')));
    QVERIFY(p.hasError());
    QVERIFY(p.error().contains(QLatin1String("longer than 64 bytes")));
}

void TestSseParser::capsEventSize()
{
    // Lines of fine length, but no blank line to end the event: it stops at the cap, whole or in pieces.
    SseParser p(64, 1000);
    const QByteArray line = "data: " + QByteArray(50, 'x') + '\n';
    QList<SseEvent> events;
    for (int i = 0; i < 100 && !p.hasError(); ++i)
        events += p.feed(line);
    QVERIFY(p.hasError());
    QVERIFY2(p.error().contains(QLatin1String("longer than 1000 bytes without ending")), qPrintable(p.error()));
    QVERIFY(events.isEmpty());
    // Under the cap, the same lines make one event.
    SseParser q(64, 1000);
    QByteArray stream;
    for (int i = 0; i < 10; ++i)
        stream += line;
    stream += '\n';
    events = q.feed(stream);
    QVERIFY(!q.hasError());
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().data.size(), 10 * 50 + 9);
}

QTEST_GUILESS_MAIN(TestSseParser)
#include "tst_sseparser.moc"
