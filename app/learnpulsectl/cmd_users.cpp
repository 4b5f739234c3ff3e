#include "accountstore.h"
#include "ctlcommon.h"
#include "database.h"
#include "messagevalidator.h"
#include "roles.h"

#include <QFile>
#include <QJsonObject>

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

namespace {

// The account named on the command line: its email or its id, among those that have not been removed.
Result<Account> accountNamed(AccountStore &accounts, const QString &who)
{
    auto found = who.contains(QLatin1Char('@')) ? accounts.findByEmail(who) : accounts.findById(who);
    if (!found && found.kind() == ErrorKind::NotFound)
        return Result<Account>::failure(QStringLiteral("no account %1").arg(who), ErrorKind::NotFound);
    return found;
}

void printAccount(const Invocation &inv, const Account &a)
{
    if (inv.json)
        printJson(a.toJson());
    else
        writeOut(QStringLiteral("%1  %2  %3  %4%5\n")
                     .arg(a.id, a.email, roleName(a.role), a.displayName,
                         a.canSignIn ? QString() : QStringLiteral("  (cannot sign in until a password is set)")));
}

} // namespace

int cmdUsersList(const QStringList &args)
{
    Invocation inv;
    std::optional<Context> ctx;
    if (auto code = openWithoutArguments(inv, args, QStringLiteral("users list"), ctx))
        return *code;
    AccountStore accounts(ctx->db);
    auto listed = accounts.list(Actor::commandLine());
    if (!listed)
        return fail(exitError, listed.error());
    for (const Account &a : listed.value())
        printAccount(inv, a);
    return exitOk;
}

// users remove|role|disable|enable: what the Administration view does, with the same checks and audit entries; on
// PostgreSQL the account's database logins lose their groups in the same transaction (the users table's trigger).
int cmdUsersChange(const QStringList &args, UserChange change)
{
    Invocation inv;
    if (auto code = parse(inv, args, {}))
        return *code;
    static const char *const names[] = { "remove", "role", "disable", "enable" };
    const QString command = QStringLiteral("users ") + QLatin1String(names[int(change)]);
    const bool withRole = change == UserChange::Role;
    if (inv.positional.size() != (withRole ? 2 : 1))
        return usage(withRole ? QStringLiteral("users role takes an account (its email or id) and a role")
                              : QStringLiteral("%1 takes one account (its email or id)").arg(command));
    std::optional<Role> role;
    if (withRole) {
        role = roleFromName(inv.positional.at(1));
        if (!role)
            return usage(QStringLiteral("the role must be teacher, support or admin"));
    }
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    AccountStore accounts(ctx->db);
    // A disabled account is found to be enabled again; the others act on accounts in use.
    auto account = change == UserChange::Enable ? accounts.findAny(inv.positional.constFirst())
                                                : accountNamed(accounts, inv.positional.constFirst());
    if (!account)
        return fail(exitError, account.error());
    Status done;
    switch (change) {
    case UserChange::Remove:
        done = accounts.remove(Actor::commandLine(), account->id);
        break;
    case UserChange::Role:
        done = accounts.setRole(Actor::commandLine(), account->id, *role);
        break;
    case UserChange::Disable:
    case UserChange::Enable:
        done = accounts.setEnabled(Actor::commandLine(), account->id, change == UserChange::Enable);
        break;
    }
    if (!done)
        return fail(exitError, QStringLiteral("%1: %2").arg(command, done.error()));
    if (change != UserChange::Role) {
        const QString what = QLatin1String(change == UserChange::Remove ? "removed"
                : change == UserChange::Disable                         ? "disabled"
                                                                        : "enabled");
        if (inv.json)
            printJson(QJsonObject { { QStringLiteral("user_id"), account->id }, { what, true } });
        else
            writeOut(QStringLiteral("%1 %2 (%3)%4\n")
                         .arg(what, account->email, account->id,
                             change == UserChange::Enable && ctx->db->backend() == Database::Backend::PostgreSQL
                                 ? QStringLiteral("; its seat's database login needs db add-login again")
                                 : QString()));
        return exitOk;
    }
    auto now = accounts.findById(account->id);
    if (!now)
        return fail(exitError, now.error());
    printAccount(inv, now.value());
    return exitOk;
}

} // namespace LearnPulse::Ctl
