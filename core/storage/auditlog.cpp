#include "database.h"
#include "roles.h"

#include <QDateTime>
#include <QSqlQuery>

// The audit log of the index (append-only: database triggers refuse changes): ids, never personal data.

namespace LearnPulse {

Status Database::audit(const Actor &actor, const QString &action, const QString &target, const QString &detail)
{
    auto conn = connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    if (m_seat) {
        // A seat's login appends under its own account's name and the server's time, whatever `actor` says.
        q.prepare(QStringLiteral("SELECT lp_audit(?, ?, ?)"));
    } else {
        q.prepare(QStringLiteral("INSERT INTO audit_log (ts, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)"));
        q.addBindValue(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
        q.addBindValue(actor.auditName());
    }
    // A null QString binds as SQL NULL; these columns hold text.
    q.addBindValue(action);
    q.addBindValue(target.isNull() ? QStringLiteral("") : target);
    q.addBindValue(detail.isNull() ? QStringLiteral("") : detail);
    if (!q.exec())
        return Status::failure(QStringLiteral("Cannot write the audit log: %1").arg(errorOf(q)));
    return {};
}

Result<QList<Database::AuditEntry>> Database::auditEntries(const Actor &actor, int limit)
{
    using R = Result<QList<AuditEntry>>;
    if (const QString refused = refusal(actor, Permission::ReadAudit); !refused.isEmpty())
        return R::failure(refused);
    auto conn = connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(QStringLiteral("SELECT ts, actor, action, target, detail FROM audit_log ORDER BY id DESC LIMIT ?"));
    q.addBindValue(limit);
    if (!q.exec())
        return R::failure(QStringLiteral("Cannot read the audit log: %1").arg(errorOf(q)));
    QList<AuditEntry> out;
    while (q.next())
        out << AuditEntry { QDateTime::fromString(q.value(0).toString(), Qt::ISODateWithMs), q.value(1).toString(),
            q.value(2).toString(), q.value(3).toString(), q.value(4).toString() };
    return out;
}

} // namespace LearnPulse
