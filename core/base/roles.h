#pragma once

#include <QString>

#include <optional>

namespace LearnPulse {

enum class Role
{
    Teacher,
    Support,
    Admin,
};

QString roleName(Role role);
std::optional<Role> roleFromName(const QString &name);

// What a privileged operation may require of the acting user.
enum class Permission
{
    Chat,
    ViewTickets,
    ChangeTicketStatus,
    ReplyToTickets, // replies, internal notes, assignment
    ManageCannedReplies,
    DeleteTicket,
    ManageAccounts,
    EraseData,
    ExportData,
    ReadAudit,
    ViewMetrics,
};

// Who performs an operation: a signed-in account, or the trusted local command-line tool acting with
// the file-system rights of the OS user who runs it (DESIGN.md, "learnpulsectl").
struct Actor
{
    QString userId;
    QString email;
    QString displayName;
    Role role = Role::Teacher;
    bool localTool = false;
    QString auditAs = {}; // how the audit log names an actor that is no account, e.g. "console:sign-in"

    static Actor commandLine();
    // How the audit log names this actor.
    QString auditName() const;
};

bool isAllowed(const Actor &actor, Permission permission);
// A readable refusal for `permission`, or an empty string when allowed.
QString refusal(const Actor &actor, Permission permission);

} // namespace LearnPulse
