#include "transcripthtml.h"

#include "detector.h"

#include <QDateTime>
#include <QLocale>
#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

namespace LearnPulse::TranscriptHtml {

namespace {

struct Message
{
    QString time;
    QString speaker;
    QString signal;
    QStringList lines;
    QString heading = {}; // not a message: the start of a section ("Conversation (…)", "After the escalation (…)")
};

// `text` escaped, with every occurrence of the search's words marked (case-insensitive).
QString highlighted(const QString &text, const QStringList &words)
{
    if (words.isEmpty())
        return text.toHtmlEscaped();
    QStringList escaped;
    for (const QString &w : words)
        escaped << QRegularExpression::escape(w);
    static thread_local QHash<QString, QRegularExpression> cache;
    const QString pattern = escaped.join(QLatin1Char('|'));
    auto it = cache.find(pattern);
    if (it == cache.end())
        it = cache.insert(pattern, QRegularExpression(pattern, QRegularExpression::CaseInsensitiveOption));
    QString out;
    qsizetype at = 0;
    for (auto m = it->globalMatch(text); m.hasNext();) {
        const auto match = m.next();
        out += text.mid(at, match.capturedStart() - at).toHtmlEscaped();
        out += QStringLiteral("<span style='background-color:#fff59d; color:#000'>%1</span>")
                   .arg(match.captured().toHtmlEscaped());
        at = match.capturedEnd();
    }
    return out + text.mid(at).toHtmlEscaped();
}

QString localTime(const QString &iso)
{
    const QDateTime t = QDateTime::fromString(iso, Qt::ISODate);
    return t.isValid() ? QLocale().toString(t.toLocalTime(), QLocale::ShortFormat) : iso;
}

} // namespace

QString render(const QString &transcript, const QString &search, bool dark)
{
    // The words of the search (quotes and operators aside), at least two characters each.
    QStringList words;
    for (const QString &w : QString(search).remove(QLatin1Char('"')).split(QLatin1Char(' '), Qt::SkipEmptyParts))
        if (w.size() >= 2 && w != QLatin1String("OR") && w != QLatin1String("AND") && w != QLatin1String("NOT"))
            words << w;

    // "[time] Speaker (signal: …):" — a speaker's name may hold "(" and ":" (a support agent's display name).
    static const QRegularExpression messageStart(QStringLiteral("^\\[([^\\]]+)\\] (.+?)(?: \\(signal: (.*)\\))?:$"));
    QStringList header;
    QList<Message> messages;
    bool inMessages = false;
    for (const QString &line : transcript.split(QLatin1Char('\n'))) {
        if (line.startsWith(QLatin1String("Conversation ("))
            || line.startsWith(QLatin1String("After the escalation ("))) {
            inMessages = true;
            Message heading;
            heading.heading = line;
            messages.append(heading);
            continue;
        }
        if (!inMessages) {
            // What the ticket browser's header does not say already: the context and the signals.
            static const QStringList shown { QStringLiteral("Created:"), QStringLiteral("Class:"),
                QStringLiteral("Student:"), QStringLiteral("Scope:"), QStringLiteral("Signals (") };
            const QString trimmed = line.trimmed();
            if (std::any_of(shown.cbegin(), shown.cend(), [&](const QString &p) { return trimmed.startsWith(p); }))
                header << line;
            continue;
        }
        if (const auto m = messageStart.match(line); m.hasMatch()) {
            messages.append({ m.captured(1), m.captured(2), m.captured(3), {} });
            continue;
        }
        if (!messages.isEmpty() && messages.last().heading.isEmpty()
            && (line.startsWith(QLatin1String("  ")) || line.isEmpty()))
            messages.last().lines << (line.isEmpty() ? line : line.mid(2));
    }

    const QString muted = dark ? QStringLiteral("#b0b4ba") : QStringLiteral("#55595f");
    QString html = QStringLiteral("<div style='color:%1'>").arg(muted);
    for (const QString &line : std::as_const(header)) {
        QString shown = line.trimmed();
        if (shown.startsWith(QLatin1String("Created: ")))
            shown = QStringLiteral("Created: ") + localTime(shown.mid(9));
        static const QRegularExpression signalsLine(QStringLiteral("^(Signals \\(\\d+\\): )(.+)$"));
        if (const auto m = signalsLine.match(shown); m.hasMatch() && m.captured(2) != QLatin1String("-")) {
            QStringList rules;
            for (const QString &rule : m.captured(2).split(QStringLiteral(", "), Qt::SkipEmptyParts))
                rules << rule.trimmed();
            shown = m.captured(1) + Detection::rulesInWords(rules);
        } else if (shown.endsWith(QLatin1String(": -"))) {
            // An empty field of the header ("Class: -" in the text as mailed), in words.
            shown = shown.chopped(1)
                + (shown.startsWith(QLatin1String("Signals")) ? QStringLiteral("not recorded")
                                                              : QStringLiteral("not given"));
        }
        html += highlighted(shown, words) + QStringLiteral("<br>");
    }
    html += QStringLiteral("</div>");
    for (const Message &m : std::as_const(messages)) {
        if (!m.heading.isEmpty()) {
            html += QStringLiteral("<h4>%1</h4>").arg(m.heading.toHtmlEscaped());
            continue;
        }
        const bool teacher = m.speaker == QLatin1String("Teacher");
        const bool support = m.speaker.startsWith(QLatin1String("Support"));
        const QString background = dark ? (teacher   ? QStringLiteral("#2e4a33")
                                           : support ? QStringLiteral("#4a3a12")
                                                     : QStringLiteral("#33363b"))
                                        : (teacher        ? QStringLiteral("#e8f5e9")
                                                : support ? QStringLiteral("#fff3d6")
                                                          : QStringLiteral("#f3f4f6"));
        html += QStringLiteral(
            "<table width='100%' cellpadding='6' style='margin-top:6px; background-color:%1'><tr><td>")
                    .arg(background);
        html += QStringLiteral("<b>%1</b> <span style='color:%2'>%3</span>")
                    .arg(m.speaker.toHtmlEscaped(), muted, localTime(m.time).toHtmlEscaped());
        if (!m.signal.isEmpty()) // in words already
            html += QStringLiteral("<br><span style='color:%1'><i>Counted as a signal: %2</i></span>")
                        .arg(muted, m.signal.toHtmlEscaped());
        QStringList body;
        for (const QString &line : m.lines)
            body << highlighted(line, words);
        while (!body.isEmpty() && body.constLast().isEmpty())
            body.removeLast();
        html += QStringLiteral("<br>") + body.join(QStringLiteral("<br>"));
        html += QStringLiteral("</td></tr></table>");
    }
    return html;
}

} // namespace LearnPulse::TranscriptHtml
