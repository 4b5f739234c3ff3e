#include "chatview.h"
#include "consoletestbase.h"
#include "consolewindow.h"
#include "ticketbrowser.h"

#include <QAction>
#include <QApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QScreen>
#include <QSystemTrayIcon>
#include <QTabWidget>
#include <QTest>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace LearnPulse;

namespace {

// A desktop with a system tray, real and of its own: an X server (Xvfb, which picks a free display itself
// and says which when it is ready) and a tray (trayer, a freedesktop.org system tray host). The offscreen
// platform the other GUI tests use has no tray, so the desktop notification of a new ticket is tested here,
// on the xcb platform. Both die with the test, however it ends (a crash, a timeout's SIGKILL included), and
// neither holds on to the test's output.
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
        int ready[2];
        if (pipe(ready) != 0)
            return fail("cannot make a pipe");
        m_xvfb = spawn(
            { "Xvfb", "-displayfd", QByteArray::number(ready[1]), "-screen", "0", "1280x820x24", "-nolisten", "tcp" },
            ready[1]);
        close(ready[1]);
        // The display number, written once the server accepts connections.
        QByteArray display;
        pollfd p { ready[0], POLLIN, 0 };
        while (!display.endsWith('\n') && poll(&p, 1, 15000) > 0) {
            char c = 0;
            if (read(ready[0], &c, 1) != 1)
                break;
            display += c;
        }
        close(ready[0]);
        if (m_xvfb <= 0 || !display.endsWith('\n'))
            return fail("Xvfb did not come up");
        setenv("DISPLAY", QByteArray(":" + display.trimmed()).constData(), 1);
        m_tray = spawn({ "trayer", "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "32" });
        return m_tray > 0 || fail("cannot start trayer");
    }

private:
    static bool fail(const char *why)
    {
        std::fprintf(stderr, "tst_console_tray: %s\n", why);
        return false;
    }

    // Starts `args`, its output to /dev/null, killed when this process dies; `keep` stays open in it.
    static pid_t spawn(const QList<QByteArray> &args, int keep = -1)
    {
        std::vector<char *> argv;
        for (const QByteArray &a : args)
            argv.push_back(const_cast<char *>(a.constData()));
        argv.push_back(nullptr);
        const pid_t parent = getpid();
        const pid_t pid = fork();
        if (pid != 0)
            return pid > 0 ? pid : 0;
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1); // the test died before the line above
        const int null = open("/dev/null", O_RDWR);
        dup2(null, 0);
        dup2(null, 1);
        dup2(null, 2);
        for (int fd = 3; fd < 1024; ++fd)
            if (fd != keep)
                close(fd);
        execvp(argv.front(), argv.data());
        _exit(127);
    }

    static void stop(pid_t &pid)
    {
        if (pid <= 0)
            return;
        kill(pid, SIGTERM);
        waitpid(pid, nullptr, 0);
        pid = 0;
    }

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
    auto listeners = [&redis] {
        auto r = redis->command({ "PUBSUB", "NUMSUB", "lp:tickets" });
        return r && r->elements.size() == 2 ? r->elements.at(1).integer : 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(listeners() >= 1, 10000);

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
