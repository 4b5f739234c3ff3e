#include "ctl.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("LearnPulse"));
    QCoreApplication::setApplicationName(QStringLiteral("learnpulse"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LEARNPULSE_VERSION));
    return LearnPulse::Ctl::run(QCoreApplication::arguments().mid(1));
}
