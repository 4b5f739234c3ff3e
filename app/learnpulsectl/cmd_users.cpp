#include "accountstore.h"
#include "ctlcommon.h"
#include "messagevalidator.h"
#include "roles.h"

#include <QFile>

namespace LearnPulse::Ctl {

int cmdUsersAdd(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
            { { QStringLiteral("email"), QStringLiteral("Email address."), QStringLiteral("E") },
                { QStringLiteral("name"), QStringLiteral("Display name."), QStringLiteral("N") },
                { QStringLiteral("role"), QStringLiteral("teacher, support or admin."), QStringLiteral("R") },
                { QStringLiteral("password-stdin"), QStringLiteral("Read the password from stdin.") } }))
        return *code;
    if (!inv.positional.isEmpty())
        return usage(QStringLiteral("users add takes no arguments"));
    for (const char *required : { "email", "name", "role" })
        if (!inv.isSet(QLatin1String(required)))
            return usage(QStringLiteral("users add needs --%1").arg(QLatin1String(required)));
    const auto role = roleFromName(inv.value(QStringLiteral("role")));
    if (!role)
        return usage(QStringLiteral("--role must be teacher, support or admin"));
    if (auto email = AccountStore::validateEmail(inv.value(QStringLiteral("email"))); !email)
        return usage(email.error());

    std::optional<QByteArray> password;
    if (inv.isSet(QStringLiteral("password-stdin"))) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            return fail(exitError, QStringLiteral("cannot read standard input"));
        QByteArray line = in.readLine();
        while (line.endsWith('\n') || line.endsWith('\r'))
            line.chop(1);
        if (!MessageValidator::validateUtf8(line, 1024))
            return fail(exitError, QStringLiteral("the password is empty or not valid UTF-8 text"));
        password = line;
    }

    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    AccountStore accounts(ctx->db);
    auto added = accounts.add(
        Actor::commandLine(), inv.value(QStringLiteral("email")), inv.value(QStringLiteral("name")), *role, password);
    if (!added)
        return fail(exitError, added.error());
    if (inv.json)
        printJson(added->toJson());
    else
        writeOut(QStringLiteral("%1  %2  %3  %4%5\n")
                     .arg(added->id, added->email, roleName(added->role), added->displayName,
                         added->canSignIn ? QString() : QStringLiteral("  (cannot sign in until a password is set)")));
    return exitOk;
}

} // namespace LearnPulse::Ctl
