#include "chatview.h"
#include "consoletestbase.h"
#include "consolewindow.h"
#include "ticketbrowser.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QScreen>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTest>

#include <csignal>
#include <cstdio>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using namespace LearnPulse;

namespace {

// A desktop with a system tray, real and of its own: an X server (Xvfb) on a free display and a tray
// (trayer, a freedesktop.org system tray host). The offscreen platform the other GUI tests use has no
// tray, so the desktop notification of a new ticket is tested here, on the xcb platform.
class TrayDesktop
{
public:
    ~TrayDesktop()
    {
        stop(m_tray);
        stop(m_xvfb);
    }

    bool start()
    {
        for (int n = 90; n < 190; ++n) {
            if (QFileInfo::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(n))
                || QFileInfo::exists(QStringLiteral("/tmp/.X%1-lock").arg(n)))
                continue;
            m_display = ":" + QByteArray::number(n);
            m_xvfb = spawn({ "Xvfb", m_display.constData(), "-screen", "0", "1280x820x24", "-nolisten", "tcp" });
            if (m_xvfb <= 0)
                return fail("cannot start Xvfb");
            // Up when its socket is there; gone at once when another server took the display meanwhile.
            for (int i = 0; i < 100; ++i) {
                if (QFileInfo::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(n)))
                    break;
                if (waitpid(m_xvfb, nullptr, WNOHANG) == m_xvfb) {
                    m_xvfb = 0;
                    break;
                }
                usleep(100 * 1000);
            }
            if (m_xvfb <= 0)
                continue;
            if (!QFileInfo::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(n)))
                return fail("Xvfb did not come up");
            setenv("DISPLAY", m_display.constData(), 1);
            m_tray
                = spawn({ "trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32" });
            return m_tray > 0 || fail("cannot start trayer");
        }
        return fail("no free X display");
    }

private:
    static bool fail(const char *why)
    {
        std::fprintf(stderr, "tst_console_tray: %s\n", why);
        return false;
    }

    static pid_t spawn(std::initializer_list<const char *> args)
    {
        std::vector<char *> argv;
        for (const char *a : args)
            argv.push_back(const_cast<char *>(a));
        argv.push_back(nullptr);
        pid_t pid = 0;
        return posix_spawnp(&pid, argv.front(), nullptr, nullptr, argv.data(), environ) == 0 ? pid : 0;
    }

    static void stop(pid_t &pid)
    {
        if (pid <= 0)
            return;
        kill(pid, SIGTERM);
        waitpid(pid, nullptr, 0);
        pid = 0;
    }

    QByteArray m_display;
    pid_t m_xvfb = 0;
    pid_t m_tray = 0;
};

// The notification as Qt shows it where the tray has no notification service of its own: a balloon
// (QBalloonTip) next to the icon.
QWidget *visibleBalloon()
{
    for (QWidget *w : QApplication::topLevelWidgets())
        if (w->isVisible() && qstrcmp(w->metaObject()->className(), "QBalloonTip") == 0)
            return w;
    return nullptr;
}

QString textsOf(const QWidget *w)
{
    QStringList texts;
    for (const QLabel *label : w->findChildren<QLabel *>())
        texts << label->text();
    return texts.join(QLatin1Char('\n'));
}

} // namespace

class TestConsoleTray : public ConsoleTestBase
{
    Q_OBJECT

private slots:
    void aNewTicketShowsADesktopNotification();
};

void TestConsoleTray::aNewTicketShowsADesktopNotification()
{
    QTRY_VERIFY_WITH_TIMEOUT(QSystemTrayIcon::isSystemTrayAvailable(), 10000);
    QVERIFY(QSystemTrayIcon::supportsMessages());
    auto w = openAs(QStringLiteral("sam@school.example"), Role::Support);
    QVERIFY(!w->findChild<QSystemTrayIcon *>()); // no icon until there is something to say
    w->tabs()->setCurrentWidget(w->chatView()); // the agent is elsewhere
    auto redis = m_redis->client();
    QVERIFY(redis);
    // The console listens on the tickets channel before the other console's ticket comes.
    QTRY_VERIFY_WITH_TIMEOUT(
        redis->command({ "PUBSUB", "NUMSUB", "lp:tickets" })->elements.value(1).integer >= 1, 10000);

    const TicketResult ticket = makeTicket(QStringLiteral("The marks are wrong again"), 1);
    const QByteArray created = QJsonDocument(QJsonObject { { QStringLiteral("ticket_id"), ticket.ticketId },
                                                 { QStringLiteral("change"), QStringLiteral("created") } })
                                   .toJson(QJsonDocument::Compact);
    QVERIFY(redis->command({ "PUBLISH", "lp:tickets", created }));
    QWidget *balloon = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((balloon = visibleBalloon()) != nullptr, 10000);
    const QString said = textsOf(balloon);
    QVERIFY2(said.contains(QLatin1String("New support ticket")) && said.contains(ticket.ticketId), qPrintable(said));
    auto *tray = w->findChild<QSystemTrayIcon *>();
    QVERIFY(tray && tray->isVisible());
    QVERIFY(!tray->toolTip().contains(ticket.ticketId)); // the icon itself names no ticket
    if (const QByteArray dir = qgetenv("LP_SCREENSHOT_DIR"); !dir.isEmpty()) {
        QTest::qWait(300);
        // The whole screen: the window, the tray at the top right and the notification beside its icon.
        QGuiApplication::primaryScreen()->grabWindow(0).save(
            QString::fromLocal8Bit(dir) + QStringLiteral("/new-ticket-notification.png"));
    }

    // Clicking the notification brings the ticket queue forward, and the count on its tab goes.
    QCOMPARE(w->tabs()->tabText(w->tabs()->indexOf(w->ticketBrowser())), QStringLiteral("&Tickets (1 new)"));
    QTest::mouseClick(balloon, Qt::LeftButton, {}, QPoint(balloon->width() / 2, balloon->height() / 2));
    QTRY_COMPARE(w->tabs()->currentWidget(), static_cast<QWidget *>(w->ticketBrowser()));
    QCOMPARE(w->tabs()->tabText(w->tabs()->indexOf(w->ticketBrowser())), QStringLiteral("&Tickets"));
    QTRY_VERIFY(!visibleBalloon());

    // Signing out leaves nothing of the session in the tray.
    w->findChild<QAction *>(QStringLiteral("signOutAction"))->trigger();
    QTRY_VERIFY(!tray->isVisible());
}

int main(int argc, char **argv)
{
    TrayDesktop desktop;
    if (!desktop.start())
        return 1;
    qputenv("QT_QPA_PLATFORM", "xcb");
    qunsetenv("DBUS_SESSION_BUS_ADDRESS"); // the tray of the X server above, not a desktop's notification service
    QApplication app(argc, argv);
    TestConsoleTray test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_console_tray.moc"
