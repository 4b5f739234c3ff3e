#include "detector.h"
#include "detectortext.h"
#include "testsupport.h"

#include <QFile>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace LearnPulse;

namespace {

struct Labelled
{
    bool dissatisfied;
    bool explicitRequest;
    QString text;
};

QList<Labelled> readLabelled(const QString &name)
{
    QFile f(Test::testDataPath(name));
    if (!f.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(f.fileName()));
    QList<Labelled> rows;
    for (const QByteArray &raw : f.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList cols = line.split(QLatin1Char('\t'));
        if (cols.size() != 3)
            qFatal("bad line in %s: %s", qPrintable(name), qPrintable(line));
        rows.append({ cols.at(0) == QLatin1String("1"), cols.at(1) == QLatin1String("1"), cols.at(2) });
    }
    return rows;
}

} // namespace

class TestDetector : public QObject
{
    Q_OBJECT

private slots:
    void seedCases_data();
    void seedCases();
    void labelled_data();
    void labelled();
    void precisionAndRecall_data();
    void precisionAndRecall();
    void aVagueAskIsAnOfferNotASignal_data();
    void aVagueAskIsAnOfferNotASignal();
    void offersOnTheHeldOutSet();
    void aWordForAPersonAloneAsksForOne_data();
    void aWordForAPersonAloneAsksForOne();
    void asksInOtherLanguages_data();
    void asksInOtherLanguages();
    void aDashBetweenSpacesEndsAClause();
    void theOfferPathSaysWhetherTheMessageAsksExplicitly_data();
    void theOfferPathSaysWhetherTheMessageAsksExplicitly();
    void normalisesApostrophesAndContractions_data();
    void normalisesApostrophesAndContractions();
    void matchesWholeWordsOnly();
    void remarksAboutOthersAreNotSignals_data();
    void remarksAboutOthersAreNotSignals();
    void reportsRuleNamesOnce();
    void overrideFileReplacesBuiltinRules();
    void withOverrideFallsBackOnlyWhenThereIsNoFile();
    void brokenOverrideFilesAreRefused_data();
    void brokenOverrideFilesAreRefused();
    void tokenisersEqualTheirRegularExpressions();
    void needlesFindWhatContainsFinds();
    void ruleShortcutIsOffForBackreferences();
};

void TestDetector::seedCases_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("dissatisfied");
    QTest::addColumn<bool>("explicitRequest");
    QTest::newRow("doesn't help") << QStringLiteral("This doesn't help") << true << false;
    QTest::newRow("still not clear") << QStringLiteral("Still not clear") << true << false;
    QTest::newRow("talk to support") << QStringLiteral("I need to talk to support") << true << true;
    QTest::newRow("how is Aisha") << QStringLiteral("How is Aisha doing?") << false << false;
    QTest::newRow("debugging skills") << QStringLiteral("What about her debugging skills?") << false << false;
    QTest::newRow("Aisha frustrated") << QStringLiteral("Aisha is frustrated with loops") << false << false;
}

void TestDetector::seedCases()
{
    QFETCH(QString, text);
    QFETCH(bool, dissatisfied);
    QFETCH(bool, explicitRequest);
    const Detection d = Detector::builtin().detect(text);
    QCOMPARE(d.dissatisfied, dissatisfied);
    QCOMPARE(d.explicitRequest, explicitRequest);
    QCOMPARE(d.rules.isEmpty(), !dissatisfied);
}

void TestDetector::labelled_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("dissatisfied");
    QTest::addColumn<bool>("explicitRequest");
    for (const QString &file : { QStringLiteral("dissatisfaction-dev.tsv"), QStringLiteral("dissatisfaction-extra.tsv"),
             QStringLiteral("dissatisfaction-review.tsv") }) {
        for (const Labelled &row : readLabelled(file))
            QTest::addRow("%s: %s", qPrintable(file.section(QLatin1Char('.'), 0, 0)), qPrintable(row.text))
                << row.text << row.dissatisfied << row.explicitRequest;
    }
}

void TestDetector::labelled()
{
    QFETCH(QString, text);
    QFETCH(bool, dissatisfied);
    QFETCH(bool, explicitRequest);
    const Detection d = Detector::builtin().detect(text);
    QCOMPARE(d.dissatisfied, dissatisfied);
    QCOMPARE(d.explicitRequest, explicitRequest);
}

void TestDetector::precisionAndRecall_data()
{
    QTest::addColumn<QString>("file");
    QTest::newRow("dev") << QStringLiteral("dissatisfaction-dev.tsv");
    QTest::newRow("extra") << QStringLiteral("dissatisfaction-extra.tsv");
    QTest::newRow("review") << QStringLiteral("dissatisfaction-review.tsv");
    // Typos, lower case, sarcasm, indirect complaints, long mixed messages: written by a second author
    // who did not see the rules.
    QTest::newRow("hard") << QStringLiteral("dissatisfaction-hard.tsv");
    QTest::newRow("hard2") << QStringLiteral("dissatisfaction-hard2.tsv");
}

void TestDetector::precisionAndRecall()
{
    QFETCH(QString, file);
    int tp = 0, fp = 0, fn = 0, explicitRight = 0;
    const QList<Labelled> rows = readLabelled(file);
    for (const Labelled &row : rows) {
        const Detection d = Detector::builtin().detect(row.text);
        tp += d.dissatisfied && row.dissatisfied;
        fp += d.dissatisfied && !row.dissatisfied;
        fn += !d.dissatisfied && row.dissatisfied;
        explicitRight += d.explicitRequest == row.explicitRequest;
        if (d.dissatisfied != row.dissatisfied)
            qInfo("  %s: %s", d.dissatisfied ? "false alarm" : "missed", qPrintable(row.text));
        else if (d.explicitRequest != row.explicitRequest)
            qInfo("  explicit %s: %s", d.explicitRequest ? "wrongly" : "missed", qPrintable(row.text));
    }
    const double precision = tp + fp == 0 ? 0.0 : double(tp) / (tp + fp);
    const double recall = tp + fn == 0 ? 0.0 : double(tp) / (tp + fn);
    qInfo("%s: %lld messages, precision %.3f, recall %.3f, explicit requests right %d/%lld", qPrintable(file),
        qint64(rows.size()), precision, recall, explicitRight, qint64(rows.size()));
    QVERIFY2(precision >= 0.95, qPrintable(QString::number(precision)));
    QVERIFY2(recall >= 0.90, qPrintable(QString::number(recall)));
}

void TestDetector::aVagueAskIsAnOfferNotASignal_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("vague");
    QTest::addColumn<bool>("explicitRequest");
    // Vague asks for a person: the application offers a ticket once.
    QTest::newRow("someone to email") << QStringLiteral("Is there someone I can email about this?") << true << false;
    QTest::newRow("who to talk to") << QStringLiteral("who should I talk to about this?") << true << false;
    QTest::newRow("contact anyone") << QStringLiteral("can I contact anyone about this?") << true << false;
    QTest::newRow("more help") << QStringLiteral("Where can I get more help with this?") << true << false;
    QTest::newRow("support address") << QStringLiteral("is there a support address I could write to?") << true << false;
    QTest::newRow("phone number") << QStringLiteral("Is there a phone number for support?") << true << false;
    QTest::newRow("a bug") << QStringLiteral("Who do I contact about a gradebook bug?") << true << false;
    QTest::newRow("someone look") << QStringLiteral("Could someone look at this?") << true << false;
    QTest::newRow("getting it fixed") << QStringLiteral("who do I talk to about getting this fixed") << true << false;
    // Clear asks escalate at once (and are no offer).
    QTest::newRow("talk to a person") << QStringLiteral("I want to talk to a person") << false << true;
    QTest::newRow("reach support") << QStringLiteral("how do I reach support? I need a human") << false << true;
    // Not about support at all.
    QTest::newRow("a student's absence") << QStringLiteral("Who should I contact about Aisha's absence?") << false
                                         << false;
    QTest::newRow("permission slips") << QStringLiteral("who should I talk to about the field trip permission slips")
                                      << false << false;
    QTest::newRow("help articles") << QStringLiteral("where can I find help articles") << false << false;
    QTest::newRow("district office") << QStringLiteral("can I email someone at the district office about this") << false
                                     << false;
    QTest::newRow("email template") << QStringLiteral("is there an email template for parents") << false << false;
}

void TestDetector::aVagueAskIsAnOfferNotASignal()
{
    QFETCH(QString, text);
    QFETCH(bool, vague);
    QFETCH(bool, explicitRequest);
    const Detection d = Detector::builtin().detect(text);
    QCOMPARE(d.vagueRequest, vague);
    QCOMPARE(d.explicitRequest, explicitRequest);
    if (vague) {
        QVERIFY(!d.dissatisfied); // an offer, not a signal
        QVERIFY(!d.vaguePhrase.isEmpty());
    }
}

void TestDetector::aWordForAPersonAloneAsksForOne_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("asks");
    // What people type at any chatbot to reach a person: an explicit ask, in both paths (detectOffer is all the
    // classifier runs when its model reads a message as none of its business).
    for (const char *ask : { "agent", "Agent!", "ugh. agent.", "Human please.", "representative \U0001F4DE",
             "operator pls", "live agent", "real person please", "Support.", "supervisor now", "hi, customer support",
             "agent agent agent", "Live Agent", "Hello Operator" })
        QTest::newRow(ask) << QString::fromUtf8(ask) << true;
    // A slip of one letter in a word of five or more letters.
    for (const char *slip : { "representitive", "reprsentative", "operater", "humna", "agnet please" })
        QTest::newRow(slip) << QString::fromUtf8(slip) << true;
    // The same words in a message about something else, or too far from them.
    for (const char *other : { "The secret agent", "Human body", "Operation?", "reps", "sport", "urgent",
             "agenda please", "operators and operands", "Ask the student council representative about it",
             "representation", "Supervised please.", "agents", "humane", "please", "thanks", "hi!" })
        QTest::newRow(other) << QString::fromUtf8(other) << false;
    QTest::newRow("(empty)") << QString() << false;
}

void TestDetector::aWordForAPersonAloneAsksForOne()
{
    QFETCH(QString, text);
    QFETCH(bool, asks);
    for (const Detection &d : { Detector::builtin().detect(text), Detector::builtin().detectOffer(text) }) {
        QCOMPARE(d.rules.contains(QStringLiteral("escape_word")), asks);
        if (asks)
            QVERIFY(d.dissatisfied && d.explicitRequest);
    }
    // Said to the teacher in words, as any ask for a person.
    if (asks)
        QVERIFY(Detection::rulesInWords(Detector::builtin().detect(text).rules)
                    .contains(QLatin1String("asked for a person")));
}

void TestDetector::asksInOtherLanguages_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("asks");
    // Teachers who do not work in English ask in their own language (German nouns are capitalised, and are no names).
    for (const char *ask : { "Quiero hablar con una persona.", "Ik heb een mens nodig, geen computer.",
             "Ich möchte mit einem Mitarbeiter sprechen", "Je voudrais parler à quelqu'un du support, merci",
             "Vorrei parlare con un operatore", "Quero falar com um atendente", "Operatore!", "Mensch bitte",
             "Chcę porozmawiać z konsultantem" })
        QTest::newRow(ask) << QString::fromUtf8(ask) << true;
    for (const char *other : { "Wir sprechen morgen über Menschenrechte", "Passez une bonne journée",
             "Mis alumnos hablan con sus padres", "Ik heb een nieuwe computer nodig", "operatori e operandi" })
        QTest::newRow(other) << QString::fromUtf8(other) << false;
}

void TestDetector::asksInOtherLanguages()
{
    QFETCH(QString, text);
    QFETCH(bool, asks);
    const Detection d = Detector::builtin().detect(text);
    QCOMPARE(d.explicitRequest, asks);
    QCOMPARE(Detector::builtin().asksExplicitly(text), asks);
    if (asks)
        QVERIFY(Detection::rulesInWords(d.rules).contains(QLatin1String("asked for a person")));
}

void TestDetector::aDashBetweenSpacesEndsAClause()
{
    // "for my whole class" names somebody else in the same clause; after a dash it is another clause.
    const Detection d = Detector::builtin().detect(
        QStringLiteral("submit a support request for me - parent portal is locked for my whole class"));
    QVERIFY(d.explicitRequest);
    QCOMPARE(d.rules, QStringList { QStringLiteral("open_ticket") });
    // A hyphen inside a word is no break.
    QCOMPARE(Detector::builtin().normalise(QStringLiteral("a well-known e-mail - sent")),
        QStringLiteral("a well known e mail | sent"));
}

void TestDetector::theOfferPathSaysWhetherTheMessageAsksExplicitly_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("asks"); // asks in words
    QTest::addColumn<bool>("counts"); // detect() counts it as an explicit ask
    QTest::newRow("a ticket") << QStringLiteral("Busy day. Please open a support ticket for me.") << true << true;
    QTest::newRow("a person") << QStringLiteral("I want to talk to a real person about this.") << true << true;
    QTest::newRow("a word for a person") << QStringLiteral("agent") << true << true;
    // A rule marked "mention" counts in a message, but naming the support team is no ask in words.
    QTest::newRow("a mention") << QStringLiteral("Our IT support team has a ticket open with the provider.") << false
                               << true;
    QTest::newRow("vague") << QStringLiteral("Is there someone I could email about this?") << false << false;
    QTest::newRow("somebody else's") << QStringLiteral("My TA wants to speak to a person at the district office.")
                                     << false << false;
    QTest::newRow("a complaint, no ask") << QStringLiteral("That answer is useless.") << false << false;
    QTest::newRow("(empty)") << QString() << false << false;
}

void TestDetector::theOfferPathSaysWhetherTheMessageAsksExplicitly()
{
    // The fast path (detectOffer) also tells whether the message asks in words, from the same normalised text, as
    // asksExplicitly() does; the offer it finds is unchanged.
    QFETCH(QString, text);
    QFETCH(bool, asks);
    QFETCH(bool, counts);
    bool found = !asks;
    const Detection withAsks = Detector::builtin().detectOffer(text, &found);
    QCOMPARE(found, asks);
    QCOMPARE(Detector::builtin().asksExplicitly(text), asks);
    QCOMPARE(Detector::builtin().detect(text).explicitRequest, counts);
    const Detection plain = Detector::builtin().detectOffer(text);
    QCOMPARE(withAsks.vagueRequest, plain.vagueRequest);
    QCOMPARE(withAsks.rules, plain.rules);
}

void TestDetector::offersOnTheHeldOutSet()
{
    // Written by a second author who did not see the rules: vague asks (1) and near misses (0), among them clear
    // requests, which escalate at once instead.
    QFile f(Test::testDataPath(QStringLiteral("offer-holdout.tsv")));
    QVERIFY(f.open(QIODevice::ReadOnly));
    int tp = 0, fp = 0, fn = 0, rows = 0, atOnce = 0;
    for (const QByteArray &raw : f.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const qsizetype tab = line.indexOf(QLatin1Char('\t'));
        QVERIFY2(tab == 1, qPrintable(line));
        const bool vague = line.at(0) == QLatin1Char('1');
        const QString text = line.mid(tab + 1);
        const Detection d = Detector::builtin().detect(text);
        ++rows;
        tp += d.vagueRequest && vague;
        fp += d.vagueRequest && !vague;
        fn += !d.vagueRequest && vague;
        // Read as a clear request, a vague ask gets its ticket at once instead of the offer: counted apart.
        atOnce += !d.vagueRequest && vague && d.explicitRequest;
        if (d.vagueRequest != vague)
            qInfo("  %s: %s",
                d.vagueRequest          ? "offered wrongly"
                    : d.explicitRequest ? "escalates at once"
                                        : "missed",
                qPrintable(text));
    }
    const double precision = tp + fp == 0 ? 0.0 : double(tp) / (tp + fp);
    const double recall = tp + fn == 0 ? 0.0 : double(tp) / (tp + fn);
    // A vague ask reaches a person either way when it is offered or escalates at once.
    const double reached = tp + fn == 0 ? 0.0 : double(tp + atOnce) / (tp + fn);
    qInfo("offer-holdout.tsv: %d messages, offer precision %.3f, recall %.3f; offered or escalated at once %.3f", rows,
        precision, recall, reached);
    QVERIFY(rows >= 60);
    QVERIFY2(precision >= 0.95, qPrintable(QString::number(precision)));
    QVERIFY2(recall >= 0.75, qPrintable(QString::number(recall)));
    QVERIFY2(reached >= 0.95, qPrintable(QString::number(reached)));
}

void TestDetector::normalisesApostrophesAndContractions_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("straight") << QStringLiteral("That doesn't help");
    QTest::newRow("curly") << QStringLiteral("That doesn\u2019t help");
    QTest::newRow("missing") << QStringLiteral("That doesnt help");
    QTest::newRow("spelled out") << QStringLiteral("That does not help");
    QTest::newRow("upper case") << QStringLiteral("THAT DOESN'T HELP");
    QTest::newRow("backtick") << QStringLiteral("That doesn`t help");
}

void TestDetector::normalisesApostrophesAndContractions()
{
    QFETCH(QString, text);
    QCOMPARE(Detector::builtin().normalise(text), QStringLiteral("that does not help"));
    const Detection d = Detector::builtin().detect(text);
    QVERIFY(d.dissatisfied);
    QCOMPARE(d.rules, QStringList { QStringLiteral("does_not_help") });
}

void TestDetector::matchesWholeWordsOnly()
{
    const Detector &d = Detector::builtin();
    QVERIFY(d.detect(QStringLiteral("That is wrong")).dissatisfied);
    QVERIFY(!d.detect(QStringLiteral("Tell me about Wrongham Academy's results")).dissatisfied);
    QVERIFY(!d.detect(QStringLiteral("Summarise the errands list")).dissatisfied);
    QVERIFY(!d.detect(QStringLiteral("We use a humane grading policy")).dissatisfied);
    QVERIFY(!d.detect(QStringLiteral("List the unhelpfulness scores")).rules.contains(QStringLiteral("useless")));
}

void TestDetector::remarksAboutOthersAreNotSignals_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("dissatisfied");
    QTest::newRow("student frustrated") << QStringLiteral("Aisha is frustrated with loops") << false;
    QTest::newRow("teacher frustrated") << QStringLiteral("I'm frustrated with this answer") << true;
    QTest::newRow("student possessive") << QStringLiteral("Why is Ava's answer wrong?") << false;
    QTest::newRow("assistant answer") << QStringLiteral("Why is your answer wrong?") << true;
    QTest::newRow("quoted") << QStringLiteral("Count the students who wrote \u201Cuseless\u201D") << false;
    QTest::newRow("object") << QStringLiteral("The printer is broken again") << false;
    QTest::newRow("assistant broken") << QStringLiteral("This is broken again") << true;
    QTest::newRow("negated") << QStringLiteral("That's not wrong, it's fine") << false;
}

void TestDetector::remarksAboutOthersAreNotSignals()
{
    QFETCH(QString, text);
    QFETCH(bool, dissatisfied);
    QCOMPARE(Detector::builtin().detect(text).dissatisfied, dissatisfied);
}

void TestDetector::reportsRuleNamesOnce()
{
    const Detection d = Detector::builtin().detect(QStringLiteral("Wrong, wrong, wrong. Useless and confusing."));
    QCOMPARE(d.rules, (QStringList { QStringLiteral("wrong"), QStringLiteral("unclear"), QStringLiteral("useless") }));
    QVERIFY(!d.explicitRequest);
}

void TestDetector::overrideFileReplacesBuiltinRules()
{
    QTemporaryDir dir;
    QFile builtin(QStringLiteral(":/rules/detector-rules.json"));
    QVERIFY(builtin.open(QIODevice::ReadOnly));
    QByteArray json = builtin.readAll();
    // An admin adds a school-specific phrase to the complaint rules.
    json.replace("\"complaint_rules\": [",
        "\"complaint_rules\": [\n    {\"name\": \"school_slang\", \"pattern\": \"\\\\bmeh\\\\b\"},");
    const QString path = dir.filePath(QStringLiteral("detector-rules.json"));
    QFile out(path);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(json);
    out.close();

    auto loaded = Detector::fromFile(path);
    QVERIFY2(loaded.detector, qPrintable(loaded.error));
    QVERIFY(!Detector::builtin().detect(QStringLiteral("Meh.")).dissatisfied);
    const Detection d = loaded.detector->detect(QStringLiteral("Meh."));
    QVERIFY(d.dissatisfied);
    QCOMPARE(d.rules, QStringList { QStringLiteral("school_slang") });
}

void TestDetector::withOverrideFallsBackOnlyWhenThereIsNoFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("detector-rules.json"));
    auto builtin = Detector::withOverride(path);
    QVERIFY(builtin.detector);
    QCOMPARE(builtin.detector.get(), &Detector::builtin());
    QFile broken(path);
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{ nope");
    broken.close();
    auto refused = Detector::withOverride(path);
    QVERIFY(!refused.detector);
    QVERIFY(refused.error.contains(QLatin1String("not valid JSON")));
}

void TestDetector::brokenOverrideFilesAreRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not json") << QByteArray("{ nope") << QStringLiteral("not valid JSON");
    QTest::newRow("array") << QByteArray("[]") << QStringLiteral("JSON object");
    QTest::newRow("no rules") << QByteArray("{}") << QStringLiteral("explicit_rules");
    QTest::newRow("bad regex") << QByteArray(R"({"explicit_rules": [{"name": "x", "pattern": "(unclosed"}]})")
                               << QStringLiteral("rule \"x\" is not a valid regular expression");
    QTest::newRow("nameless") << QByteArray(R"({"explicit_rules": [{"pattern": "a"}]})") << QStringLiteral("no name");
}

void TestDetector::brokenOverrideFilesAreRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    auto loaded = Detector::fromJson(json, QStringLiteral("admin.json"));
    QVERIFY(!loaded.detector);
    QVERIFY2(loaded.error.contains(expected), qPrintable(loaded.error));
    QVERIFY(loaded.error.contains(QLatin1String("admin.json")));
}

QTEST_GUILESS_MAIN(TestDetector)
namespace {

QList<DetectorText::Span> spansOf(const QRegularExpression &re, const QString &text, bool withPunctuationGroup)
{
    QList<DetectorText::Span> out;
    auto it = re.globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        out.append({ m.capturedStart(), m.capturedLength(), withPunctuationGroup && m.hasCaptured(2) });
    }
    return out;
}

} // namespace

void TestDetector::tokenisersEqualTheirRegularExpressions()
{
    // The hand-written tokenisers replace these expressions (the detector's former implementation):
    // same spans on every input, checked on random text from an alphabet of the cases that matter.
    const auto options = QRegularExpression::UseUnicodePropertiesOption;
    const QRegularExpression words(QStringLiteral("[\\p{L}][\\p{L}\\p{M}'\u2019\u2018\\-]*"), options);
    const QRegularExpression tokens(
        QStringLiteral(
            "([\\p{L}\\p{N}]+(?:'[\\p{L}]+)*)|([.!?;:,()\\[\\]{}\\n\\r\\t\u2026\u2014\u2013]+|(?<=\\s)-(?=\\s|\\z))"),
        options);
    QStringList alphabet { QStringLiteral("a"), QStringLiteral("Z"), QStringLiteral("é"), QStringLiteral("ß"),
        QStringLiteral("数"), QStringLiteral("7"), QStringLiteral("\u0663"), QStringLiteral("\u00BD"),
        QStringLiteral("\u0301"), QStringLiteral("'"), QStringLiteral("\u2019"), QStringLiteral("\u2018"),
        QStringLiteral("\u02BC"), QStringLiteral("-"), QStringLiteral(" "), QStringLiteral("."), QStringLiteral("?"),
        QStringLiteral(","), QStringLiteral("\n"), QStringLiteral("\t"), QStringLiteral("\u2026"),
        QStringLiteral("\u2014"), QStringLiteral("\u2013"), QStringLiteral("("), QStringLiteral("]"),
        QStringLiteral("\""), QStringLiteral("_"), QStringLiteral("\u00A0"), QString::fromUcs4(U"\U0001D400"),
        QString::fromUcs4(U"\U0001F600"), QString::fromUcs4(U"\U0001D7CE") };
    QList<QString> samples { QString(), QStringLiteral("That doesn't help"),
        QStringLiteral("rock'n'roll it's2 abc' x'1"),
        QStringLiteral("Omar's well-being... Ava\u2019s \u201Cnot helpful\u201D") };
    QRandomGenerator random(20261124);
    for (int n = 0; n < 3000; ++n) {
        QString text;
        const int length = int(random.bounded(1, 24));
        for (int i = 0; i < length; ++i)
            text += alphabet.at(random.bounded(int(alphabet.size())));
        samples << text;
    }
    for (const QString &text : std::as_const(samples)) {
        QCOMPARE(DetectorText::words(text), spansOf(words, text, false));
        QCOMPARE(DetectorText::normalisedTokens(text), spansOf(tokens, text, true));
    }
}

void TestDetector::needlesFindWhatContainsFinds()
{
    // The message rules' "requires" strings are found in one pass: the same groups as QString::contains, string by
    // string, on random text from a small alphabet (so that strings overlap, share prefixes and suffixes).
    QRandomGenerator random(20261204);
    const QString alphabet = QStringLiteral("ab c|é");
    auto randomText = [&](int most) {
        QString s;
        const int length = int(random.bounded(0, most + 1));
        for (int i = 0; i < length; ++i)
            s += alphabet.at(random.bounded(int(alphabet.size())));
        return s;
    };
    for (int round = 0; round < 200; ++round) {
        DetectorText::Needles needles;
        QList<QPair<QString, int>> strings;
        const int count = int(random.bounded(1, 12));
        for (int i = 0; i < count; ++i) {
            QString s = randomText(4);
            if (s.isEmpty())
                s = QStringLiteral("a");
            const int group = int(random.bounded(0, 64));
            strings.append({ s, group });
            needles.add(s, group);
        }
        needles.build();
        for (int n = 0; n < 50; ++n) {
            const QString text = randomText(20);
            quint64 expected = 0;
            for (const auto &[s, group] : std::as_const(strings))
                if (text.contains(s))
                    expected |= quint64(1) << group;
            QCOMPARE(needles.groupsIn(text), expected);
        }
    }
}

void TestDetector::ruleShortcutIsOffForBackreferences()
{
    // Rules are first tried together in one alternation; a rule with a backreference would mean something
    // else there, so such a rule set checks every rule on its own, and still works.
    QFile builtin(QStringLiteral(":/rules/detector-rules.json"));
    QVERIFY(builtin.open(QIODevice::ReadOnly));
    QByteArray json = builtin.readAll();
    const QByteArray complaints = "\"complaint_rules\": [";
    QVERIFY(json.contains(complaints));
    json.replace(complaints, QByteArray(complaints + R"({"name": "said_twice", "pattern": "\\b(\\w+) \\1\\b"}, )"));
    const auto loaded = Detector::fromJson(json, QStringLiteral("test"));
    QVERIFY2(loaded.detector, qPrintable(loaded.error));
    QCOMPARE(
        loaded.detector->detect(QStringLiteral("hello hello")).rules, QStringList { QStringLiteral("said_twice") });
    QVERIFY(!loaded.detector->detect(QStringLiteral("How is Aisha doing?")).dissatisfied);
    QCOMPARE(loaded.detector->detect(QStringLiteral("This doesn't help")).rules,
        Detector::builtin().detect(QStringLiteral("This doesn't help")).rules);
}

#include "tst_detector.moc"
