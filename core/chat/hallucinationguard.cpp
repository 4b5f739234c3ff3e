#include "hallucinationguard.h"

#include <QRegularExpression>

namespace LearnPulse {

namespace {

constexpr auto options = QRegularExpression::CaseInsensitiveOption | QRegularExpression::UseUnicodePropertiesOption;

// Where a sentence ends: after . ! ? (and closing quotes or brackets) followed by white space, or at
// a line break.
const QRegularExpression &sentenceEnd()
{
    static const QRegularExpression re(QStringLiteral("[.!?]+[\"'\u201D\u2019)\\]]*\\s+|\\n+"), options);
    return re;
}

const QRegularExpression &ticketId()
{
    static const QRegularExpression re(QStringLiteral("\\bTICKET-[A-Za-z0-9_-]+"), options);
    return re;
}

// "I / we" ... an action ... its object, within one sentence; a negation between the subject and
// the action ("I can't open tickets") makes it an honest statement, not a claim.
const QRegularExpression &ticketClaim()
{
    static const QRegularExpression re(
        QStringLiteral(
            "\\b(?:i|we)\\b(?<gap>[^.!?\\n]{0,80}?)\\b(?:creat|open|fil|rais|submitt?|logg?|lodg|escalat|start|generat)"
            "\\w*\\b"
            "[^.!?\\n]{0,40}?\\b(?<!exit )(?<!entry )(?<!admit )(?:ticket|case|complaint|support request)s?\\b"
            "|\\b(?:a|an|the|your|this)\\s+(?:new\\s+)?(?:support\\s+)?(?:ticket|case)\\s+(?:has|have)?\\s*(?:been|was|"
            "is being|will be|is now)\\s+"
            "(?:created|opened|filed|raised|submitted|logged|lodged|escalated)"
            "|\\byour\\s+(?:support\\s+)?ticket\\s+(?:number|id|reference)\\s+is\\b"),
        options);
    return re;
}

const QRegularExpression &contactClaim()
{
    static const QRegularExpression re(
        QStringLiteral("\\b(?:i|we)\\b(?<gap>[^.!?\\n]{0,80}?)\\b(?:e-?mail(?:ed)?|contact(?:ed)?|notif(?:y|ied)|"
                       "inform(?:ed)?|alert(?:ed)?|"
                       "messag(?:e|ed)|forward(?:ed)?|sen[dt]|pass(?:ed)?|reach(?:ed)? "
                       "out|escalat(?:e|ed)|report(?:ed)?|cc'?d|copied|"
                       "flagg?(?:ed)?|loop(?:ed)? in)\\b[^.!?\\n]{0,50}?"
                       "(?<!your )(?<!you and your )\\b(?:support|help ?desk|the team|our team|learnpulse|an? "
                       "(?:administrator|agent|human|"
                       "person|real person)|the administrator|someone from \\w+|staff)\\b"
                       "|\\b(?:support|the support team|our team|the team|an agent|a human)\\s+(?:has|have)\\s+been\\s+"
                       "(?:notified|contacted|emailed|informed|alerted|told)"
                       "|\\b(?:this|it|your (?:request|issue|message|conversation|question|feedback))\\s+(?:has "
                       "been|was|will be)\\s+"
                       "(?:sent|forwarded|escalated|passed|reported|emailed)\\s+(?:on\\s+)?to\\s+(?:the\\s+|our\\s+)?(?"
                       ":support|team|help ?desk|staff)"),
        options);
    return re;
}

const QRegularExpression &negation()
{
    static const QRegularExpression re(
        QStringLiteral(
            "\\b(?:not|cannot|can't|can\u2019t|cant|unable|never|n't|n\u2019t|won't|don't|do not)\\b|n['\u2019]t\\b"),
        options);
    return re;
}

// A claim that is not negated anywhere between its subject and its verb.
bool makesClaim(const QRegularExpression &re, const QString &sentence)
{
    auto it = re.globalMatch(sentence);
    while (it.hasNext()) {
        const auto m = it.next();
        const QString gap = m.captured(QStringLiteral("gap"));
        if (gap.isEmpty() || !negation().match(gap).hasMatch())
            return true;
    }
    return false;
}

} // namespace

HallucinationGuard::HallucinationGuard(QString realTicketId)
    : m_realTicketId(std::move(realTicketId))
{ }

QString HallucinationGuard::honestSentence(const QString &realTicketId)
{
    if (!realTicketId.isEmpty())
        return QStringLiteral("(Your conversation is with the LearnPulse support team as ticket %1.)")
            .arg(realTicketId);
    return QStringLiteral(
        "(I can't open support tickets or contact anyone myself. If you would like a person to help, "
        "say so, for example \u201Cplease contact support\u201D, and LearnPulse will open a ticket and "
        "tell you its number.)");
}

QString HallucinationGuard::guardSentence(const QString &sentence)
{
    QStringList found;
    auto ids = ticketId().globalMatch(sentence);
    while (ids.hasNext())
        if (ids.next().captured().compare(m_realTicketId, Qt::CaseInsensitive) != 0) {
            found << QStringLiteral("ticket_id");
            break;
        }
    // With a real ticket, saying that support has the conversation is true.
    if (m_realTicketId.isEmpty()) {
        if (makesClaim(ticketClaim(), sentence))
            found << QStringLiteral("ticket_claim");
        if (makesClaim(contactClaim(), sentence))
            found << QStringLiteral("contact_claim");
    }
    if (found.isEmpty())
        return sentence;

    for (const QString &kind : std::as_const(found))
        if (!m_claims.contains(kind))
            m_claims << kind;
    // Keep the white space that ended the sentence, so the text around it stays laid out.
    qsizetype trailing = sentence.size();
    while (trailing > 0 && sentence.at(trailing - 1).isSpace())
        --trailing;
    const QString space = sentence.mid(trailing);
    if (m_honestSaid)
        return QString();
    m_honestSaid = true;
    return honestSentence(m_realTicketId) + (space.isEmpty() ? QString() : space);
}

QString HallucinationGuard::feed(const QString &delta)
{
    m_buffer += delta;
    QString out;
    qsizetype start = 0;
    auto it = sentenceEnd().globalMatch(m_buffer);
    while (it.hasNext()) {
        const auto m = it.next();
        out += guardSentence(m_buffer.mid(start, m.capturedEnd() - start));
        start = m.capturedEnd();
    }
    m_buffer.remove(0, start);
    return out;
}

QString HallucinationGuard::finish()
{
    QString out = m_buffer.isEmpty() ? QString() : guardSentence(m_buffer);
    m_buffer.clear();
    return out;
}

QString HallucinationGuard::check(const QString &reply, const QString &realTicketId, QStringList *claims)
{
    HallucinationGuard guard(realTicketId);
    QString out = guard.feed(reply);
    out += guard.finish();
    if (claims)
        *claims = guard.claims();
    return out;
}

} // namespace LearnPulse
