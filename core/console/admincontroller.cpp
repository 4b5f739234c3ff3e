#include "admincontroller.h"

#include "accountstore.h"
#include "logging.h"
#include "roles.h"

#include <QCoreApplication>

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
    auto entries = m_ctx.services->database()->auditEntries(m_ctx.actor());
    if (!entries)
        return RequestResult::from(entries);
    // Ids in words for the admin reading it: the accounts as they are now (a removed one stays an id).
    QHash<QString, QString> names;
    if (auto accounts = m_ctx.services->accounts().list(m_ctx.actor()))
        for (const Account &a : std::as_const(accounts.value()))
            names.insert(a.id, QStringLiteral("%1 <%2>").arg(a.displayName, a.email));
    auto name = [&names](const QString &ids) {
        QStringList out;
        bool any = false;
        for (const QString &id : ids.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const auto it = names.constFind(id);
            any = any || it != names.constEnd();
            out << (it != names.constEnd() ? it.value() : id);
        }
        return any ? out.join(QStringLiteral(", ")) : QString();
    };
    QList<Database::AuditEntry> shown = std::move(entries).value();
    for (Database::AuditEntry &e : shown) {
        const QString role = e.actor.section(QLatin1Char(':'), 0, 0);
        const QString who = name(e.actor.section(QLatin1Char(':'), 1));
        if (!who.isEmpty())
            e.actorName = QStringLiteral("%1 (%2)").arg(who, role);
        else if (e.actor.startsWith(QLatin1String("cli:")))
            e.actorName = QCoreApplication::translate("AdminController", "%1 on the command line").arg(e.actor.mid(4));
        else if (e.actor == QLatin1String("console:first-start"))
            e.actorName = QCoreApplication::translate("AdminController", "the first start of the console");
        else if (e.actor == QLatin1String("console:retention"))
            e.actorName = QCoreApplication::translate("AdminController", "the retention rule");
        else if (e.actor == QLatin1String("console:sign-in"))
            e.actorName = QCoreApplication::translate("AdminController", "the sign-in form");
        e.targetName = name(e.target);
    }
    return RequestResult::success(QVariant::fromValue(shown));
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
