#include "sessionwire.h"

#include "redisclient.h"

#include <QJsonDocument>
#include <QJsonObject>

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
    for (const QString &group : f.value("signals").split(QLatin1Char(';'), Qt::SkipEmptyParts))
        s.signalRules << group.split(QLatin1Char(','), Qt::SkipEmptyParts);
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
