#include "detector.h"

#include "logging.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace LearnPulse {

namespace {

constexpr auto regexOptions = QRegularExpression::UseUnicodePropertiesOption;

const QString personToken = QStringLiteral("zzperson");
const QString quoteToken = QStringLiteral(" zzquote ");

// Text inside quotation marks is something somebody else wrote ("students wrote "not helpful""),
// never the teacher's own verdict.
const QRegularExpression &quotedSpan()
{
    static const QRegularExpression re(QStringLiteral("\"[^\"]*\"|\u201C[^\u201D]*\u201D|\u00AB[^\u00BB]*\u00BB|\u201E[^\u201C\u201D]*[\u201C\u201D]"),
                                       regexOptions);
    return re;
}

const QRegularExpression &wordToken()
{
    static const QRegularExpression re(QStringLiteral("[\\p{L}][\\p{L}\\p{M}'\u2019\u2018\\-]*"), regexOptions);
    return re;
}

const QRegularExpression &normalisedToken()
{
    static const QRegularExpression re(
        QStringLiteral("([\\p{L}\\p{N}]+(?:'[\\p{L}]+)*)|([.!?;:,()\\[\\]{}\\n\\r\\t\u2026\u2014\u2013]+)"), regexOptions);
    return re;
}

QString straightenApostrophes(QString text)
{
    for (const QChar c : {QChar(0x2019), QChar(0x2018), QChar(0x02BC), QChar(0x00B4), QChar(u'`')})
        text.replace(c, QLatin1Char('\''));
    return text;
}

bool isCapitalised(const QString &word)
{
    return word.size() >= 2 && word.at(0).isUpper() && word.at(1).isLower();
}

QString stringField(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

} // namespace

namespace {

std::shared_ptr<const Detector> builtinInstance()
{
    static const std::shared_ptr<const Detector> instance = [] {
        auto result = Detector::fromFile(QStringLiteral(":/rules/detector-rules.json"));
        if (!result.detector)
            qFatal("built-in detector rules are broken: %s", qPrintable(result.error));
        return result.detector;
    }();
    return instance;
}

} // namespace

const Detector &Detector::builtin()
{
    return *builtinInstance();
}

DetectorLoadResult Detector::withOverride(const QString &overrideFile)
{
    if (!QFile::exists(overrideFile))
        return {builtinInstance(), QString()};
    return fromFile(overrideFile);
}

DetectorLoadResult Detector::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {nullptr, QStringLiteral("cannot read rules file %1: %2").arg(path, file.errorString())};
    return fromJson(file.readAll(), path);
}

DetectorLoadResult Detector::fromJson(const QByteArray &json, const QString &origin)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return {nullptr,
                QStringLiteral("rules file %1 is not valid JSON at offset %2: %3")
                    .arg(origin)
                    .arg(parseError.offset)
                    .arg(parseError.errorString())};
    if (!doc.isObject())
        return {nullptr, QStringLiteral("rules file %1 must hold a JSON object").arg(origin)};
    const QJsonObject root = doc.object();

    std::shared_ptr<Detector> d(new Detector);
    QString error;

    auto compile = [&](const QString &what, const QString &pattern) {
        QRegularExpression re(pattern, regexOptions);
        if (pattern.isEmpty())
            error = QStringLiteral("rules file %1: %2 is missing or empty").arg(origin, what);
        else if (!re.isValid())
            error = QStringLiteral("rules file %1: %2 is not a valid regular expression: %3")
                        .arg(origin, what, re.errorString());
        return re;
    };

    auto loadRules = [&](const char *key, std::vector<Rule> &into) {
        const QJsonValue value = root.value(QLatin1String(key));
        if (!value.isArray() || value.toArray().isEmpty()) {
            error = QStringLiteral("rules file %1: \"%2\" must be a non-empty array").arg(origin, QLatin1String(key));
            return;
        }
        for (const QJsonValue &entry : value.toArray()) {
            const QJsonObject o = entry.toObject();
            Rule rule;
            rule.name = stringField(o, "name");
            if (rule.name.isEmpty()) {
                error = QStringLiteral("rules file %1: a rule in \"%2\" has no name").arg(origin, QLatin1String(key));
                return;
            }
            rule.pattern = compile(QStringLiteral("rule \"%1\"").arg(rule.name), stringField(o, "pattern"));
            rule.negatable = o.value(QLatin1String("negatable")).toBool(false);
            if (!error.isEmpty())
                return;
            into.push_back(std::move(rule));
        }
    };

    loadRules("explicit_rules", d->m_explicitRules);
    if (error.isEmpty())
        loadRules("complaint_rules", d->m_complaintRules);
    if (error.isEmpty())
        d->m_people = compile(QStringLiteral("people_pattern"), stringField(root, "people_pattern"));
    if (error.isEmpty())
        d->m_objects = compile(QStringLiteral("object_pattern"), stringField(root, "object_pattern"));
    if (error.isEmpty())
        d->m_assistant = compile(QStringLiteral("assistant_pattern"), stringField(root, "assistant_pattern"));
    if (error.isEmpty())
        d->m_negation = compile(QStringLiteral("negation_pattern"), stringField(root, "negation_pattern"));
    if (error.isEmpty())
        d->m_clauseSeparators = compile(QStringLiteral("clause_separators"), stringField(root, "clause_separators"));
    if (!error.isEmpty())
        return {nullptr, error};

    for (const QJsonValue &v : root.value(QLatin1String("name_stopwords")).toArray())
        d->m_nameStopwords.insert(v.toString().toLower());
    for (const QJsonValue &v : root.value(QLatin1String("name_followers")).toArray())
        d->m_nameFollowers.insert(straightenApostrophes(v.toString().toLower()));
    const QJsonObject contractions = root.value(QLatin1String("contractions")).toObject();
    for (auto it = contractions.begin(); it != contractions.end(); ++it)
        d->m_contractions.insert(straightenApostrophes(it.key().toLower()), it.value().toString());

    qCDebug(lcDetector) << "loaded" << d->m_explicitRules.size() + d->m_complaintRules.size() << "rules from" << origin;
    return {d, QString()};
}

QStringList Detector::ruleNames() const
{
    QStringList names;
    for (const auto *rules : {&m_explicitRules, &m_complaintRules})
        for (const Rule &r : *rules)
            names << r.name;
    return names;
}

// Replaces names of people (and possessives such as "Ava's") by a marker token, using the original
// capitalisation: a capitalised word inside a sentence, or one opening a sentence and followed by a
// verb ("Omar is ..."), that is not a common word.
QString Detector::markPeople(const QString &text) const
{
    struct Token
    {
        qsizetype start;
        qsizetype length;
        QString word;
        bool sentenceStart;
    };
    std::vector<Token> tokens;
    qsizetype previousEnd = 0;
    auto it = wordToken().globalMatch(text);
    while (it.hasNext()) {
        const auto m = it.next();
        const QStringView gap = QStringView(text).mid(previousEnd, m.capturedStart() - previousEnd);
        const bool sentenceStart = tokens.empty() || gap.contains(QLatin1Char('.')) || gap.contains(QLatin1Char('!'))
            || gap.contains(QLatin1Char('?')) || gap.contains(QLatin1Char('\n'));
        tokens.push_back({m.capturedStart(), m.capturedLength(), m.captured(), sentenceStart});
        previousEnd = m.capturedEnd();
    }

    QString out = text;
    // Replace from the end so earlier offsets stay valid.
    for (auto i = qsizetype(tokens.size()) - 1; i >= 0; --i) {
        const Token &t = tokens[size_t(i)];
        const QString straight = straightenApostrophes(t.word);
        const QString lower = straight.toLower();
        bool person = false;
        if (lower.endsWith(QLatin1String("'s")) && !m_contractions.contains(lower)) {
            person = !m_nameStopwords.contains(lower.chopped(2));
        } else if (isCapitalised(straight) && !m_nameStopwords.contains(lower)) {
            if (!t.sentenceStart) {
                person = true;
            } else if (size_t(i) + 1 < tokens.size() && !tokens[size_t(i) + 1].sentenceStart) {
                person = m_nameFollowers.contains(straightenApostrophes(tokens[size_t(i) + 1].word.toLower()));
            }
        }
        if (person)
            out.replace(t.start, t.length, personToken);
    }
    return out;
}

QString Detector::normalise(const QString &text) const
{
    QString marked = text;
    marked.replace(quotedSpan(), quoteToken);
    marked = straightenApostrophes(markPeople(marked)).toLower();

    QStringList parts;
    auto it = normalisedToken().globalMatch(marked);
    while (it.hasNext()) {
        const auto m = it.next();
        if (m.hasCaptured(2)) {
            if (!parts.isEmpty() && parts.constLast() != QLatin1String("|"))
                parts << QStringLiteral("|");
            continue;
        }
        const QString word = m.captured(1);
        if (const auto found = m_contractions.constFind(word); found != m_contractions.constEnd())
            parts << *found;
        else if (word.endsWith(QLatin1String("n't")))
            parts << word.chopped(3) + QLatin1String(" not");
        else if (const qsizetype apostrophe = word.indexOf(QLatin1Char('\'')); apostrophe > 0)
            parts << word.left(apostrophe);
        else
            parts << word;
    }
    return parts.join(QLatin1Char(' '));
}

QStringList Detector::clauses(const QString &normalised) const
{
    QStringList result;
    for (const QString &piece : normalised.split(QLatin1Char('|'))) {
        for (const QString &clause : piece.split(m_clauseSeparators)) {
            const QString simplified = clause.simplified();
            if (!simplified.isEmpty())
                result << simplified;
        }
    }
    return result;
}

// Who a matched phrase is about, from the words around it in its clause. A phrase that opens with
// the assistant ("you keep ...") names its own subject. Otherwise somebody or something named before
// it ("Omar is confused", "the projector is not working") wins; then the assistant before it or
// inside it ("your answer is confusing", "I told you twice"); then people named after it ("frustrated
// with Omar"). Objects after a request for support ("open a ticket about this bug") do not change
// what is asked for.
bool Detector::aboutSomebodyElse(const QString &clause, const QString &match, qsizetype start, qsizetype end,
                                 bool explicitRule) const
{
    const auto inMatch = m_assistant.match(match);
    if (inMatch.hasMatch() && inMatch.capturedStart() == 0)
        return false;
    const QString prefix = clause.left(start);
    if (m_people.match(prefix).hasMatch() || m_objects.match(prefix).hasMatch())
        return true;
    if (inMatch.hasMatch() || m_assistant.match(prefix).hasMatch())
        return false;
    const QString suffix = clause.mid(end);
    return m_people.match(suffix).hasMatch() || (!explicitRule && m_objects.match(suffix).hasMatch());
}

Detection Detector::detect(const QString &text) const
{
    Detection result;
    const QStringList parts = clauses(normalise(text));

    auto apply = [&](const std::vector<Rule> &rules, bool explicitRequest) {
        for (const Rule &rule : rules) {
            bool counted = false;
            for (const QString &clause : parts) {
                auto it = rule.pattern.globalMatch(clause);
                while (it.hasNext() && !counted) {
                    const auto m = it.next();
                    if (rule.negatable && m_negation.match(clause.left(m.capturedStart())).hasMatch())
                        continue;
                    if (aboutSomebodyElse(clause, m.captured(), m.capturedStart(), m.capturedEnd(), explicitRequest))
                        continue;
                    counted = true;
                }
                if (counted)
                    break;
            }
            if (counted) {
                result.rules << rule.name;
                result.dissatisfied = true;
                result.explicitRequest = result.explicitRequest || explicitRequest;
            }
        }
    };
    apply(m_explicitRules, true);
    apply(m_complaintRules, false);
    return result;
}

} // namespace LearnPulse
