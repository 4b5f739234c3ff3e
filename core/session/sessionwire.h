#pragma once

#include "result.h"
#include "sessionstore.h"

#include <QByteArray>
#include <QDateTime>

// How the session store writes and reads its Redis values (DESIGN.md, "Session state"): times, JSON
// history entries and the state hash. Shared by the store's files; not an interface of its own.
namespace LearnPulse {

struct RedisReply;

namespace SessionWire {

// "2026-11-24T10:00:00.000Z": what Qt::ISODateWithMs writes for UTC, without QDateTime's formatting.
QByteArray isoUtc(const QDateTime &t);
// A JSON string with its quotes; non-ASCII stays UTF-8 (RFC 8259).
void appendJsonString(QByteArray &out, const QString &text);
// The "signals" field: "<ts>=<rules>" per signal, ';' between them.
QByteArray signalsField(const QList<SignalMark> &marks);
SessionState parseState(const QString &sessionId, const RedisReply &hgetall);
Result<QList<HistoryEntry>> parseHistory(const RedisReply &lrange);

} // namespace SessionWire
} // namespace LearnPulse
