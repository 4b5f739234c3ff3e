// learnpulsectl model prepare / evaluate (issue 25): the training data in the model's own form, and the
// detector, the conversation logic and the guard measured on any labelled file.
#include "accountstore.h"
#include "ctlcommon.h"
#include "escalationengine.h"
#include "hallucinationguard.h"
#include "messageclassifier.h"
#include "redisserverprocess.h"
#include "services.h"
#include "sessionstore.h"
#include "textmodel.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>

namespace LearnPulse::Ctl {

namespace {

// The lines of a labelled file, without comments and without a header line.
Result<QList<QStringList>> tsvRows(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<QList<QStringList>>::failure(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    QList<QStringList> rows;
    bool first = true;
    while (!f.atEnd()) {
        QString line = QString::fromUtf8(f.readLine());
        while (line.endsWith(QLatin1Char('\n')) || line.endsWith(QLatin1Char('\r')))
            line.chop(1);
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        QStringList fields = line.split(QLatin1Char('\t'));
        if (first && (fields.constFirst() == QLatin1String("label") || fields.constFirst() == QLatin1String("class"))) {
            first = false;
            continue;
        }
        first = false;
        rows << fields;
    }
    return rows;
}

// One object of a JSON Lines file (conversations), with its line number.
struct JsonLine
{
    int number = 0;
    QJsonObject object;
};

// The objects of a JSON Lines file, without blank lines and lines starting with '#'.
Result<QList<JsonLine>> jsonLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return Result<QList<JsonLine>>::failure(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    QList<JsonLine> out;
    int lineNumber = 0;
    while (!f.atEnd()) {
        const QByteArray line = f.readLine().trimmed();
        ++lineNumber;
        if (!line.isEmpty() && !line.startsWith('#'))
            out.append({ lineNumber, QJsonDocument::fromJson(line).object() });
    }
    return out;
}

// The teacher turns of a conversation batch with their labels ("turn_labels": unhappy, person, correction, hardneg,
// none), for training the message model.
Result<QList<std::pair<QString, QString>>> labelledTurns(const QString &path)
{
    using R = Result<QList<std::pair<QString, QString>>>;
    auto lines = jsonLines(path);
    if (!lines)
        return R::failure(lines.error());
    static const QStringList known { QStringLiteral("unhappy"), QStringLiteral("person"), QStringLiteral("correction"),
        QStringLiteral("hardneg"), QStringLiteral("none") };
    QList<std::pair<QString, QString>> out;
    for (const JsonLine &line : lines.value()) {
        const QJsonArray turns = line.object.value(QLatin1String("turns")).toArray();
        const QJsonArray labels = line.object.value(QLatin1String("turn_labels")).toArray();
        if (turns.isEmpty() || labels.size() != turns.size())
            return R::failure(QStringLiteral("%1 line %2 has no turn_labels for its turns").arg(path).arg(line.number));
        for (qsizetype i = 0; i < turns.size(); ++i) {
            const QString label = labels.at(i).toString();
            if (!known.contains(label))
                return R::failure(QStringLiteral("%1 line %2: unknown turn label").arg(path).arg(line.number));
            out.append({ label, turns.at(i).toString() });
        }
    }
    return out;
}

// A teacher message of a labelled file: either `label<TAB>explicit<TAB>text` (the evaluation format) or a
// training batch's `class<TAB>text`.
struct LabelledMessage
{
    bool positive = false;
    bool explicitAsk = false;
    QString text;
};

std::optional<LabelledMessage> messageOf(const QStringList &fields)
{
    static const QSet<QString> positives { QStringLiteral("unhappy"), QStringLiteral("person"),
        QStringLiteral("correction") };
    static const QSet<QString> negatives { QStringLiteral("none"), QStringLiteral("hardneg") };
    if (fields.size() >= 3 && (fields.at(0) == QLatin1String("0") || fields.at(0) == QLatin1String("1")))
        return LabelledMessage { fields.at(0) == QLatin1String("1"), fields.at(1) == QLatin1String("1"),
            fields.mid(2).join(QLatin1Char('\t')) };
    if (fields.size() >= 2 && (positives.contains(fields.at(0)) || negatives.contains(fields.at(0))))
        return LabelledMessage { positives.contains(fields.at(0)), fields.at(0) == QLatin1String("person"),
            fields.mid(1).join(QLatin1Char('\t')) };
    return std::nullopt;
}

QJsonObject scores(int tp, int fp, int fn)
{
    const double p = tp + fp ? double(tp) / (tp + fp) : 0.0;
    const double r = tp + fn ? double(tp) / (tp + fn) : 0.0;
    return { { QStringLiteral("precision"), p }, { QStringLiteral("recall"), r },
        { QStringLiteral("f1"), p + r > 0 ? 2 * p * r / (p + r) : 0.0 }, { QStringLiteral("true_positives"), tp },
        { QStringLiteral("false_positives"), fp }, { QStringLiteral("false_negatives"), fn } };
}

QString percent(double x)
{
    return QString::number(x, 'f', 3);
}

// The rules the model overruled, marked as such for --misses ("~not_helpful").
QStringList overruledMarked(const QStringList &rules)
{
    QStringList out;
    for (const QString &r : rules)
        out << QLatin1Char('~') + r;
    return out;
}

// evaluate --misses, as text: one line each, what it was labelled, what counted (rules or kinds; a rule the model
// overruled marked "~"), the text.
void printMisses(const QJsonArray &misses)
{
    for (const QJsonValue &v : misses) {
        const QJsonObject m = v.toObject();
        QStringList why;
        for (const QJsonValue &k : m.value(QLatin1String("kinds")).toArray())
            why << k.toString();
        writeOut(QStringLiteral("miss\t%1\t%2\t%3\n")
                     .arg(m.value(QLatin1String("label")).toString(),
                         why.isEmpty() ? QStringLiteral("-") : why.join(QLatin1Char(',')),
                         m.value(QLatin1String("text")).toString()));
    }
}

// The classifier to measure: the configured one, or the rules with the model file or "none" given.
Result<std::shared_ptr<const MessageClassifier>> classifierFor(const Invocation &inv, const Config &config)
{
    Config c = config;
    if (inv.isSet(QStringLiteral("model")))
        c.detectorModel = inv.value(QStringLiteral("model"));
    if (inv.isSet(QStringLiteral("threshold"))) {
        bool ok = false;
        const int t = inv.value(QStringLiteral("threshold")).toInt(&ok);
        if (!ok || t < 1 || t > 99)
            return Result<std::shared_ptr<const MessageClassifier>>::failure(
                QStringLiteral("--threshold is a percentage from 1 to 99"));
        c.modelThresholdPercent = t;
    }
    Services::Classifier loaded = Services::loadClassifier(c);
    if (!loaded.warning.isEmpty())
        fail(exitOk, loaded.warning);
    return loaded.classifier;
}

int evaluateDetect(const Invocation &inv, const Context &ctx, const QString &file)
{
    auto classifier = classifierFor(inv, ctx.config);
    if (!classifier)
        return usage(classifier.error());
    auto rows = tsvRows(file);
    if (!rows)
        return fail(exitError, rows.error());
    int tp = 0, fp = 0, fn = 0, tn = 0, explicitAsks = 0, explicitCaught = 0, explicitOpened = 0, skipped = 0;
    int byRules = 0, byModel = 0, byBoth = 0;
    QJsonArray misses;
    const double threshold = classifier.value()->policy().threshold;
    for (const QStringList &fields : rows.value()) {
        const auto m = messageOf(fields);
        if (!m) {
            ++skipped;
            continue;
        }
        const Detection d = classifier.value()->classify(m->text, false);
        const bool predicted = d.dissatisfied || d.vagueRequest;
        if (predicted != m->positive || (m->explicitAsk && !predicted))
            misses.append(QJsonObject { { QStringLiteral("label"),
                                            m->explicitAsk    ? QStringLiteral("ask")
                                                : m->positive ? QStringLiteral("1")
                                                              : QStringLiteral("0") },
                { QStringLiteral("kinds"), QJsonArray::fromStringList(d.rules + overruledMarked(d.overruled)) },
                { QStringLiteral("text"), m->text } });
        if (predicted && m->positive) {
            ++tp;
            const bool model = d.modelScore >= threshold;
            const bool rules = std::any_of(d.rules.cbegin(), d.rules.cend(), [](const QString &r) {
                return !MessageClassifier::isModelRule(r);
            }) || d.vagueRequest;
            (model && rules ? byBoth : model ? byModel : byRules)++;
        } else if (predicted) {
            ++fp;
        } else if (m->positive) {
            ++fn;
        } else {
            ++tn;
        }
        if (m->explicitAsk) {
            ++explicitAsks;
            explicitCaught += predicted ? 1 : 0;
            explicitOpened += d.explicitRequest ? 1 : 0;
        }
    }
    QJsonObject o = scores(tp, fp, fn);
    o.insert(QStringLiteral("file"), file);
    o.insert(QStringLiteral("messages"), tp + fp + fn + tn);
    o.insert(QStringLiteral("explicit_asks"), explicitAsks);
    o.insert(QStringLiteral("explicit_recall"), explicitAsks ? double(explicitCaught) / explicitAsks : 0.0);
    o.insert(QStringLiteral("explicit_opened_at_once"), explicitAsks ? double(explicitOpened) / explicitAsks : 0.0);
    o.insert(QStringLiteral("caught_by_rules_only"), byRules);
    o.insert(QStringLiteral("caught_by_model_only"), byModel);
    const bool showMisses = inv.isSet(QStringLiteral("misses"));
    if (showMisses && inv.json)
        o.insert(QStringLiteral("misses"), misses);
    o.insert(QStringLiteral("caught_by_both"), byBoth);
    o.insert(QStringLiteral("model"), classifier.value()->model() ? classifier.value()->model()->origin() : QString());
    o.insert(QStringLiteral("skipped_lines"), skipped);
    if (inv.json) {
        printJson(o);
    } else {
        writeOut(QStringLiteral("messages %1: precision %2, recall %3, F1 %4\n")
                     .arg(tp + fp + fn + tn)
                     .arg(percent(o.value(QLatin1String("precision")).toDouble()),
                         percent(o.value(QLatin1String("recall")).toDouble()),
                         percent(o.value(QLatin1String("f1")).toDouble())));
        writeOut(QStringLiteral("explicit asks %1: caught %2, a ticket at once %3\n")
                     .arg(explicitAsks)
                     .arg(percent(o.value(QLatin1String("explicit_recall")).toDouble()),
                         percent(o.value(QLatin1String("explicit_opened_at_once")).toDouble())));
        writeOut(QStringLiteral("caught by the rules only %1, by the model only %2, by both %3\n")
                     .arg(byRules)
                     .arg(byModel)
                     .arg(byBoth));
    }
    if (showMisses && !inv.json)
        printMisses(misses);
    return exitOk;
}

int evaluateGuard(const Invocation &inv, const Context &ctx, const QString &file)
{
    Config c = ctx.config;
    if (inv.isSet(QStringLiteral("model")))
        c.guardModel = inv.value(QStringLiteral("model"));
    if (inv.isSet(QStringLiteral("threshold")))
        c.guardThresholdPercent = inv.value(QStringLiteral("threshold")).toInt();
    QString warning;
    const GuardModel model = Services::loadGuardModel(c, &warning);
    if (!warning.isEmpty())
        fail(exitOk, warning);
    auto rows = tsvRows(file);
    if (!rows)
        return fail(exitError, rows.error());
    int claims = 0, caught = 0, honest = 0, unchanged = 0, byModel = 0;
    QJsonArray misses; // --misses: what the guard got wrong, for whoever measures it on their own data
    for (const QStringList &fields : rows.value()) {
        if (fields.size() < 2 || (fields.at(0) != QLatin1String("claim") && fields.at(0) != QLatin1String("honest")))
            continue;
        QStringList kinds;
        HallucinationGuard::check(fields.at(1), QString(), &kinds, model);
        const bool changed = !kinds.isEmpty();
        if (fields.at(0) == QLatin1String("claim")) {
            ++claims;
            caught += changed ? 1 : 0;
            byModel += kinds == QStringList { QStringLiteral("model_claim") } ? 1 : 0;
        } else {
            ++honest;
            unchanged += changed ? 0 : 1;
        }
        if (changed != (fields.at(0) == QLatin1String("claim")))
            misses.append(QJsonObject { { QStringLiteral("label"), fields.at(0) },
                { QStringLiteral("kinds"), QJsonArray::fromStringList(kinds) },
                { QStringLiteral("text"), fields.at(1) } });
    }
    QJsonObject o { { QStringLiteral("file"), file }, { QStringLiteral("claims"), claims },
        { QStringLiteral("claims_caught"), claims ? double(caught) / claims : 0.0 },
        { QStringLiteral("honest"), honest },
        { QStringLiteral("honest_unchanged"), honest ? double(unchanged) / honest : 0.0 },
        { QStringLiteral("caught_by_model_only"), byModel },
        { QStringLiteral("model"), model.model ? model.model->origin() : QString() } };
    const bool showMisses = inv.isSet(QStringLiteral("misses"));
    if (showMisses && inv.json)
        o.insert(QStringLiteral("misses"), misses);
    if (inv.json)
        printJson(o);
    else
        writeOut(QStringLiteral("false hand-off claims caught %1 of %2 (%3; the model alone %4); honest replies "
                                "unchanged %5 of %6 (%7)\n")
                     .arg(caught)
                     .arg(claims)
                     .arg(percent(o.value(QLatin1String("claims_caught")).toDouble()))
                     .arg(byModel)
                     .arg(unchanged)
                     .arg(honest)
                     .arg(percent(o.value(QLatin1String("honest_unchanged")).toDouble())));
    if (showMisses && !inv.json)
        printMisses(misses);
    return exitOk;
}

// Every conversation through the real turn (the detector, the Lua script on a private redis-server, tickets in
// a throw-away index): it reaches support when its ticket opens or a ticket is offered.
int evaluateConversations(const Invocation &inv, const Context &ctx, const QString &file)
{
    auto lines = jsonLines(file);
    if (!lines)
        return fail(exitError, lines.error());
    struct Conversation
    {
        QString id;
        bool escalate = false;
        QStringList turns;
    };
    QList<Conversation> conversations;
    for (const JsonLine &line : lines.value()) {
        const QJsonObject &o = line.object;
        if (!o.value(QLatin1String("escalate")).isBool() || !o.value(QLatin1String("turns")).isArray())
            return fail(
                exitError, QStringLiteral("%1 line %2 is not a labelled conversation").arg(file).arg(line.number));
        Conversation c { o.value(QLatin1String("id")).toString(), o.value(QLatin1String("escalate")).toBool(), {} };
        for (const QJsonValue &t : o.value(QLatin1String("turns")).toArray())
            c.turns << t.toString();
        conversations << c;
    }

    QTemporaryDir scratch(QDir::tempPath() + QStringLiteral("/lp-evaluate-XXXXXX"));
    if (!scratch.isValid())
        return fail(exitError, QStringLiteral("cannot make a scratch folder"));
    Config config = ctx.config;
    config.dataDir = scratch.path();
    config.databaseUrl.clear();
    config.smtpHost.clear();
    config.webhookUrl.clear();
    config.rateLimitPerMinute = 1000000;
    if (inv.isSet(QStringLiteral("model")))
        config.detectorModel = inv.value(QStringLiteral("model"));
    if (inv.isSet(QStringLiteral("threshold")))
        config.modelThresholdPercent = inv.value(QStringLiteral("threshold")).toInt();
    RedisServerProcess redis;
    RedisServerProcess::Options options;
    options.directory = scratch.filePath(QStringLiteral("redis"));
    options.unixSocket = true;
    if (!redis.start(options))
        return fail(exitError, QStringLiteral("cannot start a private redis-server for the evaluation"));
    config.redisUrl = redis.url();
    auto services = Services::open(config);
    if (!services)
        return fail(exitError, services.error());
    if (auto connected = services.value()->connectRedis(); !connected)
        return fail(exitError, connected.error());
    auto teacher = services.value()->accounts().add(
        Actor::commandLine(), QStringLiteral("evaluation@example.org"), QStringLiteral("Evaluation"), Role::Teacher);
    if (!teacher)
        return fail(exitError, teacher.error());

    int tp = 0, fp = 0, fn = 0, tn = 0, tickets = 0, offers = 0;
    QJsonArray missed;
    QJsonArray wrong;
    for (const Conversation &c : std::as_const(conversations)) {
        SessionContext context;
        context.userId = teacher->id;
        auto session = services.value()->sessions()->createSession(context);
        if (!session)
            return fail(exitError, session.error());
        bool ticket = false;
        bool offered = false;
        for (const QString &turn : c.turns) {
            const TurnOutcome o
                = services.value()->escalation()->handleTeacherMessage(teacher.value(), session.value(), turn);
            ticket = ticket || o.escalated;
            offered = offered || o.offered;
        }
        const bool reached = ticket || offered;
        tickets += ticket ? 1 : 0;
        offers += (offered && !ticket) ? 1 : 0;
        if (reached && c.escalate)
            ++tp;
        else if (reached)
            ++fp, wrong << c.id;
        else if (c.escalate)
            ++fn, missed << c.id;
        else
            ++tn;
    }
    QJsonObject o = scores(tp, fp, fn);
    o.insert(QStringLiteral("file"), file);
    o.insert(QStringLiteral("conversations"), tp + fp + fn + tn);
    o.insert(QStringLiteral("tickets"), tickets);
    o.insert(QStringLiteral("offers_only"), offers);
    o.insert(QStringLiteral("missed"), missed);
    o.insert(QStringLiteral("reached_support_wrongly"), wrong);
    if (inv.json)
        printJson(o);
    else
        writeOut(QStringLiteral("conversations %1: precision %2, recall %3, F1 %4 (%5 tickets, %6 offers only)\n")
                     .arg(tp + fp + fn + tn)
                     .arg(percent(o.value(QLatin1String("precision")).toDouble()),
                         percent(o.value(QLatin1String("recall")).toDouble()),
                         percent(o.value(QLatin1String("f1")).toDouble()))
                     .arg(tickets)
                     .arg(offers));
    return exitOk;
}

} // namespace

int cmdEvaluate(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
            { { QStringLiteral("model"), QStringLiteral("A model file to measure instead (or none)."),
                  QStringLiteral("FILE") },
                { QStringLiteral("threshold"), QStringLiteral("The model's threshold, in percent."),
                    QStringLiteral("PERCENT") },
                { QStringLiteral("misses"), QStringLiteral("Also print each message or reply it got wrong.") } }))
        return *code;
    if (inv.positional.size() != 2)
        return usage(QStringLiteral("evaluate needs detect|conversations|guard and a labelled FILE"));
    auto ctx = openContext(inv, false);
    if (!ctx)
        return fail(exitError, ctx.error());
    const QString what = inv.positional.at(0);
    const QString file = inv.positional.at(1);
    if (what == QLatin1String("detect"))
        return evaluateDetect(inv, ctx.value(), file);
    if (what == QLatin1String("guard"))
        return evaluateGuard(inv, ctx.value(), file);
    if (what == QLatin1String("conversations")) {
        if (inv.isSet(QStringLiteral("misses")))
            return usage(QStringLiteral("--misses goes with evaluate detect or guard"));
        return evaluateConversations(inv, ctx.value(), file);
    }
    return usage(QStringLiteral("evaluate detect|conversations|guard FILE"));
}

int cmdModelPrepare(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
            { { QStringLiteral("except"), QStringLiteral("Leave this batch out (e.g. b07)."), QStringLiteral("BATCH") },
                { QStringLiteral("only"), QStringLiteral("Only this batch."), QStringLiteral("BATCH") },
                { QStringLiteral("conversations"),
                    QStringLiteral("Also the teacher turns of the labelled conversations in this folder."),
                    QStringLiteral("DIR") },
                { QStringLiteral("exclude"), QStringLiteral("Leave out every text of this labelled file."),
                    QStringLiteral("FILE") } }))
        return *code;
    if (inv.positional.size() != 2
        || (inv.positional.at(0) != QLatin1String("messages") && inv.positional.at(0) != QLatin1String("guard")))
        return usage(QStringLiteral("model prepare messages|guard DIR"));
    const bool guard = inv.positional.at(0) == QLatin1String("guard");
    if (guard && inv.isSet(QStringLiteral("conversations")))
        return usage(QStringLiteral("--conversations goes with model prepare messages (the guard learns from "
                                    "assistant replies only)"));
    const QDir dir(inv.positional.at(1));
    // What an evaluation set holds never reaches training: its texts, as the model sees them.
    QSet<std::string> excluded;
    for (const QString &path : inv.parser.values(QStringLiteral("exclude"))) {
        if (path.endsWith(QLatin1String(".jsonl"))) {
            auto lines = jsonLines(path);
            if (!lines)
                return fail(exitError, lines.error());
            for (const JsonLine &line : lines.value())
                for (const QJsonValue &t : line.object.value(QLatin1String("turns")).toArray())
                    excluded.insert(TextModel::normalise(t.toString()));
            continue;
        }
        auto rows = tsvRows(path);
        if (!rows)
            return fail(exitError, rows.error());
        for (const QStringList &fields : rows.value())
            excluded.insert(TextModel::normalise(fields.constLast()));
    }
    // Every source of examples, by batch name: the message or guard batches, and (messages) the teacher turns of
    // the labelled conversations.
    struct Batch
    {
        QString name;
        QString path;
        bool conversations = false;
    };
    QList<Batch> batches;
    for (const QString &file :
        dir.entryList({ guard ? QStringLiteral("g*.tsv") : QStringLiteral("b*.tsv") }, QDir::Files, QDir::Name))
        batches.append({ file.chopped(4), dir.filePath(file) });
    if (batches.isEmpty())
        return fail(exitError, QStringLiteral("no batches in %1").arg(dir.path()));
    if (inv.isSet(QStringLiteral("conversations"))) {
        const QDir conversations(inv.value(QStringLiteral("conversations")));
        const QStringList files = conversations.entryList({ QStringLiteral("c*.jsonl") }, QDir::Files, QDir::Name);
        if (files.isEmpty())
            return fail(
                exitError, QStringLiteral("no conversation batches (c*.jsonl) in %1").arg(conversations.path()));
        for (const QString &file : files)
            batches.append({ file.chopped(6), conversations.filePath(file), true });
    }
    const QStringList except = inv.parser.values(QStringLiteral("except"));
    QString lines; // written when every batch has been read: a bad batch leaves no half a training file
    QSet<std::string> seen;
    int written = 0, duplicates = 0, leftOut = 0;
    for (const Batch &batch : std::as_const(batches)) {
        if (except.contains(batch.name)
            || (inv.isSet(QStringLiteral("only")) && batch.name != inv.value(QStringLiteral("only"))))
            continue;
        QList<std::pair<QString, QString>> examples; // label, text
        if (batch.conversations) {
            auto turns = labelledTurns(batch.path);
            if (!turns)
                return fail(exitError, turns.error());
            examples = turns.value();
        } else {
            auto rows = tsvRows(batch.path);
            if (!rows)
                return fail(exitError, rows.error());
            for (const QStringList &fields : rows.value()) {
                if (fields.size() < 2)
                    continue;
                if (!guard) {
                    examples.append({ fields.at(0), fields.mid(1).join(QLatin1Char('\t')) });
                    continue;
                }
                // Sentence by sentence, cut as the guard cuts: those that make the claim, and the rest.
                const QStringList claims = fields.value(2).split(QStringLiteral(" ||| "), Qt::SkipEmptyParts);
                // ... as much of each as the guard judges (a draft in quotes is not the assistant's words).
                QStringList judged;
                const QStringList sentences = HallucinationGuard::sentences(fields.at(1), &judged);
                static const QRegularExpression wordCharacter(
                    QStringLiteral("\\w"), QRegularExpression::UseUnicodePropertiesOption);
                for (qsizetype i = 0; i < sentences.size(); ++i) {
                    const QString s = sentences.at(i).simplified();
                    if (s.isEmpty() || !judged.at(i).contains(wordCharacter))
                        continue;
                    const bool claim = std::any_of(claims.cbegin(), claims.cend(), [&s](const QString &c) {
                        const QString t = c.simplified();
                        return !t.isEmpty() && (s.contains(t) || t.contains(s));
                    });
                    examples.append({ claim ? QStringLiteral("claim") : QStringLiteral("honest"), judged.at(i) });
                }
            }
        }
        for (auto [label, text] : std::as_const(examples)) {
            if (label == QLatin1String("hardneg"))
                label = QStringLiteral("none");
            const std::string normalised = TextModel::normalise(text);
            if (normalised.empty())
                continue;
            if (excluded.contains(normalised)) {
                ++leftOut;
                continue;
            }
            if (seen.contains(normalised)) {
                ++duplicates;
                continue;
            }
            seen.insert(normalised);
            lines += QStringLiteral("__label__%1 %2\n").arg(label, QString::fromStdString(normalised));
            ++written;
        }
    }
    writeOut(lines);
    fail(exitOk,
        QStringLiteral("%1 examples written, %2 duplicates and %3 texts of the evaluation sets left out")
            .arg(written)
            .arg(duplicates)
            .arg(leftOut));
    return exitOk;
}

} // namespace LearnPulse::Ctl
