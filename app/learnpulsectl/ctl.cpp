#include "ctl.h"

#include "ctlcommon.h"

#include <functional>
#include <map>

namespace LearnPulse::Ctl {

int run(const QStringList &rawArguments)
{
    // Common options may also come before the command word ("learnpulsectl --data-dir D tickets list"):
    // move them behind it, where each command's parser reads them.
    QStringList arguments = rawArguments;
    QStringList common;
    while (!arguments.isEmpty()) {
        const QString a = arguments.constFirst();
        if (a == QLatin1String("--json") || a.startsWith(QLatin1String("--data-dir="))) {
            common << arguments.takeFirst();
        } else if (a == QLatin1String("--data-dir")) {
            if (arguments.size() < 2)
                return usage(QStringLiteral("--data-dir needs a directory"));
            common << arguments.takeFirst() << arguments.takeFirst();
        } else {
            break;
        }
    }
    arguments += common;
    if (arguments.isEmpty() || arguments.constFirst().startsWith(QLatin1String("--data-dir"))
        || arguments.constFirst() == QLatin1String("--json"))
        return usage(QStringLiteral("no command given"));
    const QString first = arguments.constFirst();
    if (first == QLatin1String("--help") || first == QLatin1String("-h") || first == QLatin1String("help")) {
        writeOut(QString::fromUtf8(usageText));
        return exitOk;
    }
    if (first == QLatin1String("--version")) {
        writeOut(QStringLiteral("learnpulsectl %1\n").arg(QStringLiteral(LEARNPULSE_VERSION)));
        return exitOk;
    }

    using Handler = std::function<int(const QStringList &)>;
    const std::map<QString, Handler> single { { QStringLiteral("detect"), cmdDetect },
        { QStringLiteral("chat"), cmdChat }, { QStringLiteral("audit"), cmdAudit },
        { QStringLiteral("metrics"), cmdMetrics }, { QStringLiteral("evaluate"), cmdEvaluate } };
    const std::map<QString, std::map<QString, Handler>> grouped {
        { QStringLiteral("tickets"),
            { { QStringLiteral("list"), cmdTicketsList }, { QStringLiteral("show"), cmdTicketsShow },
                { QStringLiteral("status"), cmdTicketsStatus }, { QStringLiteral("delete"), cmdTicketsDelete },
                { QStringLiteral("reply"), cmdTicketsReply }, { QStringLiteral("note"), cmdTicketsNote },
                { QStringLiteral("assign"), cmdTicketsAssign } } },
        { QStringLiteral("users"),
            { { QStringLiteral("add"), cmdUsersAdd }, { QStringLiteral("list"), cmdUsersList },
                { QStringLiteral("remove"),
                    [](const QStringList &a) { return cmdUsersChange(a, UserChange::Remove); } },
                { QStringLiteral("role"), [](const QStringList &a) { return cmdUsersChange(a, UserChange::Role); } },
                { QStringLiteral("disable"),
                    [](const QStringList &a) { return cmdUsersChange(a, UserChange::Disable); } },
                { QStringLiteral("enable"),
                    [](const QStringList &a) { return cmdUsersChange(a, UserChange::Enable); } } } },
        { QStringLiteral("model"), { { QStringLiteral("prepare"), cmdModelPrepare } } },
        { QStringLiteral("db"),
            { { QStringLiteral("setup-roles"), cmdDbSetupRoles }, { QStringLiteral("add-login"), cmdDbAddLogin } } },
        { QStringLiteral("outbox"),
            { { QStringLiteral("list"), cmdOutboxList }, { QStringLiteral("retry"), cmdOutboxRetry } } },
        { QStringLiteral("privacy"),
            { { QStringLiteral("erase"), [](const QStringList &a) { return cmdPrivacy(a, true); } },
                { QStringLiteral("export"), [](const QStringList &a) { return cmdPrivacy(a, false); } } } },
    };

    const QStringList rest = arguments.mid(1);
    if (rest.contains(QLatin1String("--help")) || rest.contains(QLatin1String("-h"))) {
        writeOut(QString::fromUtf8(usageText));
        return exitOk;
    }
    if (auto it = single.find(first); it != single.end())
        return it->second(rest);
    if (auto group = grouped.find(first); group != grouped.end()) {
        if (rest.isEmpty())
            return usage(QStringLiteral("%1 needs a subcommand").arg(first));
        auto sub = group->second.find(rest.constFirst());
        if (sub == group->second.end())
            return usage(QStringLiteral("unknown command: %1 %2").arg(first, rest.constFirst()));
        return sub->second(rest.mid(1));
    }
    return usage(QStringLiteral("unknown command: %1").arg(first));
}

} // namespace LearnPulse::Ctl
