#pragma once

#include <QCoreApplication>
#include <QString>

namespace LearnPulse {

// What people read: counts, statuses and delivery in words, the same in every view and report.
class Words final
{
    Q_DECLARE_TR_FUNCTIONS(Words)

public:
    Words() = delete;

    // "1 ticket", "4 tickets": `one` or `many` (each with a "%1" for the number, or none), without "(s)".
    static QString counted(qint64 n, const QString &one, const QString &many) { return (n == 1 ? one : many).arg(n); }
    // A ticket's status as people say it: "Open", "In progress", "Resolved" (an unknown one as stored).
    static QString status(const QString &status);
    // A ticket email's delivery: "Sent", "Retrying (2 tries)", "Waiting to send", "Not configured", "Failed".
    static QString emailDelivery(const QString &emailStatus);
    // Stored text as a tooltip that shows it as it is: Qt renders a tooltip that looks like markup as rich text
    // (an "<img>" in a summary would load), so text with a "<" goes escaped inside markup, its line breaks kept.
    static QString plainToolTip(const QString &text);
};

} // namespace LearnPulse
