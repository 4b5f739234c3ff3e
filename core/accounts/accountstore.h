#pragma once

#include "result.h"
#include "roles.h"

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

namespace LearnPulse {

class Database;

// A local account (DESIGN.md, "Identity").
struct Account
{
    QString id;
    QString email;
    QString displayName;
    Role role = Role::Teacher;
    bool canSignIn = false; // false until a password is set
    QDateTime created;

    Actor actor() const;
    QJsonObject toJson() const;
};

// Accounts in the index database, with Argon2id password hashes (libsodium).
class AccountStore final
{
public:
    explicit AccountStore(std::shared_ptr<Database> database);

    static constexpr int minimumPasswordLength = 8;

    // Adds an account; `password` empty: the account cannot sign in until an admin sets one.
    Result<Account> add(const Actor &actor, const QString &email, const QString &displayName, Role role,
        const std::optional<QByteArray> &password = std::nullopt);
    Result<Account> findByEmail(const QString &email);
    Result<Account> findById(const QString &id);
    // The account whose email and password match; one error text for every failure, so that it
    // does not tell which accounts exist.
    Result<Account> authenticate(const QString &email, const QByteArray &password);
    Result<int> count();
    Result<QList<Account>> list(const Actor &actor);
    Status setRole(const Actor &actor, const QString &userId, Role role);
    Status setPassword(const Actor &actor, const QString &userId, const QByteArray &password);
    // Removes the account (it can no longer sign in or be chosen); its tickets stay.
    Status remove(const Actor &actor, const QString &userId);
    // Disables an account for a while (it cannot sign in, its open consoles sign out, on PostgreSQL its logins lose
    // their groups at once), keeping its email and password; enabling gives it back (a seat login is granted again
    // with `db add-login`). A removed account stays removed.
    Status setEnabled(const Actor &actor, const QString &userId, bool enabled);
    // The account by email or id, enabled or disabled (not removed): what an admin's tool acts on.
    Result<Account> findAny(const QString &emailOrId);

    static Status validateEmail(const QString &email);
    // SHA-256 (hex) of an email, trimmed and in lower case: how a removed account's former email is kept.
    static QString emailHash(const QString &email);

private:
    Status update(const Actor &actor, const QString &userId, const QString &sql, const QVariant &value,
        const QString &action, const QString &detail);
    Result<Account> findBy(const QString &column, const QString &value);

    std::shared_ptr<Database> m_db;
};

} // namespace LearnPulse
