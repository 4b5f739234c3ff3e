#include "words.h"

namespace LearnPulse {

QString Words::status(const QString &status)
{
    if (status == QLatin1String("open"))
        return tr("Open");
    if (status == QLatin1String("in_progress"))
        return tr("In progress");
    if (status == QLatin1String("resolved"))
        return tr("Resolved");
    return status;
}

QString Words::emailDelivery(const QString &emailStatus)
{
    if (emailStatus == QLatin1String("sent"))
        return tr("Sent");
    if (emailStatus == QLatin1String("not_configured"))
        return tr("Not configured");
    if (emailStatus.startsWith(QLatin1String("failed")))
        return tr("Failed");
    if (emailStatus.startsWith(QLatin1String("pending ("))) {
        const int tries = emailStatus.mid(9).section(QLatin1Char(' '), 0, 0).toInt();
        return counted(tries, tr("Retrying (%1 try)"), tr("Retrying (%1 tries)"));
    }
    if (emailStatus == QLatin1String("pending"))
        return tr("Waiting to send");
    return emailStatus;
}

QString Words::plainToolTip(const QString &text)
{
    if (!text.contains(QLatin1Char('<')))
        return text; // no tag, nothing Qt would take for markup
    return QStringLiteral("<p style=\"white-space:pre-wrap\">%1</p>").arg(text.toHtmlEscaped());
}

} // namespace LearnPulse
