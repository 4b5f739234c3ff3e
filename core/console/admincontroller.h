#pragma once

#include "config.h"
#include "consolecontext.h"
#include "database.h"
#include "metricsstore.h"
#include "request.h"

namespace LearnPulse {

// Administration and metrics on the console's worker thread: accounts, the audit log, the settings and
// the metrics view's figures. Each returns the request's one answer.
class AdminController final
{
public:
    explicit AdminController(ConsoleContext &context);

    RequestResult listAccounts(); // value: QList<Account>
    RequestResult addAccount(const QString &email, const QString &name, Role role, const QString &password);
    RequestResult setAccountRole(const QString &userId, Role role);
    RequestResult resetPassword(const QString &userId, const QString &password);
    RequestResult removeAccount(const QString &userId);
    RequestResult listAudit(); // value: QList<Database::AuditEntry>
    RequestResult loadMetrics(int days); // value: MetricsStore::Summary
    RequestResult loadSettings(); // value: QVariantMap (Config::editableValues())
    // Writes the settings and reads them back; the caller puts the new configuration in force.
    Result<Config> saveSettings(const QVariantMap &values);

private:
    ConsoleContext &m_ctx;
};

} // namespace LearnPulse

Q_DECLARE_METATYPE(LearnPulse::MetricsStore::Summary)
Q_DECLARE_METATYPE(LearnPulse::Database::AuditEntry)
