#include "sseparser.h"

#include <QStringDecoder>

namespace LearnPulse {

SseParser::SseParser(qsizetype maxLineBytes, qsizetype maxEventBytes)
    : m_maxLineBytes(maxLineBytes)
    , m_maxEventBytes(maxEventBytes)
{ }

bool SseParser::hasPendingData() const
{
    return !m_buffer.isEmpty() || m_hasData || !m_event.isEmpty();
}

QList<SseEvent> SseParser::feed(QByteArrayView chunk)
{
    QList<SseEvent> out;
    if (hasError())
        return out;
    if (m_skipLineFeed && !chunk.isEmpty()) {
        if (chunk.front() == '\n')
            chunk = chunk.sliced(1);
        m_skipLineFeed = false;
    }
    m_buffer.append(chunk);

    qsizetype start = 0;
    for (qsizetype i = 0; i < m_buffer.size(); ++i) {
        const char c = m_buffer.at(i);
        if (c != '\n' && c != '\r')
            continue;
        processLine(QByteArrayView(m_buffer).sliced(start, i - start), out);
        if (hasError())
            return out;
        if (c == '\r') {
            if (i + 1 < m_buffer.size()) {
                if (m_buffer.at(i + 1) == '\n')
                    ++i;
            } else {
                m_skipLineFeed = true;
            }
        }
        start = i + 1;
    }
    m_buffer.remove(0, start);
    if (m_buffer.size() > m_maxLineBytes)
        m_error = QStringLiteral("a line of the event stream is longer than %1 bytes").arg(m_maxLineBytes);
    return out;
}

void SseParser::processLine(QByteArrayView line, QList<SseEvent> &out)
{
    if (m_firstLine) {
        m_firstLine = false;
        if (line.startsWith("\xEF\xBB\xBF"))
            line = line.sliced(3);
    }
    if (line.isEmpty()) {
        // A blank line dispatches the event (if it carried data).
        if (m_hasData)
            out.append({ m_event.isEmpty() ? QStringLiteral("message") : m_event, m_data, m_id });
        m_event.clear();
        m_data.clear();
        m_hasData = false;
        return;
    }
    if (line.front() == ':')
        return; // comment (keep-alive)

    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(line);
    if (decoder.hasError()) {
        m_error = QStringLiteral("the event stream is not valid UTF-8");
        return;
    }
    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    const QString field = colon < 0 ? text : text.left(colon);
    QString value = colon < 0 ? QString() : text.mid(colon + 1);
    if (value.startsWith(QLatin1Char(' ')))
        value.remove(0, 1);
    if (field == QLatin1String("data")) {
        if (m_hasData)
            m_data += QLatin1Char('\n');
        m_data += value;
        m_hasData = true;
        // UTF-16 code units, each at least one byte of the stream: a safe lower bound of the bytes read.
        if (m_data.size() > m_maxEventBytes)
            m_error
                = QStringLiteral("an event of the stream is longer than %1 bytes without ending").arg(m_maxEventBytes);
    } else if (field == QLatin1String("event")) {
        m_event = value;
    } else if (field == QLatin1String("id")) {
        m_id = value;
    }
    // "retry" and unknown fields are ignored, as the format says.
}

} // namespace LearnPulse
