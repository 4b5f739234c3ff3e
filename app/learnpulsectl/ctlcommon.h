#pragma once

// What every learnpulsectl command shares: output, exit codes, the option parser and one prologue that
// opens the index through the composition root (Services). Each command group has a file of its own.

#include "config.h"
#include "result.h"
#include "services.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <optional>

namespace LearnPulse {
class Database;
}

namespace LearnPulse::Ctl {

constexpr int exitOk = 0;
constexpr int exitError = 1;
constexpr int exitUsage = 2;

extern const char usageText[];

void writeOut(const QString &text);
void printJson(const QJsonObject &o);
// Prints "learnpulsectl: <message>" on stderr and returns `code` (exitOk for a warning).
int fail(int code, const QString &message);
int usage(const QString &message);

// The parsed options of one command.
struct Invocation
{
    QCommandLineParser parser;
    QStringList positional;
    bool json = false;

    QString value(const QString &name) const { return parser.value(name); }
    bool isSet(const QString &name) const { return parser.isSet(name); }
};

// Parses `args` with the common options plus `options`; on failure returns the exit code.
std::optional<int> parse(Invocation &inv, const QStringList &args, const QList<QCommandLineOption> &options);

// The configuration, and for commands that need the index the services over it (Services: the same
// wiring as the console's).
struct Context
{
    Config config;
    std::shared_ptr<Database> db;
    std::unique_ptr<Services> services;
};

Result<Context> openContext(const Invocation &inv, bool needDatabase);
// The start of every command that takes no arguments: parse, refuse arguments, open the index.
// Returns the exit code to stop with, or nothing when `ctx` is ready.
std::optional<int> openWithoutArguments(
    Invocation &inv, const QStringList &args, const QString &command, std::optional<Context> &ctx);

// The commands, by group (cmd_*.cpp).
int cmdDetect(const QStringList &args);
int cmdChat(const QStringList &args);
int cmdPrivacy(const QStringList &args, bool erase);
int cmdDbSetupRoles(const QStringList &args);
int cmdDbAddLogin(const QStringList &args);
int cmdAudit(const QStringList &args);
int cmdMetrics(const QStringList &args);
int cmdOutboxList(const QStringList &args);
int cmdOutboxRetry(const QStringList &args);
int cmdTicketsList(const QStringList &args);
int cmdTicketsShow(const QStringList &args);
int cmdTicketsStatus(const QStringList &args);
int cmdTicketsDelete(const QStringList &args);
int cmdTicketsReply(const QStringList &args);
int cmdTicketsNote(const QStringList &args);
int cmdTicketsAssign(const QStringList &args);
int cmdUsersAdd(const QStringList &args);
int cmdUsersList(const QStringList &args);
enum class UserChange
{
    Remove,
    Role,
    Disable,
    Enable,
};
int cmdUsersChange(const QStringList &args, UserChange change);
int cmdEvaluate(const QStringList &args);
int cmdModelPrepare(const QStringList &args);

} // namespace LearnPulse::Ctl
