#include "messageclassifier.h"

#include "textmodel.h"

namespace LearnPulse {

namespace {

// At least `count` words (runs of characters between white space).
bool hasWords(QStringView text, int count)
{
    int words = 0;
    bool inWord = false;
    for (const QChar c : text) {
        if (c.isSpace()) {
            inWord = false;
        } else if (!inWord) {
            inWord = true;
            ++words;
        }
        if (words >= count)
            return true;
    }
    return words >= count;
}

// A dash between spaces (" - ", " – ", " — ") ends a sentence in quick writing: "submit a ticket for me - the portal is
// locked".
bool dashBetweenSpaces(QStringView text, qsizetype i)
{
    const QChar c = text[i];
    if (c != QLatin1Char('-') && c != QChar(0x2013) && c != QChar(0x2014))
        return false;
    return i > 0 && text[i - 1].isSpace() && (i + 1 == text.size() || text[i + 1].isSpace());
}

// The sentences of a message: the text between runs of . ! ? ; line breaks and dashes between spaces.
QList<QStringView> sentences(QStringView text)
{
    QList<QStringView> out;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const bool end = i == text.size() || text[i] == QLatin1Char('.') || text[i] == QLatin1Char('!')
            || text[i] == QLatin1Char('?') || text[i] == QLatin1Char(';') || text[i] == QLatin1Char('\n')
            || dashBetweenSpaces(text, i);
        if (!end)
            continue;
        const QStringView s = text.mid(start, i - start).trimmed();
        if (!s.isEmpty())
            out << s;
        start = i + 1;
    }
    return out;
}

} // namespace

MessageClassifier::MessageClassifier(
    std::shared_ptr<const Detector> rules, std::shared_ptr<const TextModel> model, ModelPolicy policy)
    : m_rules(std::move(rules))
    , m_model(std::move(model))
    , m_policy(policy)
{
    if (!m_rules)
        m_rules = std::shared_ptr<const Detector>(&Detector::builtin(), [](const Detector *) {});
}

bool MessageClassifier::asksInASentence(const QString &text) const
{
    // Each sentence, and the opening clause of one that goes on after a comma or a colon ("Raise a complaint, the lab
    // marks I entered are gone."): an ask that opens a sentence governs it, whatever the rest reports.
    QList<QStringView> parts;
    for (const QStringView sentence : sentences(text)) {
        parts << sentence;
        qsizetype cut = sentence.size();
        for (const QLatin1Char mark : { QLatin1Char(','), QLatin1Char(':') })
            if (const qsizetype at = sentence.indexOf(mark); at >= 0 && at < cut)
                cut = at;
        if (cut > 0 && cut < sentence.size())
            parts << sentence.left(cut).trimmed();
    }
    // One part is the whole message, which the caller has read already (one sentence with a comma is two parts).
    if (parts.size() < 2)
        return false;
    for (const QStringView part : std::as_const(parts)) {
        const QString sentence = part.toString();
        // As for a whole message: in a part shorter than the gate's words the ask is most of it, and the model's
        // reading of it as about something else has little to go on.
        if (m_rules->asksExplicitly(sentence)
            && (!hasWords(sentence, m_policy.gateWords)
                || m_model->predict(sentence).value(QStringLiteral("none"), 1.0F) < m_policy.gate
                || !knowsTheWords(sentence)))
            return true;
    }
    return false;
}

bool MessageClassifier::knowsTheWords(const QString &text) const
{
    return m_model->knownShare(text) >= m_policy.knownShare;
}

Detection MessageClassifier::classify(const QString &text, bool explain, bool everyRule) const
{
    if (!m_model)
        return m_rules->detect(text);
    const QHash<QString, float> p = m_model->predict(text);
    const double none = p.value(QStringLiteral("none"), 1.0F);
    // A message the model reads, with confidence, as none of its business: no rule could count, so only the
    // vague asks are looked for (most messages of a day: the detector stays fast).
    const bool confident = none >= m_policy.gate && hasWords(text, m_policy.gateWords);
    // ... but an explicit ask in one sentence of a longer message about something else ("Also, could you put in a
    // ticket with support?") is read on its own: the model reads that sentence, not the whole message.
    bool asks = false;
    Detection d = confident ? m_rules->detectOffer(text, &asks) : m_rules->detect(text);
    // ... and an explicit ask in words the model mostly never learnt (another language) is not the model's to overrule.
    const bool askUnread = asks && (asksInASentence(text) || !knowsTheWords(text));
    if (confident && (everyRule || askUnread))
        d = m_rules->detect(text);
    d.modelScore = 1.0 - none;
    QString label = QStringLiteral("unhappy");
    for (const char *other : { "person", "correction" })
        if (p.value(QLatin1String(other)) > p.value(label))
            label = QLatin1String(other);
    d.modelLabel = label;
    const bool modelCounts = d.modelScore >= m_policy.threshold;
    // A correction only marks the turn, toward the offer of a ticket that the teacher may decline: the model's reading
    // counts for that at a lower bar than a signal does.
    d.correction = label == QLatin1String("correction") && d.modelScore >= m_policy.correctionThreshold;

    // The rules' matches count while the model does not read the message, with confidence, as none of its
    // business; otherwise they are kept aside (detect --explain shows them). A message that is nothing but a word for
    // a person ("agent") has no other business to be about: it counts whatever the model reads.
    if (d.dissatisfied && confident && !d.rules.contains(QLatin1String("escape_word")) && !askUnread) {
        d.overruled = d.rules;
        d.rules.clear();
        d.phrases.clear();
        d.dissatisfied = false;
        d.explicitRequest = false;
    }
    // A vague ask for a person the rules found gets the offer of a ticket (the teacher chooses), not a ticket at
    // once: the model's reading of it as asking for a person changes nothing.
    if (modelCounts && d.vagueRequest && !d.dissatisfied && label == QLatin1String("person"))
        return d;
    if (modelCounts) {
        if (label == QLatin1String("person") && p.value(label) >= m_policy.personThreshold) {
            d.explicitRequest = true;
            d.vagueRequest = false;
            d.vaguePhrase.clear();
        }
        if (!d.dissatisfied) {
            // The model is the reason: named, with the words that weighed most.
            d.rules << QStringLiteral("model_") + label;
            d.phrases << (explain ? m_model->weightiest(text, QStringLiteral("none"), 3).join(QLatin1String(", "))
                                  : QString());
        }
        d.dissatisfied = true;
    }
    return d;
}

} // namespace LearnPulse
