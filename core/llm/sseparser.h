#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace LearnPulse {

// One server-sent event.
struct SseEvent
{
    QString event; // "message" unless the stream named it
    QString data; // data lines joined with "\n"
    QString id;
};

// Incremental parser for a text/event-stream body (the WHATWG server-sent events format). Bytes may
// arrive split anywhere (mid-line, mid-UTF-8 character, between \r and \n): only complete lines are
// decoded. A line longer than its cap, or an event whose data grows past its cap without the blank line
// that ends it, is an error rather than unbounded memory.
class SseParser final
{
public:
    explicit SseParser(qsizetype maxLineBytes = 1 << 20, qsizetype maxEventBytes = 4 << 20);

    // Parses what `chunk` completes; returns the events it finished, in order.
    QList<SseEvent> feed(QByteArrayView chunk);

    bool hasError() const { return !m_error.isEmpty(); }
    QString error() const { return m_error; }
    // True while part of an event (or line) has been read but not yet finished by a blank line.
    bool hasPendingData() const;

private:
    void processLine(QByteArrayView line, QList<SseEvent> &out);

    qsizetype m_maxLineBytes;
    qsizetype m_maxEventBytes;
    QByteArray m_buffer;
    bool m_skipLineFeed = false; // the previous chunk ended with \r: a leading \n belongs to it
    bool m_firstLine = true;
    QString m_event;
    QString m_data;
    QString m_id;
    bool m_hasData = false;
    QString m_error;
};

} // namespace LearnPulse
