#pragma once

// What the console's GUI tests share: the servers (a real Redis, the OpenAI-compatible test server), a
// fresh data directory per test, and helpers that act as a person would (sign in, close the privacy
// notice). The tests run on the offscreen platform; with LP_SCREENSHOT_DIR set they also save a picture
// of each main view there.

#include "accountstore.h"
#include "config.h"
#include "consolewindow.h"
#include "database.h"
#include "testsupport.h"
#include "ticketservice.h"

#include <QDialog>
#include <QObject>
#include <QTemporaryDir>

#include <memory>

namespace LearnPulse {
class ChatView;
class TicketBrowser;
} // namespace LearnPulse

class ConsoleTestBase : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

protected:
    void addAccount(const QString &email, LearnPulse::Role role);
    std::unique_ptr<LearnPulse::ConsoleWindow> openWindow();
    void signIn(LearnPulse::ConsoleWindow &w, const QString &email);
    void closePrivacyNotice(LearnPulse::ConsoleWindow &w);
    // A window of a new account `email`, signed in, the privacy notice closed, in the view the role starts at.
    std::unique_ptr<LearnPulse::ConsoleWindow> openAs(const QString &email, LearnPulse::Role role);
    // A window of a new account `email`, signed in, the privacy notice closed, its conversation open in front.
    std::unique_ptr<LearnPulse::ConsoleWindow> openChat(
        const QString &email, LearnPulse::Role role = LearnPulse::Role::Teacher);
    // The administration view's settings dialog, opened with its button as an admin would; null when it did not
    // appear within 10 s.
    static QDialog *openSettings(LearnPulse::ConsoleWindow &w);
    // Types `text` into the chat's message box and presses Enter, as a teacher would.
    static void say(LearnPulse::ChatView *chat, const QString &text);
    // Chooses `status` for the ticket shown in `browser`, as an agent would.
    static void chooseStatus(LearnPulse::TicketBrowser *browser, const QString &status);
    LearnPulse::TicketResult makeTicket(const QString &words, int n);
    void screenshot(QWidget *w, const QString &name);
    // Whether a dialog, as laid out now, fits a 800x600 screen whole (its smallest size too), with its title bar
    // and a panel.
    static bool fitsSmallScreen(const QWidget *dialog);

    LearnPulse::Test::FakeLlm m_llm;
    std::unique_ptr<LearnPulse::Test::TestRedis> m_redis;
    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<QTemporaryDir> m_configHome;
    LearnPulse::Config m_config;
    std::shared_ptr<LearnPulse::Database> m_db;
};
