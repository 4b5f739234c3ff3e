#include "transcriptreader.h"

#include "messagevalidator.h"

#include <QRegularExpression>
#include <QStringDecoder>

namespace LearnPulse::TranscriptReader {

Result<TicketRecord> parse(QByteArrayView bytes)
{
    using R = Result<TicketRecord>;
    if (bytes.size() > maxBytes)
        return R::failure(QStringLiteral("the transcript is larger than %1 bytes").arg(maxBytes));
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return R::failure(QStringLiteral("the transcript is not valid UTF-8"));
    const QStringList lines = text.split(QLatin1Char('\n'));
    if (lines.isEmpty() || lines.first() != QLatin1String("LearnPulse support ticket"))
        return R::failure(QStringLiteral("not a LearnPulse transcript"));

    // Header fields come before "Conversation (": a message cannot add or change one (its lines are indented).
    QHash<QString, QString> fields;
    QString section;
    for (const QString &line : lines.mid(1)) {
        if (line.startsWith(QLatin1String("Conversation (")))
            break;
        if (line.isEmpty())
            continue;
        if (!line.startsWith(QLatin1Char(' ')) && !line.contains(QLatin1Char(':'))) {
            section = line + QLatin1Char('/');
            continue;
        }
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon < 0)
            continue;
        const QString key = (line.startsWith(QLatin1Char(' ')) ? section : QString()) + line.left(colon).trimmed();
        if (!fields.contains(key))
            fields.insert(key, line.mid(colon + 1).trimmed());
    }
    auto field = [&](const QString &key) {
        const QString v = fields.value(key);
        return v == QLatin1String("-") ? QString() : v;
    };

    TicketRecord r;
    r.id = field(QStringLiteral("Ticket ID"));
    r.sessionId = field(QStringLiteral("Session"));
    static const QRegularExpression idShape(QStringLiteral("\\ATICKET-[0-9a-f]{8}-[0-9]{14}\\z"));
    if (!idShape.match(r.id).hasMatch())
        return R::failure(QStringLiteral("the transcript has no valid ticket ID"));
    if (!MessageValidator::isValidSessionId(r.sessionId)
        || !r.id.startsWith(QStringLiteral("TICKET-") + r.sessionId.left(8)))
        return R::failure(QStringLiteral("the transcript's session does not match its ticket ID"));
    r.created = QDateTime::fromString(field(QStringLiteral("Created")), Qt::ISODate);
    if (!r.created.isValid())
        return R::failure(QStringLiteral("the transcript has no valid creation time"));
    r.updated = r.created;
    r.summary = field(QStringLiteral("Summary"));
    r.teacherName = field(QStringLiteral("Teacher/Name"));
    r.teacherEmail = field(QStringLiteral("Teacher/Email"));
    r.userId = field(QStringLiteral("Teacher/User ID"));
    r.teacherRole = field(QStringLiteral("Teacher/Role"));
    r.classId = field(QStringLiteral("Context/Class"));
    r.student = field(QStringLiteral("Context/Student"));
    r.scope = field(QStringLiteral("Context/Scope"));
    static const QRegularExpression signalsLine(QStringLiteral("\\ASignals \\((\\d+)\\)\\z"));
    for (auto it = fields.cbegin(); it != fields.cend(); ++it) {
        const auto m = signalsLine.match(it.key());
        if (m.hasMatch()) {
            r.signalCount = m.captured(1).toInt();
            if (it.value() != QLatin1String("-"))
                r.rules = it.value().split(QStringLiteral(", "), Qt::SkipEmptyParts);
            r.rules.removeDuplicates();
        }
    }
    if (r.summary.isEmpty() || r.teacherEmail.isEmpty())
        return R::failure(QStringLiteral("the transcript lacks its summary or the teacher's email"));
    return r;
}

} // namespace LearnPulse::TranscriptReader
