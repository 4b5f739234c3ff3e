#include "sessionwire.h"

#include "redisclient.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>

namespace LearnPulse {

namespace SessionWire {

// "2026-11-24T10:00:00.000Z": what Qt::ISODateWithMs writes for UTC, made on every turn, so without
// QDateTime's locale-aware formatting.
QByteArray isoUtc(const QDateTime &t)
{
    if (!t.isValid())
        return {};
    using namespace std::chrono;
    const sys_time<milliseconds> tp { milliseconds { t.toMSecsSinceEpoch() } };
    const auto day = floor<days>(tp);
    const year_month_day ymd { day };
    const hh_mm_ss hms { tp - day };
    char buf[32];
    const int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()),
        unsigned(ymd.month()), unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
        int(hms.seconds().count()), int(hms.subseconds().count()));
    return QByteArray(buf, n);
}

// A JSON string with its quotes; non-ASCII stays UTF-8 (RFC 8259).
void appendJsonString(QByteArray &out, const QString &text)
{
    static const char hex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    out += '"';
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 0xf];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

QByteArray signalsField(const QList<SignalMark> &marks)
{
    QStringList out;
    for (const SignalMark &m : marks)
        out << (m.key.isEmpty() ? QString() : m.key + QLatin1Char('=')) + m.rules.join(QLatin1Char(','));
    return out.join(QLatin1Char(';')).toUtf8();
}

SessionState parseState(const QString &sessionId, const RedisReply &hgetall)
{
    QHash<QByteArray, QString> f;
    for (qsizetype i = 0; i + 1 < hgetall.elements.size(); i += 2)
        f.insert(hgetall.elements.at(i).string, QString::fromUtf8(hgetall.elements.at(i + 1).string));
    SessionState s;
    s.id = sessionId;
    s.context
        = { f.value("user_id"), f.value("teacher_email"), f.value("student"), f.value("class_id"), f.value("scope") };
    s.dissatisfactionCount = f.value("dissatisfaction_count").toInt();
    s.escalated = f.value("escalated") == QLatin1String("1");
    s.ticketId = f.value("ticket_id");
    s.escalationReason = f.value("escalation_reason");
    // "<ts>=<rules>;..." (a mark without "=" was written before signals had keys).
    auto marks = [](const QString &field) {
        QList<SignalMark> out;
        for (const QString &group : field.split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
            const qsizetype eq = group.indexOf(QLatin1Char('='));
            out.append(
                { eq < 0 ? QString() : group.left(eq), group.mid(eq + 1).split(QLatin1Char(','), Qt::SkipEmptyParts) });
        }
        return out;
    };
    s.signalMarks = marks(f.value("signals"));
    for (const SignalMark &m : std::as_const(s.signalMarks))
        s.signalRules << m.rules;
    s.withdrawnSignals = marks(f.value("withdrawn"));
    for (const QString &vote : f.value("votes").split(QLatin1Char(';'), Qt::SkipEmptyParts)) {
        const qsizetype eq = vote.lastIndexOf(QLatin1Char('='));
        if (eq > 0)
            s.votes.insert(vote.left(eq), vote.mid(eq + 1) == QLatin1String("up"));
    }
    s.offer = f.value("offer");
    s.created = QDateTime::fromString(f.value("created"), Qt::ISODateWithMs);
    s.updated = QDateTime::fromString(f.value("updated"), Qt::ISODateWithMs);
    return s;
}

Result<QList<HistoryEntry>> parseHistory(const RedisReply &lrange)
{
    QList<HistoryEntry> entries;
    entries.reserve(lrange.elements.size());
    for (const RedisReply &item : lrange.elements) {
        auto entry = HistoryEntry::fromJson(item.string);
        if (!entry)
            return Result<QList<HistoryEntry>>::failure(entry.error());
        entries.append(std::move(entry).value());
    }
    return entries;
}

} // namespace SessionWire

using SessionWire::appendJsonString;
using SessionWire::isoUtc;

QByteArray HistoryEntry::toJson() const
{
    // Written directly: this runs on every turn, and QJsonDocument costs more than the rest of the turn's
    // client-side work together (docs/BENCHMARKS.md).
    QByteArray out;
    out.reserve(content.size() + 64);
    out += "{\"role\":";
    appendJsonString(out, role);
    out += ",\"content\":";
    appendJsonString(out, content);
    out += ",\"ts\":\"";
    out += isoUtc(timestamp);
    out += "\"}";
    return out;
}

QDateTime HistoryEntry::stamp()
{
    static std::atomic<qint64> last { 0 };
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 previous = last.load();
    qint64 next = 0;
    do
        next = std::max(now, previous + 1);
    while (!last.compare_exchange_weak(previous, next));
    return QDateTime::fromMSecsSinceEpoch(next, Qt::UTC);
}

QStringList SessionState::rulesOf(const HistoryEntry &entry, bool withdrawn) const
{
    const QString key = entry.key();
    const bool reply = entry.role == QLatin1String("assistant");
    QStringList rules;
    for (const SignalMark &m : withdrawn ? withdrawnSignals : signalMarks)
        if (m.key == key)
            for (const QString &rule : m.rules)
                if ((rule == QLatin1String("thumbs_down")) == reply)
                    rules << rule;
    return rules;
}

QString HistoryEntry::key() const
{
    return QString::fromLatin1(isoUtc(timestamp));
}

Result<HistoryEntry> HistoryEntry::fromJson(const QByteArray &json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    if (!doc.isObject())
        return Result<HistoryEntry>::failure(QStringLiteral("A history entry in Redis is not a JSON object"));
    const QJsonObject o = doc.object();
    HistoryEntry e;
    e.role = o.value(QLatin1String("role")).toString();
    e.content = o.value(QLatin1String("content")).toString();
    e.timestamp = QDateTime::fromString(o.value(QLatin1String("ts")).toString(), Qt::ISODateWithMs);
    return e;
}

} // namespace LearnPulse
