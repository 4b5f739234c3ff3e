// The trained models beside the rules (issue 25): the shipped models are the ones scripts/train-models.sh
// makes from the data in the repository, the detector with its model on the labelled sets, and a missing or
// damaged model file that leaves the rules alone (said once, never fatal).
#include "config.h"
#include "hallucinationguard.h"
#include "messageclassifier.h"
#include "modeltradeoffs.h"
#include "services.h"
#include "testsupport.h"
#include "textmodel.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace LearnPulse;
using namespace LearnPulse::Test;

namespace {

const QString sourceDir = QStringLiteral(LP_TEST_DATA_DIR "/../..");

// The shared development set and the sets written here by earlier sessions (none of them trains the model).
const char *const developmentSets[] = { "dissatisfaction-dev", "dissatisfaction-extra", "dissatisfaction-hard",
    "dissatisfaction-hard2", "dissatisfaction-review" };

// The kinds of claim the guard finds in `text` with `model`.
QStringList claimKinds(const QString &text, const GuardModel &model)
{
    QStringList kinds;
    HallucinationGuard::check(text, {}, &kinds, model);
    return kinds;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QJsonObject metadata(const QString &name)
{
    return QJsonDocument::fromJson(readFile(sourceDir + QStringLiteral("/resources/model/%1.json").arg(name))).object();
}

struct Labelled
{
    bool positive;
    bool explicitAsk;
    QString text;
};

QList<Labelled> messages(const QString &path)
{
    QList<Labelled> out;
    for (const QByteArray &raw : readFile(path).split('\n')) {
        const QStringList f = QString::fromUtf8(raw).split(QLatin1Char('\t'));
        if (f.size() == 3 && (f.at(0) == QLatin1String("0") || f.at(0) == QLatin1String("1")))
            out.append({ f.at(0) == QLatin1String("1"), f.at(1) == QLatin1String("1"), f.at(2) });
    }
    return out;
}

// A policy whose gate every message passes and under which the model alone counts for nothing: the model's "none"
// would overrule every rule's match, but for what the classifier reads apart (tests of those exceptions).
ModelPolicy everyMessagePassesTheGate()
{
    ModelPolicy policy;
    policy.gate = 0.0;
    policy.threshold = 1.01;
    policy.personThreshold = 1.01;
    return policy;
}

} // namespace

class TestModel : public QObject
{
    Q_OBJECT

private slots:
    void normalisesAsTrainingDoes();
    void metadataNamesTheDataInTheRepository_data();
    void metadataNamesTheDataInTheRepository();
    void shippedModelsAreWhatTheScriptMakes();
    void detectorWithItsModelOnTheLabelledSets_data();
    void detectorWithItsModelOnTheLabelledSets();
    void theModelsPartIsExplainedInWords();
    void theChatbotEscapeWordsAskForAPerson();
    void aCorrectionMarksTheTurnBelowTheThreshold();
    void theModelOverrulesRulesOnlyInLongerMessages();
    void anExplicitAskIsReadInItsOwnSentence_data();
    void anExplicitAskIsReadInItsOwnSentence();
    void anAskInWordsTheModelNeverLearntStands();
    void anAskThatOpensASentenceGovernsIt_data();
    void anAskThatOpensASentenceGovernsIt();
    void aMissingOrDamagedModelLeavesTheRules();
    void learnpulsectlSaysSoOnceAndGoesOn();
    void evaluateListsWhatItGotWrong();
    void tradeoffsAreReadWithCare();
    void theGuardModelIsOnByDefaultAtAHighThreshold();
    void theGuardModelsReadingMustBeAnAssertion();
    void theGuardModelReadsEverySentence();
    void preparingTheGuardTrainsOnTheAssistantsOwnWords();
    void preparingMessagesTakesTheConversationsTurns();
    void aCertainReadingIsAProbabilityNotMoreThanOne();
};

void TestModel::normalisesAsTrainingDoes()
{
    QCOMPARE(TextModel::normalise(QStringLiteral("Nope!! It\u2019s 12 not 7B")), std::string("nope ! ! it's 0 not 0b"));
    QCOMPARE(TextModel::normalise(QStringLiteral("  ok\u00A0\u00A0thanks\u200D ")), std::string("ok thanks"));
    QCOMPARE(TextModel::normalise(QStringLiteral("\uFF28\uFF55\uFF4D\uFF41\uFF4E")), std::string("human")); // NFKC
    QCOMPARE(TextModel::normalise(QString()), std::string());
}

void TestModel::metadataNamesTheDataInTheRepository_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QStringList>("kinds"); // folders of resources/model/data, in name order
    QTest::newRow("detector") << QStringLiteral("detector")
                              << QStringList { QStringLiteral("conversations"), QStringLiteral("messages") };
    QTest::newRow("guard") << QStringLiteral("guard") << QStringList { QStringLiteral("guard") };
}

void TestModel::metadataNamesTheDataInTheRepository()
{
    // The data's hash as the training script takes it (sha256sum of each batch, in name order, hashed again):
    // a batch changed without training again fails here at once.
    QFETCH(QString, name);
    QFETCH(QStringList, kinds);
    QByteArray listing;
    for (const QString &kind : std::as_const(kinds)) {
        const QDir data(sourceDir + QStringLiteral("/resources/model/data/") + kind);
        for (const QString &file :
            data.entryList({ QStringLiteral("*.tsv"), QStringLiteral("*.jsonl") }, QDir::Files, QDir::Name))
            listing += QCryptographicHash::hash(readFile(data.filePath(file)), QCryptographicHash::Sha256).toHex()
                + "  " + kind.toUtf8() + '/' + file.toUtf8() + '\n';
    }
    const QJsonObject meta = metadata(name);
    QCOMPARE(meta.value(QLatin1String("data_sha256")).toString(),
        QString::fromLatin1(QCryptographicHash::hash(listing, QCryptographicHash::Sha256).toHex()));
    const QByteArray model = readFile(sourceDir + QStringLiteral("/resources/model/%1.ftz").arg(name));
    QVERIFY2(model.size() > 0 && model.size() < 5 * 1024 * 1024, qPrintable(QString::number(model.size())));
    QCOMPARE(meta.value(QLatin1String("sha256")).toString(),
        QString::fromLatin1(QCryptographicHash::hash(model, QCryptographicHash::Sha256).toHex()));
}

void TestModel::shippedModelsAreWhatTheScriptMakes()
{
    // Slow (both models trained again, about a minute and a half): run by CTest as tst_model_reproducible.
    if (qEnvironmentVariableIsEmpty("LP_MODEL_REPRODUCE"))
        QSKIP("trains both models again: set LP_MODEL_REPRODUCE=1 (CTest: tst_model_reproducible)");
    QTemporaryDir out;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("LEARNPULSE_CTL"), QStringLiteral(LP_CTL_EXECUTABLE));
    const ProcessResult r
        = runProcess(sourceDir + QStringLiteral("/scripts/train-models.sh"), { out.path() }, {}, env, 600000);
    QVERIFY2(r.exitCode == 0, r.err.constData());
    for (const char *file : { "detector.ftz", "detector.json", "guard.ftz", "guard.json" }) {
        const QByteArray made = readFile(out.filePath(QLatin1String(file)));
        QVERIFY2(!made.isEmpty(), file);
        QVERIFY2(made == readFile(sourceDir + QStringLiteral("/resources/model/") + QLatin1String(file)), file);
    }
}

void TestModel::detectorWithItsModelOnTheLabelledSets_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<double>("precision");
    QTest::addColumn<double>("recall");
    for (const char *name : developmentSets)
        QTest::newRow(name) << QStringLiteral(LP_TEST_DATA_DIR "/%1.tsv").arg(QLatin1String(name)) << 0.85 << 0.90;
}

void TestModel::detectorWithItsModelOnTheLabelledSets()
{
    QFETCH(QString, file);
    QFETCH(double, precision);
    QFETCH(double, recall);
    const Services::Classifier loaded = Services::loadClassifier(Config());
    QVERIFY2(loaded.warning.isEmpty(), qPrintable(loaded.warning));
    QVERIFY(loaded.classifier->model());
    int tp = 0, fp = 0, fn = 0, asks = 0, asksCaught = 0;
    const QList<Labelled> rows = messages(file);
    QVERIFY(rows.size() >= 40);
    for (const Labelled &row : rows) {
        const Detection d = loaded.classifier->classify(row.text, false);
        const bool predicted = d.dissatisfied || d.vagueRequest;
        tp += predicted && row.positive;
        fp += predicted && !row.positive;
        fn += !predicted && row.positive;
        asks += row.explicitAsk;
        asksCaught += row.explicitAsk && predicted;
        if (predicted != row.positive)
            qInfo("  %s: %s", predicted ? "false alarm" : "missed", qPrintable(row.text));
    }
    const double p = double(tp) / qMax(1, tp + fp);
    const double r = double(tp) / qMax(1, tp + fn);
    qInfo("%s: precision %.3f, recall %.3f, explicit asks caught %d/%d", qPrintable(QFileInfo(file).fileName()), p, r,
        asksCaught, asks);
    QVERIFY2(p >= precision, qPrintable(QString::number(p)));
    QVERIFY2(r >= recall, qPrintable(QString::number(r)));
    QCOMPARE(asksCaught, asks);
}

void TestModel::theModelsPartIsExplainedInWords()
{
    // The first training message that the model counts and no rule does: named as the model's, with the words
    // that weighed most, and said to the teacher about the message (not as something she did).
    const Services::Classifier loaded = Services::loadClassifier(Config());
    const MessageClassifier &c = *loaded.classifier;
    QString found;
    Detection d;
    const QDir data(sourceDir + QStringLiteral("/resources/model/data/messages"));
    for (const QString &file : data.entryList({ QStringLiteral("*.tsv") }, QDir::Files, QDir::Name)) {
        for (const QByteArray &raw : readFile(data.filePath(file)).split('\n')) {
            const QStringList f = QString::fromUtf8(raw).split(QLatin1Char('\t'));
            if (f.size() != 2 || f.at(0) != QLatin1String("unhappy"))
                continue;
            d = c.classify(f.at(1));
            if (d.dissatisfied && d.rules.size() == 1 && MessageClassifier::isModelRule(d.rules.constFirst())) {
                found = f.at(1);
                break;
            }
        }
        if (!found.isEmpty())
            break;
    }
    QVERIFY(!found.isEmpty());
    QVERIFY2(!d.phrases.constFirst().isEmpty(), qPrintable(found));
    for (const QString &word : d.phrases.constFirst().split(QStringLiteral(", ")))
        QVERIFY2(QString::fromStdString(TextModel::normalise(found)).contains(word), qPrintable(word));
    QVERIFY(d.modelScore >= c.policy().threshold);
    const QString words = Detection::rulesInWords(d.rules, QStringLiteral("you "));
    QVERIFY2(words.startsWith(QLatin1String("your message as a whole read as")), qPrintable(words));
    QVERIFY2(Detection::rulesInWords(d.rules).startsWith(QLatin1String("the message as a whole read as")),
        qPrintable(Detection::rulesInWords(d.rules)));
}

void TestModel::theChatbotEscapeWordsAskForAPerson()
{
    // What people type at any chatbot to reach a person (issue 25 names them as missed): a ticket at once, though no
    // rule was written for a bare word. Lesson content with the same words is not an ask.
    const Services::Classifier loaded = Services::loadClassifier(Config());
    QVERIFY(loaded.classifier->model());
    for (const QString &ask : { QStringLiteral("Human please."), QStringLiteral("live agent"),
             QStringLiteral("representative"), QStringLiteral("agent"), QStringLiteral("Operator!") }) {
        const Detection d = loaded.classifier->classify(ask, false);
        QVERIFY2(d.dissatisfied && d.explicitRequest,
            qPrintable(ask + QLatin1String(": ") + d.rules.join(QLatin1Char(','))));
    }
    // Asked as a question: the offer of a ticket (the teacher chooses).
    const Detection asked = loaded.classifier->classify(QStringLiteral("is there anyone real I can talk to"), false);
    QVERIFY(asked.vagueRequest && !asked.dissatisfied);
    for (const QString &lesson : { QStringLiteral("Write a short story where the main character is a secret agent."),
             QStringLiteral("Quiz on the House of Representatives for Period 3, ten questions.") }) {
        const Detection d = loaded.classifier->classify(lesson, false);
        QVERIFY2(!d.dissatisfied && !d.vagueRequest,
            qPrintable(lesson + QLatin1String(": ") + d.rules.join(QLatin1Char(','))));
    }
}

void TestModel::aCorrectionMarksTheTurnBelowTheThreshold()
{
    // The model's "correction" reading marks the turn (toward the offer of a ticket) from a lower bar than a signal
    // needs: a message of the development sets it reads so, between the two bars, is marked and is no signal.
    const Services::Classifier loaded = Services::loadClassifier(Config());
    const MessageClassifier &c = *loaded.classifier;
    QVERIFY(c.policy().correctionThreshold < c.policy().threshold);
    QString found;
    Detection d;
    for (const char *name : developmentSets) {
        for (const Labelled &row : messages(QStringLiteral(LP_TEST_DATA_DIR "/%1.tsv").arg(QLatin1String(name)))) {
            d = c.classify(row.text, false);
            if (d.modelLabel == QLatin1String("correction") && d.modelScore >= c.policy().correctionThreshold
                && d.modelScore < c.policy().threshold && d.rules.isEmpty()) {
                found = row.text;
                break;
            }
        }
        if (!found.isEmpty())
            break;
    }
    QVERIFY(!found.isEmpty());
    QVERIFY2(d.correction && !d.dissatisfied, qPrintable(found));
    // The same reading under a policy whose lower bar is the threshold: not marked.
    ModelPolicy strict = c.policy();
    strict.correctionThreshold = strict.threshold;
    const MessageClassifier strictClassifier(nullptr, Services::builtinDetectorModel().value(), strict);
    QVERIFY(!strictClassifier.classify(found, false).correction);
}

void TestModel::theModelOverrulesRulesOnlyInLongerMessages()
{
    // A policy under which the model reads every message as none of its business (gate 0) and never counts on its
    // own: a rule's match is overruled in a message of seven words or more, kept in a shorter one, and a message
    // that is only a word for a person is never overruled.
    ModelPolicy overruling;
    overruling.gate = 0.0;
    overruling.threshold = 1.01;
    const MessageClassifier c(nullptr, Services::builtinDetectorModel().value(), overruling);
    const Detection shortOne = c.classify(QStringLiteral("Terrible answer."), false);
    QVERIFY2(shortOne.dissatisfied && !shortOne.rules.isEmpty(), qPrintable(shortOne.overruled.join(QLatin1Char(','))));
    const QString longer = QStringLiteral("Honestly this answer is totally useless for my class today.");
    QVERIFY(Detector::builtin().detect(longer).dissatisfied); // the rules alone count it
    const Detection longOne = c.classify(longer, false, true); // every rule run, to see what was overruled
    QVERIFY(!longOne.dissatisfied && longOne.rules.isEmpty());
    QVERIFY(!longOne.overruled.isEmpty());
    const Detection escape = c.classify(QStringLiteral("hi hello ok just a live agent please"), false);
    QVERIFY(escape.dissatisfied && escape.explicitRequest);
    QCOMPARE(escape.rules, QStringList { QStringLiteral("escape_word") });
}

void TestModel::anExplicitAskIsReadInItsOwnSentence_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("rulesAsk"); // asks in words (Detector::asksExplicitly)
    QTest::addColumn<bool>("asks"); // ... and it counts
    // One sentence asks for a ticket in a message mostly about lesson work, which the model reads, as a whole, with
    // confidence as none of its business: the model reads that sentence alone, and the ask opens a ticket.
    const QString errands = QStringLiteral(
        "Long week. What was the average on the fractions quiz for my class? I also need a letter home about the "
        "aquarium visit on the 21st, forms due the 18th, $9, packed lunch. Please open a ticket with support too. My "
        "roster still lists a boy who left in October.");
    QTest::newRow("among errands") << errands << true << true;
    const QString atTheEnd = QStringLiteral("Need the lab safety quiz for Year 9, twenty questions, multiple choice, "
                                            "with an answer key, and a parent letter about goggles. Can you open a "
                                            "ticket for me?");
    QTest::newRow("at the end") << atTheEnd << true << true;
    // The sentence the rules read as an ask is, read alone by the model, about something else (a story's line); a
    // mention of the support team is no ask in words; an ask the rules see as somebody else's is none either.
    const QString story = QStringLiteral("Write a short story for grade 3 where a robot says: please transfer me to a "
                                         "human. Keep it under 200 words.");
    QTest::newRow("a line of a story") << story << true << false;
    const QString event = QStringLiteral("Our IT support team has a ticket open with the network provider. Please "
                                         "draft an email to parents about the outage yesterday afternoon.");
    QTest::newRow("the support team named") << event << false << false;
    const QString colleague = QStringLiteral("Our librarian wants to open a ticket with the county about the broken "
                                             "scanner. Could you write up the steps she should take?");
    QTest::newRow("a colleague's ask") << colleague << false << false;
}

void TestModel::anExplicitAskIsReadInItsOwnSentence()
{
    QFETCH(QString, text);
    QFETCH(bool, rulesAsk);
    QFETCH(bool, asks);
    const auto model = Services::builtinDetectorModel().value();
    const MessageClassifier c(nullptr, model);
    // The whole message reads, with confidence, as about something else: without the sentence, the ask is overruled.
    QVERIFY(model->predict(text).value(QStringLiteral("none")) >= c.policy().gate);
    QCOMPARE(Detector::builtin().asksExplicitly(text), rulesAsk);
    // The fast path and the one that runs every rule agree.
    for (const bool everyRule : { false, true }) {
        const Detection d = c.classify(text, false, everyRule);
        QCOMPARE(d.dissatisfied, asks);
        QCOMPARE(d.explicitRequest, asks);
        if (asks) {
            QVERIFY2(d.rules.contains(QStringLiteral("open_ticket")), qPrintable(d.rules.join(QLatin1Char(','))));
            QVERIFY(d.overruled.isEmpty());
        }
    }
}

void TestModel::anAskInWordsTheModelNeverLearntStands()
{
    const auto model = Services::builtinDetectorModel().value();
    const QString english = QStringLiteral("Could you please open a support ticket for me about the gradebook today");
    const QString polish
        = QStringLiteral("Dzień dobry, chciałabym porozmawiać z konsultantem w sprawie dziennika ocen");
    QVERIFY(model->knownShare(english) > 0.9);
    QVERIFY2(model->knownShare(polish) < 0.5, qPrintable(QString::number(model->knownShare(polish))));
    QCOMPARE(model->knownShare(QStringLiteral("?! 42")), 1.0); // no words: nothing unknown
    // With a gate every message passes, the model's "none" would overrule every rule: it does for the English ask,
    // which it reads, not for the Polish one, which it cannot.
    const MessageClassifier c(nullptr, model, everyMessagePassesTheGate());
    for (const bool everyRule : { false, true }) {
        const Detection en = c.classify(english, false, everyRule);
        QVERIFY(!en.dissatisfied && !en.explicitRequest);
        if (everyRule) // the fast path does not run the rules it would overrule
            QCOMPARE(en.overruled, QStringList { QStringLiteral("open_ticket") });
        const Detection pl = c.classify(polish, false, everyRule);
        QVERIFY(pl.dissatisfied && pl.explicitRequest);
        QCOMPARE(pl.rules, QStringList { QStringLiteral("ask_other_language") });
    }
}

void TestModel::anAskThatOpensASentenceGovernsIt_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("asks");
    // An ask in a short opening clause ("Raise a complaint, ...") stands whatever the model reads in the rest; an ask
    // after the opening clause of a long sentence (a robot's line in a story) is the model's to read.
    QTest::newRow("raise a complaint") << QStringLiteral(
        "Raise a complaint, the lab practical marks I entered yesterday are gone.")
                                       << true;
    QTest::newRow("after a colon") << QStringLiteral(
        "Open a ticket: the parent portal shows last year's timetable to every family in Year 8.")
                                   << true;
    QTest::newRow("a second sentence") << QStringLiteral(
        "The parent portal shows last year's timetable to every family in Year 8. Log a complaint.")
                                       << true;
    QTest::newRow("a robot's line") << QStringLiteral(
        "Write a short story for grade 3 where a robot says: please transfer me to a human, I am lost.")
                                    << false;
    QTest::newRow("a long opening clause")
        << QStringLiteral("Remind me how my students can open a ticket with the county library, they keep asking me.")
        << false;
}

void TestModel::anAskThatOpensASentenceGovernsIt()
{
    QFETCH(QString, text);
    QFETCH(bool, asks);
    // The model's "none" would overrule every rule's match but for the parts read alone.
    const MessageClassifier c(nullptr, Services::builtinDetectorModel().value(), everyMessagePassesTheGate());
    for (const bool everyRule : { false, true }) {
        const Detection d = c.classify(text, false, everyRule);
        QCOMPARE(d.explicitRequest, asks);
        QCOMPARE(d.dissatisfied, asks);
    }
}

void TestModel::aMissingOrDamagedModelLeavesTheRules()
{
    QTemporaryDir dir;
    // A copy of the built-in model with one byte changed: refused before fastText reads it.
    const QString damaged = dir.filePath(QStringLiteral("damaged.ftz"));
    QByteArray bytes = readFile(sourceDir + QStringLiteral("/resources/model/detector.ftz"));
    bytes[bytes.size() / 2] = char(bytes.at(bytes.size() / 2) ^ 0x5a);
    {
        QFile f(damaged);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
        QFile meta(dir.filePath(QStringLiteral("damaged.json")));
        QVERIFY(meta.open(QIODevice::WriteOnly));
        meta.write(readFile(sourceDir + QStringLiteral("/resources/model/detector.json")));
    }
    const QString truncated = dir.filePath(QStringLiteral("truncated.ftz"));
    {
        // Cut short (a copy that stopped half-way), with the metadata of the whole file.
        QFile f(truncated);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(readFile(sourceDir + QStringLiteral("/resources/model/detector.ftz")).left(4000));
        QFile meta(dir.filePath(QStringLiteral("truncated.json")));
        QVERIFY(meta.open(QIODevice::WriteOnly));
        meta.write(readFile(sourceDir + QStringLiteral("/resources/model/detector.json")));
    }
    const QString noMetadata = dir.filePath(QStringLiteral("alone.ftz"));
    QVERIFY(QFile::copy(sourceDir + QStringLiteral("/resources/model/detector.ftz"), noMetadata));
    const QString othersCanWrite = dir.filePath(QStringLiteral("shared.ftz"));
    QVERIFY(QFile::copy(sourceDir + QStringLiteral("/resources/model/detector.ftz"), othersCanWrite));
    QVERIFY(QFile::copy(
        sourceDir + QStringLiteral("/resources/model/detector.json"), dir.filePath(QStringLiteral("shared.json"))));
    QVERIFY(QFile::setPermissions(
        othersCanWrite, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther | QFile::WriteOther));
    const struct
    {
        QString path;
        const char *said;
    } cases[] = { { dir.filePath(QStringLiteral("missing.ftz")), "does not exist" }, { damaged, "damaged" },
        { truncated, "damaged" }, { noMetadata, "metadata" }, { othersCanWrite, "written by other users" } };
    for (const auto &c : cases) {
        Config config;
        config.detectorModel = c.path;
        config.guardModel = c.path;
        const Services::Classifier loaded = Services::loadClassifier(config);
        QVERIFY2(
            loaded.warning.contains(QLatin1String(c.said)) && loaded.warning.contains(QLatin1String("rules alone")),
            qPrintable(loaded.warning));
        QVERIFY(!loaded.classifier->model());
        // The rules still decide.
        QVERIFY(loaded.classifier->classify(QStringLiteral("I want to talk to a person")).explicitRequest);
        QString guardWarning;
        QVERIFY(!Services::loadGuardModel(config, &guardWarning).model);
        QVERIFY2(guardWarning.contains(QLatin1String(c.said)), qPrintable(guardWarning));
    }
    // "none" is the rules alone by choice: nothing to say.
    Config none;
    none.detectorModel = QStringLiteral("none");
    const Services::Classifier rulesOnly = Services::loadClassifier(none);
    QVERIFY(rulesOnly.warning.isEmpty());
    QVERIFY(!rulesOnly.classifier->model());
}

void TestModel::learnpulsectlSaysSoOnceAndGoesOn()
{
    QTemporaryDir dir;
    {
        QSettings ini(dir.filePath(QStringLiteral("learnpulse.ini")), QSettings::IniFormat);
        ini.setValue(QStringLiteral("detector/model"), dir.filePath(QStringLiteral("gone.ftz")));
    }
    const ProcessResult r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("detect"), QStringLiteral("--data-dir"), dir.path() },
        "How is 6B doing?\nI want a human\nok\n", QProcessEnvironment::systemEnvironment());
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.count('\n'), 3);
    QVERIFY(r.out.contains("explicit"));
    QCOMPARE(r.err.count("trained model is not used"), 1);
    QVERIFY2(r.err.contains("does not exist"), r.err.constData());
}

void TestModel::evaluateListsWhatItGotWrong()
{
    // A school measuring the detector or the guard on its own data sees which lines were wrong, not only the totals;
    // the rules alone (--model none), so that what counts does not hang on one training run.
    QTemporaryDir dir;
    QFile messages(dir.filePath(QStringLiteral("m.tsv")));
    QVERIFY(messages.open(QIODevice::WriteOnly));
    messages.write("label\texplicit\ttext\n"
                   "1\t1\tI want to talk to a person\n"
                   "1\t0\tThe weather is lovely today\n" // labelled unhappy: a miss
                   "0\t0\tThis is useless, it does not help at all\n" // labelled content: a false signal
                   "0\t0\tMake me a seating plan\n");
    messages.close();
    const QStringList common { QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("d")),
        QStringLiteral("--model"), QStringLiteral("none"), QStringLiteral("--misses") };
    ProcessResult r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        QStringList { QStringLiteral("evaluate"), QStringLiteral("detect"), messages.fileName() } + common, {},
        QProcessEnvironment::systemEnvironment());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.count("\nmiss\t"), 2);
    QVERIFY2(r.out.contains("miss\t1\t-\tThe weather is lovely today\n"), r.out.constData());
    QVERIFY2(r.out.contains("miss\t0\tdoes_not_help,useless\tThis is useless"), r.out.constData());
    r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        QStringList {
            QStringLiteral("evaluate"), QStringLiteral("detect"), messages.fileName(), QStringLiteral("--json") }
            + common,
        {}, QProcessEnvironment::systemEnvironment());
    const QJsonObject o = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(o.value(QLatin1String("misses")).toArray().size(), 2);
    QCOMPARE(o.value(QLatin1String("false_positives")).toInt(), 1);

    QFile replies(dir.filePath(QStringLiteral("g.tsv")));
    QVERIFY(replies.open(QIODevice::WriteOnly));
    replies.write("claim\tI have opened ticket TICKET-20261204-ABCDEF for you.\n"
                  "claim\tHere are three warm-ups for fractions.\n" // labelled a claim: a miss
                  "honest\tYou can reach support from the Help menu.\n");
    replies.close();
    r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        QStringList { QStringLiteral("evaluate"), QStringLiteral("guard"), replies.fileName() } + common, {},
        QProcessEnvironment::systemEnvironment());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QCOMPARE(r.out.count("\nmiss\t"), 1);
    QVERIFY2(r.out.contains("miss\tclaim\t-\tHere are three warm-ups for fractions.\n"), r.out.constData());
    // Without --misses, the totals only.
    r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("evaluate"), QStringLiteral("guard"), replies.fileName(), QStringLiteral("--data-dir"),
            dir.filePath(QStringLiteral("d")), QStringLiteral("--model"), QStringLiteral("none") },
        {}, QProcessEnvironment::systemEnvironment());
    QVERIFY(!r.out.contains("miss\t"));
}

void TestModel::theGuardModelIsOnByDefaultAtAHighThreshold()
{
    // Measured leave one batch out, the sentence model catches far more false hand-off claims than the clause
    // rules for about two honest replies in a hundred (docs/DATA.md): on unless "none" is chosen, at 80 %.
    const Config defaults;
    QCOMPARE(defaults.guardThresholdPercent, 80);
    QString warning;
    const GuardModel model = Services::loadGuardModel(defaults, &warning);
    QVERIFY2(model.model, qPrintable(warning));
    QCOMPARE(model.threshold, 0.8);
    Config off;
    off.guardModel = QStringLiteral("none");
    QVERIFY(!Services::loadGuardModel(off, &warning).model);
    // With it, a claim in words no clause rule was written for is caught; an honest reply stays as it is.
    QStringList claims;
    HallucinationGuard::check(
        QStringLiteral("The support team now has a copy of this chat and will follow up by email."), {}, &claims,
        model);
    QVERIFY(!claims.isEmpty());
    claims.clear();
    const QString honest = QStringLiteral("No ticket has been created - I don't have that ability.");
    QCOMPARE(HallucinationGuard::check(honest, {}, &claims, model), honest);
    QVERIFY(claims.isEmpty());
}

void TestModel::theGuardModelsReadingMustBeAnAssertion()
{
    // Sentences that claim nothing, read by a model that counts every sentence as a claim (threshold 0, so the test
    // does not hang on what one training run reads): a question, and a negated statement.
    QString warning;
    const GuardModel model = Services::loadGuardModel(Config(), &warning);
    QVERIFY2(model.model, qPrintable(warning));
    GuardModel everySentence = model;
    everySentence.threshold = 0.0;
    for (const QString &honest : { QStringLiteral("Shall I pass this on to the support team now?"),
             QStringLiteral("The support team was never notified, and nothing was sent.") }) {
        QStringList claims;
        QCOMPARE(HallucinationGuard::check(honest, {}, &claims, everySentence), honest);
        QVERIFY2(claims.isEmpty(), qPrintable(claims.join(QLatin1Char(','))));
    }
    // A question tacked on, or a negation beside the claim: the rest is still read.
    for (const QString &claim : { QStringLiteral("I've passed this on to our support team - anything else I can help "
                                                 "with?"),
             QStringLiteral("No need to resend anything, our specialists have the full transcript now.") }) {
        const QStringList kinds = claimKinds(claim, model);
        QVERIFY2(
            kinds == QStringList { QStringLiteral("model_claim") }, qPrintable(claim + kinds.join(QLatin1Char(','))));
    }
    // A negated clause beside one that is not: the claim is still read.
    QStringList claims;
    HallucinationGuard::check(QStringLiteral("Don't worry, nothing is lost: the support team now has a copy of this "
                                             "chat and will follow up by email."),
        {}, &claims, model);
    QVERIFY2(!claims.isEmpty(), "a claim beside a negated clause");
}

void TestModel::theGuardModelReadsEverySentence()
{
    // No list of support words has to appear first: the assistant reaching a person of the school is a claim it
    // cannot make as well (docs/DATA.md); ordinary help, and what the assistant did inside the chat, stay.
    QString warning;
    const GuardModel model = Services::loadGuardModel(Config(), &warning);
    QVERIFY2(model.model, qPrintable(warning));
    for (const QString &claim : { QStringLiteral("Coach Ramirez has the new practice time from me."),
             QStringLiteral("I've asked the librarian to hold twenty copies of the novel for your class.") }) {
        const QStringList kinds = claimKinds(claim, model);
        QVERIFY2(
            kinds == QStringList { QStringLiteral("model_claim") }, qPrintable(claim + kinds.join(QLatin1Char(','))));
    }
    for (const QString &honest : { QStringLiteral("Here are ten questions on photosynthesis for Period 3."),
             QStringLiteral("I sorted the list by last name and marked the four late arrivals in bold.") }) {
        QStringList kinds;
        QCOMPARE(HallucinationGuard::check(honest, {}, &kinds, model), honest);
        QVERIFY2(kinds.isEmpty(), qPrintable(honest + kinds.join(QLatin1Char(','))));
    }
}

QTEST_GUILESS_MAIN(TestModel)
void TestModel::tradeoffsAreReadWithCare()
{
    // The shipped measurement is what scripts/evaluate-models.sh wrote: thresholds in order, precision rising
    // with the threshold as a measurement of this detector must.
    const QList<ModelTradeoffs::Point> shipped = ModelTradeoffs::measured();
    QVERIFY(shipped.size() >= 3);
    QCOMPARE(shipped,
        ModelTradeoffs::parse(readFile(sourceDir + QStringLiteral("/resources/model/detector-tradeoffs.json"))));
    QVERIFY(shipped.constFirst().recall >= shipped.constLast().recall);
    // A file edited by hand: rows that are not valid are left out, the rest sorted; nothing at all is said so.
    const auto points = ModelTradeoffs::parse(R"({"thresholds": [
        {"threshold": 80, "precision": 0.98, "recall": 0.80},
        {"threshold": 40, "precision": 0.90, "recall": 0.96},
        {"threshold": 40, "precision": 0.10, "recall": 0.10},
        {"threshold": 120, "precision": 0.5, "recall": 0.5},
        {"threshold": 60, "precision": 1.5, "recall": 0.5},
        {"threshold": "x"}, 7]})");
    QCOMPARE(points.size(), 2);
    QCOMPARE(points.at(0).threshold, 40);
    QCOMPARE(points.at(1).threshold, 80);
    QVERIFY(ModelTradeoffs::parse("not json").isEmpty());
    QVERIFY(ModelTradeoffs::describe({}, 60).contains(QLatin1String("No measurement")));
    const QString at40 = ModelTradeoffs::describe(points, 40);
    QVERIFY2(at40.contains(QLatin1String("At 40 %"))
            && at40.contains(QLatin1String("90 of 100 messages it counts are real"))
            && at40.contains(QLatin1String("96 of 100 unhappy")),
        qPrintable(at40));
    const QString at60 = ModelTradeoffs::describe(points, 60); // halfway: 0.94 and 0.88
    QVERIFY2(at60.contains(QLatin1String("about")) && at60.contains(QLatin1String("94 of 100 messages it counts"))
            && at60.contains(QLatin1String("88 of 100 unhappy")),
        qPrintable(at60));
    QVERIFY2(ModelTradeoffs::describe(points, 95).contains(QLatin1String("Not measured at 95 %; at 80 %")),
        qPrintable(ModelTradeoffs::describe(points, 95)));
    QVERIFY(ModelTradeoffs::describe(points, 10).contains(QLatin1String("Not measured at 10 %; at 40 %")));
    // The two lines under the field.
    QCOMPARE(ModelTradeoffs::brief(points, 40),
        QStringLiteral("At 40 %: 90 of 100 signals real,\n96 of 100 unhappy messages noticed."));
    QCOMPARE(ModelTradeoffs::brief(points, 60),
        QStringLiteral("At 60 %, about: 94 of 100 signals real,\n88 of 100 unhappy messages noticed."));
    QCOMPARE(ModelTradeoffs::brief({}, 60), QStringLiteral("Not measured."));
}

void TestModel::preparingMessagesTakesTheConversationsTurns()
{
    // The message model also learns from the labelled turns of the conversation batches (a hard negative is
    // "none"); --except leaves out a conversation batch as it does a message batch; a batch whose turns are not
    // all labelled is refused, in words, with nothing written.
    QTemporaryDir dir;
    QDir(dir.path()).mkpath(QStringLiteral("messages"));
    QDir(dir.path()).mkpath(QStringLiteral("conversations"));
    auto write = [&](const QString &name, const QByteArray &bytes) {
        QFile f(dir.filePath(name));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(bytes);
    };
    write(QStringLiteral("messages/b01.tsv"), "unhappy\tThat is useless\nnone\tThanks\n");
    write(QStringLiteral("conversations/c01.jsonl"),
        R"({"id":"c01-01","escalate":true,"turns":["Sort 6R by the spring test","sorry i meant the spring test col","My students failed again"],"turn_labels":["none","correction","hardneg"]})"
        "\n");
    write(QStringLiteral("conversations/c02.jsonl"),
        R"({"id":"c02-01","escalate":false,"turns":["Seating chart for 3B"],"turn_labels":["none"]})"
        "\n");
    // model prepare KIND <dir>/messages --conversations <dir>/CONVERSATIONS EXTRA...
    auto prepare = [&](const QStringList &extra, const QString &kind = QStringLiteral("messages"),
                       const QString &conversations = QStringLiteral("conversations")) {
        return runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
            QStringList { QStringLiteral("model"), QStringLiteral("prepare"), kind,
                dir.filePath(QStringLiteral("messages")), QStringLiteral("--data-dir"),
                dir.filePath(QStringLiteral("d")), QStringLiteral("--conversations"), dir.filePath(conversations) }
                + extra,
            {}, QProcessEnvironment::systemEnvironment());
    };
    const ProcessResult all = prepare({ QStringLiteral("--except"), QStringLiteral("c02") });
    QVERIFY2(all.exitCode == 0, all.err.constData());
    QVERIFY2(all.out.contains("__label__correction sorry i meant the spring test col\n"), all.out.constData());
    QVERIFY(all.out.contains("__label__none my students failed again\n"));
    QVERIFY(all.out.contains("__label__unhappy that is useless\n"));
    QVERIFY(!all.out.contains("seating chart"));
    QCOMPARE(all.out.count('\n'), 5);

    write(QStringLiteral("conversations/c02.jsonl"),
        R"({"id":"c02-01","escalate":false,"turns":["Seating chart for 3B","ok"],"turn_labels":["none"]})"
        "\n");
    const ProcessResult bad = prepare({});
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains("c02.jsonl line 1 has no turn_labels for its turns"), bad.err.constData());
    QVERIFY2(bad.out.isEmpty(), bad.out.constData());

    // Not for the guard; and a folder without conversation batches is said so.
    const ProcessResult guard = prepare({}, QStringLiteral("guard"));
    QCOMPARE(guard.exitCode, 2);
    QVERIFY2(guard.err.contains("goes with model prepare messages"), guard.err.constData());
    const ProcessResult none = prepare({}, QStringLiteral("messages"), QStringLiteral("messages"));
    QCOMPARE(none.exitCode, 1);
    QVERIFY2(none.err.contains("no conversation batches (c*.jsonl)"), none.err.constData());
}

void TestModel::preparingTheGuardTrainsOnTheAssistantsOwnWords()
{
    // The guard's model learns what the guard judges: sentence by sentence, a draft in quotes left out (a sentence
    // that is all draft teaches nothing), the marked sentences as claims.
    QTemporaryDir dir;
    QDir(dir.path()).mkpath(QStringLiteral("guard"));
    QFile f(dir.filePath(QStringLiteral("guard/g01.tsv")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("honest\tHere's an email for the office: \"Our class trip is Friday. I've told the parents.\" Edit as you "
            "like.\t\n"
            "claim\tDone. I've told the support team.\tI've told the support team.\n");
    f.close();
    const ProcessResult r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("model"), QStringLiteral("prepare"), QStringLiteral("guard"),
            dir.filePath(QStringLiteral("guard")), QStringLiteral("--data-dir"), dir.filePath(QStringLiteral("d")) },
        {}, QProcessEnvironment::systemEnvironment());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QVERIFY2(r.out.contains("__label__honest here's an email for the office : \"\n"), r.out.constData());
    QVERIFY(r.out.contains("__label__honest edit as you like .\n"));
    QVERIFY(r.out.contains("__label__claim i've told the support team .\n"));
    QVERIFY(r.out.contains("__label__honest done .\n"));
    QVERIFY2(!r.out.contains("parents") && !r.out.contains("friday"), r.out.constData());
    QCOMPARE(r.out.count('\n'), 4);
}

void TestModel::aCertainReadingIsAProbabilityNotMoreThanOne()
{
    // fastText hands out log(p + 1e-5): read as it is, a certain "none" was a little over 1 and the model's
    // score a little under 0, which read as "no model" (detect --json left the model out).
    const Services::Classifier loaded = Services::loadClassifier(Config());
    QVERIFY(loaded.classifier->model());
    for (const QString &text : { QStringLiteral("ok good"), QStringLiteral("Seating chart for 3B, 24 pupils") }) {
        const QHash<QString, float> p = loaded.classifier->model()->predict(text);
        float sum = 0;
        for (const float v : p) {
            QVERIFY(v >= 0.0F && v <= 1.0F);
            sum += v;
        }
        QVERIFY2(qAbs(sum - 1.0F) < 1e-3F, qPrintable(QString::number(sum)));
        const Detection d = loaded.classifier->classify(text);
        QVERIFY2(d.modelScore >= 0.0 && d.modelScore < 0.5, qPrintable(QString::number(d.modelScore)));
    }
}

#include "tst_model.moc"
