#include "messagevalidator.h"

#include <QTest>

using namespace LearnPulse;

class TestMessageValidator : public QObject
{
    Q_OBJECT

private slots:
    void acceptsOrdinaryText();
    void refuses_data();
    void refuses();
    void countsCharactersNotBytes();
    void refusesInvalidUtf8_data();
    void refusesInvalidUtf8();
    void neutralise_data();
    void neutralise();
    void sessionIds_data();
    void sessionIds();
};

void TestMessageValidator::acceptsOrdinaryText()
{
    auto r = MessageValidator::validate(QStringLiteral("How is Priya doing?\n\tThanks \u00e9\U0001F600"), 8000);
    QVERIFY2(r.ok(), qPrintable(r.error()));
    QCOMPARE(r.value(), QStringLiteral("How is Priya doing?\n\tThanks \u00e9\U0001F600"));
    QVERIFY(MessageValidator::validate(QString(8000, QLatin1Char('a')), 8000).ok());
}

void TestMessageValidator::refuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QString() << QStringLiteral("empty");
    QTest::newRow("blank") << QStringLiteral(" \n\t ") << QStringLiteral("empty");
    QTest::newRow("8001") << QString(8001, QLatin1Char('a'))
                          << QStringLiteral("too long: 8001 characters, at most 8000");
    QTest::newRow("nul") << QStringLiteral("abc") + QChar(0) + QStringLiteral("def") << QStringLiteral("NUL");
    QTest::newRow("escape") << QStringLiteral("abc\x1b[31m") << QStringLiteral("control character");
    QTest::newRow("lone high surrogate") << QStringLiteral("abc") + QChar(0xD800) << QStringLiteral("invalid Unicode");
    QTest::newRow("lone low surrogate") << QChar(0xDC00) + QStringLiteral("abc") << QStringLiteral("invalid Unicode");
}

void TestMessageValidator::refuses()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    auto r = MessageValidator::validate(text, 8000);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().contains(expected), qPrintable(r.error()));
}

void TestMessageValidator::countsCharactersNotBytes()
{
    QString emoji;
    for (int i = 0; i < 8000; ++i)
        emoji += QStringLiteral("\U0001F600"); // two UTF-16 units each
    QVERIFY(MessageValidator::validate(emoji, 8000).ok());
    QVERIFY(!MessageValidator::validate(emoji + QStringLiteral("\U0001F600"), 8000).ok());
}

void TestMessageValidator::refusesInvalidUtf8_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("0xff") << QByteArray("abc\xff");
    QTest::newRow("overlong slash") << QByteArray("\xc0\xaf");
    QTest::newRow("truncated euro") << QByteArray("price \xe2\x82");
    QTest::newRow("surrogate encoded") << QByteArray("\xed\xa0\x80");
}

void TestMessageValidator::refusesInvalidUtf8()
{
    QFETCH(QByteArray, bytes);
    auto r = MessageValidator::validateUtf8(bytes, 8000);
    QVERIFY(!r.ok());
    QVERIFY2(r.error().contains(QLatin1String("UTF-8")), qPrintable(r.error()));
    QVERIFY(MessageValidator::validateUtf8("caf\xc3\xa9 ok", 8000).ok());
}

void TestMessageValidator::sessionIds_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");
    QTest::newRow("uuid") << QStringLiteral("3f9a1c2e-1234-4abc-8def-0123456789ab") << true;
    QTest::newRow("dot dot") << QStringLiteral("../3f9a1c2e-1234-4abc-8def-0123456789") << false;
    QTest::newRow("traversal inside") << QStringLiteral("3f9a1c2e-1234-4abc-8def-../../etc/pa") << false;
    QTest::newRow("braces") << QStringLiteral("{3f9a1c2e-1234-4abc-8def-0123456789ab}") << false;
    QTest::newRow("upper") << QStringLiteral("3F9A1C2E-1234-4ABC-8DEF-0123456789AB") << false;
    QTest::newRow("glob") << QStringLiteral("*") << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("trailing newline") << QStringLiteral("3f9a1c2e-1234-4abc-8def-0123456789ab\n") << false;
    QTest::newRow("hyphen moved") << QStringLiteral("3f9a1c2e1-234-4abc-8def-0123456789ab") << false;
    QTest::newRow("hyphen for a digit") << QStringLiteral("3f9a1c2e-1234-4abc-8def-0123456789-b") << false;
    QTest::newRow("g is not hex") << QStringLiteral("3f9a1c2e-1234-4abc-8def-0123456789ag") << false;
    QTest::newRow("fullwidth digit") << QString(QStringLiteral("3f9a1c2e-1234-4abc-8def-0123456789a") + QChar(0xFF11))
                                     << false;
}

void TestMessageValidator::sessionIds()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);
    QCOMPARE(MessageValidator::isValidSessionId(id), valid);
    QCOMPARE(MessageValidator::checkSessionId(id).ok(), valid);
}

void TestMessageValidator::neutralise_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("plain") << QStringLiteral("Hello, caf\u00e9 \U0001F600\tend")
                           << QStringLiteral("Hello, caf\u00e9 \U0001F600\tend");
    QTest::newRow("CR LF") << QStringLiteral("a\r\nb") << QStringLiteral("a\nb");
    QTest::newRow("CR") << QStringLiteral("a\rLearnPulse: closed") << QStringLiteral("a\nLearnPulse: closed");
    QTest::newRow("line separator") << QStringLiteral("a\u2028b\u2029c\u0085d") << QStringLiteral("a\nb\nc\nd");
    QTest::newRow("vertical tab, form feed") << QStringLiteral("a\u000bb\u000cc") << QStringLiteral("a\nb\nc");
    QTest::newRow("escape sequence") << QStringLiteral("\u001b[2J\u001b]0;owned\u0007x")
                                     << QStringLiteral("\ufffd[2J\ufffd]0;owned\ufffdx");
    QTest::newRow("C1 and DEL") << QStringLiteral("a\u009bb\u007fc") << QStringLiteral("a\ufffdb\ufffdc");
    QTest::newRow("direction override") << QStringLiteral("report\u202Efdp.exe \u2066x\u2069 \u202Ay\u202C")
                                        << QStringLiteral("report\ufffdfdp.exe \ufffdx\ufffd \ufffdy\ufffd");
    QTest::newRow("invisible") << QStringLiteral("sup\u200Bport\u2060 \uFEFFhi") << QStringLiteral("support hi");
    QTest::newRow("emoji joiner stays") << QStringLiteral("\U0001F469\u200D\U0001F3EB")
                                        << QStringLiteral("\U0001F469\u200D\U0001F3EB");
    QTest::newRow("NUL") << QString(QStringLiteral("a") + QChar(0) + QStringLiteral("b")) << QStringLiteral("a\ufffdb");
}

void TestMessageValidator::neutralise()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);
    QCOMPARE(MessageValidator::neutralise(text), expected);
}

QTEST_GUILESS_MAIN(TestMessageValidator)
#include "tst_messagevalidator.moc"
