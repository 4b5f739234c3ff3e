#include "consolewindow.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LearnPulse"));
    QApplication::setApplicationName(QStringLiteral("learnpulse"));
    QApplication::setApplicationDisplayName(QStringLiteral("LearnPulse Support Console"));
    QApplication::setApplicationVersion(QStringLiteral(LEARNPULSE_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("ai.learnpulse.SupportConsole"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("LearnPulse Support Console"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({ QStringLiteral("data-dir"),
        QStringLiteral("Data directory (default: $LEARNPULSE_DATA_DIR, else the "
                       "per-user data directory)."),
        QStringLiteral("DIR") });
    parser.process(app);

    LearnPulse::ConsoleWindow window(parser.value(QStringLiteral("data-dir")));
    window.show();
    return QApplication::exec();
}
