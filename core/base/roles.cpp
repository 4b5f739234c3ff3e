#include "roles.h"

#include <QProcessEnvironment>

#include <pwd.h>
#include <unistd.h>

namespace LearnPulse {

QString roleName(Role role)
{
    switch (role) {
    case Role::Teacher:
        return QStringLiteral("teacher");
    case Role::Support:
        return QStringLiteral("support");
    case Role::Admin:
        return QStringLiteral("admin");
    }
    return {};
}

std::optional<Role> roleFromName(const QString &name)
{
    for (Role r : { Role::Teacher, Role::Support, Role::Admin })
        if (roleName(r) == name)
            return r;
    return std::nullopt;
}

Actor Actor::commandLine()
{
    Actor actor;
    actor.localTool = true;
    actor.role = Role::Admin;
    QString user;
    if (const passwd *pw = getpwuid(geteuid()))
        user = QString::fromLocal8Bit(pw->pw_name);
    if (user.isEmpty())
        user = QProcessEnvironment::systemEnvironment().value(QStringLiteral("USER"), QStringLiteral("unknown"));
    actor.displayName = user;
    return actor;
}

QString Actor::auditName() const
{
    if (!auditAs.isEmpty())
        return auditAs;
    if (localTool)
        return QStringLiteral("cli:%1").arg(displayName);
    // Ids, not personal data: an erased person's email must not survive in the append-only log.
    return QStringLiteral("%1:%2").arg(roleName(role), userId);
}

static Role minimumRole(Permission permission)
{
    switch (permission) {
    case Permission::Chat:
        return Role::Teacher;
    case Permission::ViewTickets:
    case Permission::ChangeTicketStatus:
    case Permission::ReplyToTickets:
    case Permission::ViewMetrics:
        return Role::Support;
    case Permission::DeleteTicket:
    case Permission::ManageCannedReplies:
    case Permission::ManageAccounts:
    case Permission::EraseData:
    case Permission::ExportData:
    case Permission::ReadAudit:
        return Role::Admin;
    }
    return Role::Admin;
}

bool isAllowed(const Actor &actor, Permission permission)
{
    return static_cast<int>(actor.role) >= static_cast<int>(minimumRole(permission));
}

QString refusal(const Actor &actor, Permission permission)
{
    if (isAllowed(actor, permission))
        return {};
    return QStringLiteral("Not allowed: this needs the %1 role, and %2 is signed in as %3.")
        .arg(roleName(minimumRole(permission)), actor.email, roleName(actor.role));
}

} // namespace LearnPulse
