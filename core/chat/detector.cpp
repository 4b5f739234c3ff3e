#include "detector.h"

#include "detectortext.h"
#include "logging.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cstdlib>

namespace LearnPulse {

namespace {

constexpr auto regexOptions = QRegularExpression::UseUnicodePropertiesOption;

const QString personToken = QStringLiteral("zzperson");
const QString quoteToken = QStringLiteral(" zzquote ");

// Text inside quotation marks is something somebody else wrote ("students wrote "not helpful""),
// never the teacher's own verdict.
const QRegularExpression &quotedSpan()
{
    static const QRegularExpression re(
        QStringLiteral("\"[^\"]*\"|\u201C[^\u201D]*\u201D|\u00AB[^\u00BB]*\u00BB|\u201E[^\u201C\u201D]*[\u201C\u201D]"),
        regexOptions);
    return re;
}

bool isApostropheVariant(QChar c, bool orStraight = false)
{
    const char16_t u = c.unicode();
    return u == 0x2019 || u == 0x2018 || u == 0x02BC || u == 0x00B4 || u == u'`' || (orStraight && u == u'\'');
}

QString straightenApostrophes(QString text)
{
    // One pass, and no copy at all for the usual text without curly apostrophes.
    const auto first = std::find_if(text.cbegin(), text.cend(), [](QChar c) { return isApostropheVariant(c); });
    if (first == text.cend())
        return text;
    for (auto i = first - text.cbegin(); i < text.size(); ++i)
        if (isApostropheVariant(text.at(i)))
            text[i] = QLatin1Char('\'');
    return text;
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
        return { builtinInstance(), QString() };
    return fromFile(overrideFile);
}

DetectorLoadResult Detector::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return { nullptr, QStringLiteral("cannot read rules file %1: %2").arg(path, file.errorString()) };
    return fromJson(file.readAll(), path);
}

DetectorLoadResult Detector::fromJson(const QByteArray &json, const QString &origin)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return { nullptr,
            QStringLiteral("rules file %1 is not valid JSON at offset %2: %3")
                .arg(origin)
                .arg(parseError.offset)
                .arg(parseError.errorString()) };
    if (!doc.isObject())
        return { nullptr, QStringLiteral("rules file %1 must hold a JSON object").arg(origin) };
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
            rule.mention = o.value(QLatin1String("mention")).toBool(false);
            for (const QJsonValue &r : o.value(QLatin1String("requires")).toArray())
                if (!r.toString().isEmpty())
                    rule.needs << r.toString();
            if (!error.isEmpty())
                return;
            into.push_back(std::move(rule));
        }
    };

    loadRules("explicit_rules", d->m_explicitRules);
    if (error.isEmpty())
        loadRules("complaint_rules", d->m_complaintRules);
    // Optional: complaints that span clauses ("wow, super useful... not"), matched on the whole message.
    if (error.isEmpty() && root.contains(QLatin1String("message_rules")))
        loadRules("message_rules", d->m_messageRules);
    for (size_t i = 0; i < d->m_messageRules.size() && i < 64; ++i)
        for (const QString &needle : std::as_const(d->m_messageRules[i].needs))
            d->m_messageNeeds.add(needle, int(i));
    d->m_messageNeeds.build();
    // Optional: vague asks for a person, answered with the offer of a ticket.
    if (error.isEmpty() && root.contains(QLatin1String("offer_rules")))
        loadRules("offer_rules", d->m_offerRules);
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
        return { nullptr, error };

    for (const QJsonValue &v : root.value(QLatin1String("name_stopwords")).toArray())
        d->m_nameStopwords.insert(v.toString().toLower());
    for (const QJsonValue &v : root.value(QLatin1String("name_followers")).toArray())
        d->m_nameFollowers.insert(straightenApostrophes(v.toString().toLower()));
    // Optional: the words typed at a chatbot to reach a person, and what may stand around them.
    for (const QJsonValue &v : root.value(QLatin1String("escape_words")).toArray())
        if (!v.toString().isEmpty())
            d->m_escapeWords << v.toString().toLower();
    for (const QJsonValue &v : root.value(QLatin1String("escape_fillers")).toArray())
        d->m_escapeFillers.insert(v.toString().toLower());
    const QJsonObject contractions = root.value(QLatin1String("contractions")).toObject();
    for (auto it = contractions.begin(); it != contractions.end(); ++it)
        d->m_contractions.insert(straightenApostrophes(it.key().toLower()), it.value().toString());

    qCDebug(lcDetector) << "loaded" << d->m_explicitRules.size() + d->m_complaintRules.size() << "rules from" << origin;
    return { d, QString() };
}

QStringList Detector::ruleNames() const
{
    QStringList names;
    for (const auto *rules : { &m_explicitRules, &m_complaintRules })
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
        bool sentenceStart;
    };
    std::vector<Token> tokens;
    qsizetype previousEnd = 0;
    const QList<DetectorText::Span> spans = DetectorText::words(text);
    tokens.reserve(size_t(spans.size()));
    for (const DetectorText::Span &span : spans) {
        const QStringView gap = QStringView(text).mid(previousEnd, span.start - previousEnd);
        const bool sentenceStart = tokens.empty() || gap.contains(QLatin1Char('.')) || gap.contains(QLatin1Char('!'))
            || gap.contains(QLatin1Char('?')) || gap.contains(QLatin1Char('\n'));
        tokens.push_back({ span.start, span.length, sentenceStart });
        previousEnd = span.start + span.length;
    }
    // Straightened and lower-cased, made only for the few words that can be names.
    auto lowerOf = [&](const Token &t) { return straightenApostrophes(text.mid(t.start, t.length)).toLower(); };

    QString out = text;
    // Replace from the end so earlier offsets stay valid.
    for (auto i = qsizetype(tokens.size()) - 1; i >= 0; --i) {
        const Token &t = tokens[size_t(i)];
        const QStringView word = QStringView(text).mid(t.start, t.length);
        const bool possessive = word.size() > 2
            && (word.at(word.size() - 1) == u's' || word.at(word.size() - 1) == u'S')
            && isApostropheVariant(word.at(word.size() - 2), true);
        // Apostrophes are neither upper nor lower case, so straightening cannot change this.
        const bool capitalised = word.size() >= 2 && word.at(0).isUpper() && word.at(1).isLower();
        if (!possessive && !capitalised)
            continue;
        const QString lower = lowerOf(t);
        bool person = false;
        if (lower.endsWith(QLatin1String("'s")) && !m_contractions.contains(lower)) {
            person = !m_nameStopwords.contains(lower.chopped(2));
        } else if (capitalised && !m_nameStopwords.contains(lower)) {
            if (!t.sentenceStart) {
                person = true;
            } else if (size_t(i) + 1 < tokens.size() && !tokens[size_t(i) + 1].sentenceStart) {
                person = m_nameFollowers.contains(lowerOf(tokens[size_t(i) + 1]));
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
    if (std::any_of(text.cbegin(), text.cend(),
            [](QChar c) { return c == u'"' || c == QChar(0x201C) || c == QChar(0x00AB) || c == QChar(0x201E); }))
        marked.replace(quotedSpan(), quoteToken);
    marked = straightenApostrophes(markPeople(marked)).toLower();

    QString out;
    out.reserve(marked.size() + 16);
    bool separated = true; // nothing yet, or the last thing written is a clause break
    auto append = [&out](QStringView part) {
        if (!out.isEmpty())
            out += QLatin1Char(' ');
        out += part;
    };
    for (const DetectorText::Span &span : DetectorText::normalisedTokens(marked)) {
        if (span.punctuation) {
            if (!separated)
                append(u"|");
            separated = true;
            continue;
        }
        separated = false;
        const QStringView word = QStringView(marked).mid(span.start, span.length);
        if (const auto found = m_contractions.constFind(word.toString()); found != m_contractions.constEnd())
            append(*found);
        else if (word.endsWith(QLatin1String("n't")))
            append(QString(word.chopped(3).toString() + QLatin1String(" not")));
        else if (const qsizetype apostrophe = word.indexOf(QLatin1Char('\'')); apostrophe > 0)
            append(word.left(apostrophe));
        else
            append(word);
    }
    return out;
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
bool Detector::aboutSomebodyElse(
    const QString &clause, const QString &match, qsizetype start, qsizetype end, bool explicitRule) const
{
    const auto inMatch = m_assistant.match(match);
    if (inMatch.hasMatch() && inMatch.capturedStart() == 0)
        return false;
    const QString prefix = clause.left(start);
    // "Your explanation of recursion for my year 9s is confusing", "the breakdown you gave me is wrong":
    // what the assistant produced is the subject, whatever else the clause names before the match.
    static const QRegularExpression assistantWork(QStringLiteral(
        "^(?:\\w+ ){0,3}?(?:your (?:answer|answers|reply|replies|response|responses|explanation|explanations|summary|"
        "list|lists|numbers|figures|data|breakdown|table|chart|plan|suggestion|suggestions|advice|info|information|"
        "report|calculation|calculations|maths|math|output|version|draft|analysis)|the (?:\\w+ ){1,3}you (?:gave|"
        "wrote|sent|made|produced|generated|showed|listed|suggested|calculated)(?: me)?|you (?:have |had "
        ")?(?:got|get|put|made|"
        "mixed|messed|muddled|confused))\\b"));
    if (assistantWork.match(prefix).hasMatch())
        return false;
    if (m_people.match(prefix).hasMatch() || m_objects.match(prefix).hasMatch())
        return true;
    if (inMatch.hasMatch() || m_assistant.match(prefix).hasMatch())
        return false;
    const QString suffix = clause.mid(end);
    return m_people.match(suffix).hasMatch() || (!explicitRule && m_objects.match(suffix).hasMatch());
}

QString Detection::ruleInWords(const QString &rule)
{
    static const QHash<QString, QString> words {
        { QStringLiteral("talk_to_person"), QStringLiteral("asked to talk to a person") },
        { QStringLiteral("contact_support"), QStringLiteral("asked to contact support") },
        { QStringLiteral("ask_for_human"), QStringLiteral("asked for a person") },
        { QStringLiteral("escape_word"), QStringLiteral("asked for a person") },
        { QStringLiteral("real_person"), QStringLiteral("asked for a real person") },
        { QStringLiteral("put_through"), QStringLiteral("asked to be put through") },
        { QStringLiteral("support_staff"), QStringLiteral("asked for the support team") },
        { QStringLiteral("someone_help_me"), QStringLiteral("asked for someone to help") },
        { QStringLiteral("open_ticket"), QStringLiteral("asked for a support ticket") },
        { QStringLiteral("escalate"), QStringLiteral("asked to escalate") },
        { QStringLiteral("contact_me"), QStringLiteral("asked to be contacted") },
        { QStringLiteral("ask_other_language"), QStringLiteral("asked for a person") },
        { QStringLiteral("contact_support_button"), QStringLiteral("pressed Contact support") },
        { QStringLiteral("to_support"), QStringLiteral("wrote to the support team") },
        { QStringLiteral("model_unhappy"), QStringLiteral("read as unhappy with the answers") },
        { QStringLiteral("model_person"), QStringLiteral("read as asking for a person") },
        { QStringLiteral("model_correction"), QStringLiteral("read as correcting or repeating the request") },
        { QStringLiteral("offer_accepted"), QStringLiteral("accepted the offer of a support ticket") },
        { QStringLiteral("not_helpful"), QStringLiteral("said the answer was not helpful") },
        { QStringLiteral("does_not_help"), QStringLiteral("said the answer did not help") },
        { QStringLiteral("not_answered"), QStringLiteral("said the question was not answered") },
        { QStringLiteral("not_listening"), QStringLiteral("felt not listened to") },
        { QStringLiteral("not_what_asked"), QStringLiteral("said it was not what they asked") },
        { QStringLiteral("wrong"), QStringLiteral("said the answer was wrong") },
        { QStringLiteral("not_right"), QStringLiteral("said the answer was not right") },
        { QStringLiteral("unclear"), QStringLiteral("found the answer unclear") },
        { QStringLiteral("frustrated"), QStringLiteral("said they were frustrated") },
        { QStringLiteral("useless"), QStringLiteral("called the answer useless") },
        { QStringLiteral("waste_of_time"), QStringLiteral("called it a waste of time") },
        { QStringLiteral("not_working"), QStringLiteral("said it was not working") },
        { QStringLiteral("repeated_answer"), QStringLiteral("got the same answer again") },
        { QStringLiteral("giving_up"), QStringLiteral("said they were giving up") },
        { QStringLiteral("keeps_repeating"), QStringLiteral("said the assistant keeps repeating itself") },
        { QStringLiteral("repetition"), QStringLiteral("asked the same thing again") },
        { QStringLiteral("thumbs_down"), QStringLiteral("marked an answer as not helpful") },
        { QStringLiteral("sarcasm"), QStringLiteral("thanked the assistant sarcastically") },
        { QStringLiteral("contradicted"), QStringLiteral("corrected the assistant's facts") },
        { QStringLiteral("compared_unfavourably"), QStringLiteral("said other tools did better") },
        { QStringLiteral("misunderstood"), QStringLiteral("said the question was misunderstood") },
        { QStringLiteral("ignored_instructions"), QStringLiteral("said what they asked for was ignored") },
        { QStringLiteral("said_before"), QStringLiteral("got what the assistant had said before") },
        { QStringLiteral("corrected_again"), QStringLiteral("had to correct the assistant again") },
        { QStringLiteral("not_trusted"), QStringLiteral("said the answers cannot be trusted") },
        { QStringLiteral("harder"), QStringLiteral("said the assistant made it harder") },
        { QStringLiteral("exasperated"), QStringLiteral("said they had had enough") },
    };
    return words.value(rule, QString(rule).replace(QLatin1Char('_'), QLatin1Char(' ')));
}

QString Detection::rulesInWords(const QStringList &rules, const QString &prefix)
{
    QStringList words;
    for (const QString &rule : rules) {
        QString w = prefix + ruleInWords(rule);
        if (rule.startsWith(QLatin1String("model_"))) // the trained model's part: about the message, not an act
            w = (prefix.trimmed() == QLatin1String("you") ? QStringLiteral("your message as a whole ")
                                                          : QStringLiteral("the message as a whole "))
                + ruleInWords(rule);
        if (!words.contains(w))
            words << w;
    }
    return words.join(QLatin1String("; "));
}

namespace {

// The first of the vague-ask rules that matches the normalised message, as the offer of a ticket.
template<typename Rules>
void findOffer(const Rules &offerRules, const QString &normalised, Detection &result)
{
    for (const auto &rule : offerRules) {
        const auto m = rule.pattern.match(normalised);
        if (m.hasMatch()) {
            result.vagueRequest = true;
            result.vaguePhrase = m.captured().trimmed();
            return;
        }
    }
}

// Whether two words are at most one edit apart: a letter left out, added or changed, or two neighbours swapped.
bool withinOneEdit(QStringView a, QStringView b)
{
    if (a.size() > b.size())
        std::swap(a, b);
    if (b.size() - a.size() > 1)
        return false;
    qsizetype i = 0;
    while (i < a.size() && a[i] == b[i])
        ++i;
    if (i == a.size())
        return true; // equal, or one letter added at the end
    if (a.size() == b.size()) {
        // one letter changed, or two neighbours swapped
        if (a.mid(i + 1) == b.mid(i + 1))
            return true;
        return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.mid(i + 2) == b.mid(i + 2);
    }
    return a.mid(i) == b.mid(i + 1); // one letter added in b
}

} // namespace

bool Detector::asksOnlyForAPerson(const QString &normalised, QString *phrase) const
{
    if (m_escapeWords.isEmpty() || normalised.size() > 80)
        return false;
    bool asked = false;
    for (const QStringView word : QStringView(normalised).split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (word == u"|" || m_escapeFillers.contains(word.toString()))
            continue;
        // A slip of one letter in a word of five letters or more ("representitive", "operater", "humna"), but not a
        // longer or shorter form of the word ("agents", "humane", "supports"); a short word must be exact ("rep").
        const bool escape = std::any_of(m_escapeWords.cbegin(), m_escapeWords.cend(), [&word](const QString &w) {
            if (word == w)
                return true;
            if (word.size() < 5 || w.size() < 5 || word.startsWith(w) || w.startsWith(word))
                return false;
            return withinOneEdit(word, w);
        });
        if (!escape)
            return false;
        asked = true;
    }
    if (asked && phrase)
        *phrase = QString(normalised).remove(QLatin1Char('|')).simplified();
    return asked;
}

bool Detector::addEscapeWord(const QString &normalised, Detection &result) const
{
    QString phrase;
    if (!asksOnlyForAPerson(normalised, &phrase))
        return false;
    result.rules << QStringLiteral("escape_word");
    result.phrases << phrase;
    result.dissatisfied = result.explicitRequest = true;
    return true;
}

void Detector::applyRules(const std::vector<Rule> &rules, const QStringList &clauses, bool explicitRequest,
    Detection &result, bool asksOnly) const
{
    // One rule after another (one alternation of every rule as a first pass over each clause was slower: PCRE2 loses
    // each pattern's own start optimisations in the alternation; 65 against 28 us a message on the training messages,
    // 2026-12-03).
    for (const Rule &rule : rules) {
        if (asksOnly && rule.mention)
            continue;
        bool counted = false;
        QString phrase;
        for (qsizetype c = 0; c < clauses.size() && !counted; ++c) {
            const QString &clause = clauses.at(c);
            auto it = rule.pattern.globalMatch(clause);
            while (it.hasNext() && !counted) {
                const auto m = it.next();
                if (rule.negatable && m_negation.match(clause.left(m.capturedStart())).hasMatch())
                    continue;
                if (aboutSomebodyElse(clause, m.captured(), m.capturedStart(), m.capturedEnd(), explicitRequest))
                    continue;
                counted = true;
                phrase = m.captured().trimmed();
            }
        }
        if (counted) {
            result.rules << rule.name;
            result.phrases << phrase;
            result.dissatisfied = true;
            result.explicitRequest = result.explicitRequest || explicitRequest;
        }
    }
}

bool Detector::asksExplicitly(const QString &text) const
{
    Detection result;
    const QString normalised = normalise(text);
    if (addEscapeWord(normalised, result))
        return true;
    applyRules(m_explicitRules, clauses(normalised), true, result, true);
    return result.explicitRequest;
}

Detection Detector::detectOffer(const QString &text, bool *asksExplicitly) const
{
    Detection result;
    const QString normalised = normalise(text);
    if (addEscapeWord(normalised, result)) {
        if (asksExplicitly)
            *asksExplicitly = true;
        return result;
    }
    findOffer(m_offerRules, normalised, result);
    if (asksExplicitly) {
        Detection asks;
        applyRules(m_explicitRules, clauses(normalised), true, asks, true);
        *asksExplicitly = asks.explicitRequest;
    }
    return result;
}

Detection Detector::detect(const QString &text) const
{
    Detection result;
    const QString normalised = normalise(text);
    const QStringList parts = clauses(normalised);
    if (parts.isEmpty())
        return result;
    // A vague ask gets the offer of a ticket unless the message asks for one clearly.
    auto addOffer = [&] {
        if (!result.explicitRequest)
            findOffer(m_offerRules, normalised, result);
    };
    // Rules over the whole message (clause breaks kept as " | "), which see what no single clause shows.
    QStringList messageRules;
    QStringList messagePhrases;
    const quint64 needed = m_messageNeeds.groupsIn(normalised); // every rule's "requires" in one pass
    for (size_t i = 0; i < m_messageRules.size(); ++i) {
        const Rule &rule = m_messageRules[i];
        if (!rule.needs.isEmpty()
            && (i < 64 ? !(needed & (quint64(1) << i))
                       : std::none_of(rule.needs.cbegin(), rule.needs.cend(),
                           [&normalised](const QString &needle) { return normalised.contains(needle); })))
            continue;
        const auto m = rule.pattern.match(normalised);
        if (m.hasMatch()) {
            messageRules << rule.name;
            messagePhrases << m.captured().trimmed();
        }
    }
    auto addMessageRules = [&] {
        for (qsizetype i = 0; i < messageRules.size(); ++i)
            if (!result.rules.contains(messageRules.at(i))) {
                result.rules << messageRules.at(i);
                result.phrases << messagePhrases.at(i);
                result.dissatisfied = true;
            }
    };

    addEscapeWord(normalised, result);
    applyRules(m_explicitRules, parts, true, result);
    applyRules(m_complaintRules, parts, false, result);
    addMessageRules();
    addOffer();
    return result;
}

} // namespace LearnPulse
