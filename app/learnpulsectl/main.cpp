#include "ctl.h"

#include <QCoreApplication>
#include <QLoggingCategory>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // stderr carries one line per error; informational logs only when asked for (QT_LOGGING_RULES).
    QLoggingCategory::setFilterRules(QStringLiteral("lp.*.info=false"));
    QCoreApplication::setOrganizationName(QStringLiteral("LearnPulse"));
    QCoreApplication::setApplicationName(QStringLiteral("learnpulse"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LEARNPULSE_VERSION));
    return LearnPulse::Ctl::run(QCoreApplication::arguments().mid(1));
}
