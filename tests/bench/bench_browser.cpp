// The ticket browser of the real console at a large index (issue 8, point 4): a support agent signs
// in to a console whose index holds N generated tickets; measured are the time from asking for the
// list to its first page on screen, the time from a search (typed, then Return) to its results on screen (medians
// of several), the time to scroll through every ticket, and the process's resident memory before the
// window, with the first page shown, and with every ticket scrolled into the table.
//
//   bench_browser [--size N] [--runs N]
#include "accountstore.h"
#include "benchsupport.h"
#include "config.h"
#include "consolewindow.h"
#include "database.h"
#include "signinpage.h"
#include "testsupport.h"
#include "ticketbrowser.h"
#include "ticketgenerator.h"
#include "tickettablemodel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDialog>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace LearnPulse;
using Bench::die;
using Bench::median;
using Bench::waitFor;

namespace {

// The time from `start` to the model's next complete answer being on screen (the view repainted).
template<typename F>
double timeToShown(TicketTableModel *model, QTableView *table, F &&start)
{
    QSignalSpy loaded(model, &TicketTableModel::loaded);
    QElapsedTimer t;
    t.start();
    start();
    waitFor([&] { return !loaded.isEmpty(); }, "a page of tickets");
    table->viewport()->repaint();
    return double(t.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("lp.*=false"));
    QStandardPaths::setTestModeEnabled(true);
    QCommandLineParser parser;
    parser.addOption({ QStringLiteral("size"), QStringLiteral("Tickets in the index."), QStringLiteral("N"),
        QStringLiteral("100000") });
    parser.addOption({ QStringLiteral("runs"), QStringLiteral("Repetitions of each timing."), QStringLiteral("N"),
        QStringLiteral("5") });
    parser.addHelpOption();
    parser.process(app);
    const int size = qMax(100, parser.value(QStringLiteral("size")).toInt());
    const int runs = qMax(1, parser.value(QStringLiteral("runs")).toInt());

    QTemporaryDir configHome;
    qputenv("XDG_CONFIG_HOME", configHome.path().toLocal8Bit());
    Test::TestRedis redis;
    if (!redis.start())
        die(redis.error());
    qputenv("REDIS_URL", redis.url().toUtf8());
    qunsetenv("LEARNPULSE_DATA_DIR");
    qunsetenv("SMTP_HOST");
    QTemporaryDir data;
    {
        const Config config = Config::load(data.path()).value();
        auto db = Database::open(config);
        if (!db)
            die(db.error());
        Bench::generateIndex(config, db.value(), size, 0);
        AccountStore accounts(db.value());
        if (auto added = accounts.add(Actor::commandLine(), QStringLiteral("support@school.example"),
                QStringLiteral("Support"), Role::Support, QByteArray("secret-pass-1"));
            !added)
            die(added.error());
    }
    const qint64 rssStart = Bench::residentKiB();

    QElapsedTimer coldStart;
    coldStart.start();
    ConsoleWindow w(data.path());
    w.resize(1280, 820);
    w.show();
    SignInPage *page = w.signInPage();
    waitFor([&] { return page->isVisible(); }, "the sign-in page");
    const double signInShownMs = double(coldStart.nsecsElapsed()) / 1e6;
    const qint64 rssSignIn = Bench::residentKiB();
    page->findChild<QLineEdit *>(QStringLiteral("emailEdit"))->setText(QStringLiteral("support@school.example"));
    page->findChild<QLineEdit *>(QStringLiteral("passwordEdit"))->setText(QStringLiteral("secret-pass-1"));
    page->findChild<QPushButton *>(QStringLiteral("signInButton"))->click();
    QElapsedTimer signedIn;
    signedIn.start();
    waitFor([&] { return w.isSignedIn(); }, "the sign-in");
    if (auto *notice = w.findChild<QDialog *>(QStringLiteral("privacyNotice")))
        notice->reject();
    TicketBrowser *browser = w.ticketBrowser();
    if (!browser)
        die(QStringLiteral("no ticket browser for a support agent"));
    w.tabs()->setCurrentWidget(browser);
    TicketTableModel *model = browser->model();
    auto *table = browser->findChild<QTableView *>(QStringLiteral("ticketTable"));
    auto *search = browser->findChild<QLineEdit *>(QStringLiteral("searchEdit"));
    waitFor([&] { return model->rowCount() > 0 && !model->isLoading(); }, "the first page");
    table->viewport()->repaint();
    const double signInToListMs = double(signedIn.nsecsElapsed()) / 1e6;
    const qint64 rssFirstPage = Bench::residentKiB();

    QList<double> firstPage;
    QList<double> searched;
    int found = 0;
    for (int i = 0; i < runs; ++i) {
        firstPage << timeToShown(model, table, [&] { browser->refresh(); });
        // Typed, then Return: the search starts at once (without Return it starts 300 ms after the last key).
        searched << timeToShown(model, table, [&] {
            search->setText(QStringLiteral("photosynthesis algebra"));
            emit search->returnPressed();
        });
        found = model->total();
        (void)timeToShown(model, table, [&] {
            search->clear();
            emit search->returnPressed();
        });
    }
    if (found <= 0 || found >= size)
        die(QStringLiteral("the search found %1 of %2 tickets").arg(found).arg(size));

    // Scroll to the end, as far as it goes, until every ticket is in the table.
    QElapsedTimer scroll;
    scroll.start();
    waitFor(
        [&] {
            table->scrollToBottom();
            return model->rowCount() >= model->total();
        },
        "every ticket scrolled into the table", 600);
    const double scrollS = double(scroll.elapsed()) / 1000.0;
    table->viewport()->repaint();
    const qint64 rssAll = Bench::residentKiB();

    const QJsonObject o { { QStringLiteral("tickets"), size }, { QStringLiteral("runs"), runs },
        { QStringLiteral("first_page_shown_ms"), median(firstPage) },
        { QStringLiteral("search_shown_ms"), median(searched) }, { QStringLiteral("search_matches"), found },
        { QStringLiteral("scroll_through_all_s"), scrollS }, { QStringLiteral("rows_in_table"), model->rowCount() },
        { QStringLiteral("window_to_sign_in_page_ms"), signInShownMs },
        { QStringLiteral("sign_in_to_first_page_ms"), signInToListMs },
        { QStringLiteral("resident_mib_before_window"), double(rssStart) / 1024.0 },
        { QStringLiteral("resident_mib_sign_in_page"), double(rssSignIn) / 1024.0 },
        { QStringLiteral("resident_mib_first_page"), double(rssFirstPage) / 1024.0 },
        { QStringLiteral("resident_mib_all_scrolled"), double(rssAll) / 1024.0 } };
    std::printf("%-22s %s\n", "ticket_browser_gui", QJsonDocument(o).toJson(QJsonDocument::Compact).constData());
    return 0;
}
