#include "admincontroller.h"

#include "accountstore.h"
#include "logging.h"
#include "roles.h"

namespace LearnPulse {

AdminController::AdminController(ConsoleContext &context)
    : m_ctx(context)
{
    qRegisterMetaType<MetricsStore::Summary>();
    qRegisterMetaType<Database::AuditEntry>();
    qRegisterMetaType<QList<Database::AuditEntry>>();
    qRegisterMetaType<QList<Account>>();
}

RequestResult AdminController::listAccounts()
{
    return RequestResult::from(m_ctx.services->accounts().list(m_ctx.actor()));
}

RequestResult AdminController::addAccount(const QString &email, const QString &name, Role role, const QString &password)
{
    auto added = m_ctx.services->accounts().add(m_ctx.actor(), email, name, role,
        password.isEmpty() ? std::nullopt : std::optional<QByteArray>(password.toUtf8()));
    return RequestResult::from(added);
}

RequestResult AdminController::setAccountRole(const QString &userId, Role role)
{
    return RequestResult::from(m_ctx.services->accounts().setRole(m_ctx.actor(), userId, role));
}

RequestResult AdminController::resetPassword(const QString &userId, const QString &password)
{
    return RequestResult::from(m_ctx.services->accounts().setPassword(m_ctx.actor(), userId, password.toUtf8()));
}

RequestResult AdminController::removeAccount(const QString &userId)
{
    return RequestResult::from(m_ctx.services->accounts().remove(m_ctx.actor(), userId));
}

RequestResult AdminController::listAudit()
{
    return RequestResult::from(m_ctx.services->database()->auditEntries(m_ctx.actor()));
}

RequestResult AdminController::loadMetrics(int days)
{
    return RequestResult::from(MetricsStore(m_ctx.services->database()).lastDays(m_ctx.actor(), days));
}

RequestResult AdminController::loadSettings()
{
    if (const QString refused = refusal(m_ctx.actor(), Permission::ManageAccounts); !refused.isEmpty())
        return RequestResult::failure(refused, ErrorKind::Forbidden);
    return RequestResult::success(m_ctx.services->config().editableValues());
}

Result<Config> AdminController::saveSettings(const QVariantMap &values)
{
    if (const QString refused = refusal(m_ctx.actor(), Permission::ManageAccounts); !refused.isEmpty())
        return Result<Config>::failure(refused, ErrorKind::Forbidden);
    auto changed = m_ctx.services->config().save(values);
    if (!changed)
        return failureOf<Config>(changed);
    auto reloaded = Config::load(m_ctx.dataDirOption);
    if (!reloaded)
        return reloaded;
    if (!changed->isEmpty()) {
        if (auto audited = m_ctx.services->database()->audit(
                m_ctx.actor(), QStringLiteral("settings.change"), QString(), changed->join(QLatin1Char(',')));
            !audited)
            qCWarning(lcDatabase).noquote() << QStringLiteral("Cannot audit a settings change: ") + audited.error();
    }
    return reloaded;
}

} // namespace LearnPulse
