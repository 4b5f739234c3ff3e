#pragma once

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QList>
#include <QString>

// Small helpers every benchmark program uses.
namespace LearnPulse::Bench {

// The middle value (the upper one of an even count); 0 for none.
double median(QList<double> values);

// Prints "<program>: <why>" on stderr and ends the process with status 1.
[[noreturn]] void die(const QString &why);

// Runs the event loop until `done` holds; dies after `seconds`.
template<typename F>
void waitFor(F &&done, const char *what, int seconds = 120)
{
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > seconds * 1000)
            die(QStringLiteral("timed out waiting for %1").arg(QLatin1String(what)));
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
}

} // namespace LearnPulse::Bench
