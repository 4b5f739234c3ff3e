#include "accountstore.h"

#include "database.h"
#include "logging.h"

#include <QCryptographicHash>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QUuid>

#include <sodium.h>

namespace LearnPulse {

namespace {

bool sodiumReady()
{
    static const bool ready = sodium_init() >= 0;
    return ready;
}

Result<QByteArray> hashPassword(const QByteArray &password)
{
    if (!sodiumReady())
        return Result<QByteArray>::failure(QStringLiteral("libsodium could not be initialised"));
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.constData(), size_t(password.size()), crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13)
        != 0)
        return Result<QByteArray>::failure(QStringLiteral("Not enough memory to hash the password"));
    return QByteArray(out);
}

// What an account row shows. A seat's login other than an admin's cannot read the password hash, not even
// whether there is one: there every account counts as able to sign in.
QString columnsFor(const Database &db)
{
    const bool hashesHidden = db.seatLogin() && db.seatLogin()->role != Role::Admin;
    return QStringLiteral("id, email, display_name, role, %1, created")
        .arg(hashesHidden ? QStringLiteral("TRUE") : QStringLiteral("password_hash IS NOT NULL"));
}

// The account on the current row of a query that selected `columns`.
Account accountFrom(const QSqlQuery &q)
{
    Account a;
    a.id = q.value(0).toString();
    a.email = q.value(1).toString();
    a.displayName = q.value(2).toString();
    a.role = roleFromName(q.value(3).toString()).value_or(Role::Teacher);
    a.canSignIn = q.value(4).toBool();
    a.created = QDateTime::fromString(q.value(5).toString(), Qt::ISODate);
    return a;
}

} // namespace

Actor Account::actor() const
{
    return Actor { id, email, displayName, role, false };
}

QJsonObject Account::toJson() const
{
    return QJsonObject { { QStringLiteral("user_id"), id }, { QStringLiteral("email"), email },
        { QStringLiteral("name"), displayName }, { QStringLiteral("role"), roleName(role) },
        { QStringLiteral("can_sign_in"), canSignIn },
        { QStringLiteral("created"), created.toUTC().toString(Qt::ISODate) } };
}

AccountStore::AccountStore(std::shared_ptr<Database> database)
    : m_db(std::move(database))
{ }

Status AccountStore::validateEmail(const QString &email)
{
    static const QRegularExpression shape(QStringLiteral("^[^@\\s]+@[^@\\s]+\\.[^@\\s.]+$"));
    if (email.size() > 254 || !shape.match(email).hasMatch())
        return Status::failure(QStringLiteral("\"%1\" is not an email address.").arg(email.left(80)));
    return {};
}

Result<Account> AccountStore::add(const Actor &actor, const QString &email, const QString &displayName, Role role,
    const std::optional<QByteArray> &password)
{
    using R = Result<Account>;
    if (const QString refused = refusal(actor, Permission::ManageAccounts); !refused.isEmpty())
        return R::failure(refused);
    const QString cleanEmail = email.trimmed();
    if (auto valid = validateEmail(cleanEmail); !valid)
        return R::failure(valid.error());
    const QString name = displayName.simplified();
    if (name.isEmpty() || name.size() > 200)
        return R::failure(QStringLiteral("A display name must have 1 to 200 characters."));
    QVariant hash; // NULL: cannot sign in yet
    if (password) {
        if (QString::fromUtf8(*password).size() < minimumPasswordLength)
            return R::failure(
                QStringLiteral("The password is too short: use at least %1 characters.").arg(minimumPasswordLength));
        auto hashed = hashPassword(*password);
        if (!hashed)
            return R::failure(hashed.error());
        hash = QString::fromLatin1(hashed.value());
    }
    if (auto existing = findByEmail(cleanEmail))
        return R::failure(QStringLiteral("An account for %1 exists already.").arg(cleanEmail));

    Account a { QUuid::createUuid().toString(QUuid::WithoutBraces), cleanEmail, name, role, password.has_value(),
        QDateTime::currentDateTimeUtc() };
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(QStringLiteral("INSERT INTO users (id, email, display_name, role, password_hash, created) "
                             "VALUES (?, ?, ?, ?, ?, ?)"));
    q.addBindValue(a.id);
    q.addBindValue(a.email);
    q.addBindValue(a.displayName);
    q.addBindValue(roleName(a.role));
    q.addBindValue(hash);
    q.addBindValue(a.created.toString(Qt::ISODate));
    if (!q.exec()) {
        if (findByEmail(cleanEmail))
            return R::failure(QStringLiteral("An account for %1 exists already.").arg(cleanEmail));
        return R::failure(QStringLiteral("Cannot add the account: %1").arg(Database::errorOf(q)));
    }
    qCInfo(lcAccounts).noquote() << QStringLiteral("Account added user=") + a.id
                                 << QStringLiteral("role=") + roleName(role);
    if (auto audited = m_db->audit(actor, QStringLiteral("account.add"), a.id, roleName(role)); !audited)
        return R::failure(audited.error());
    return a;
}

Result<Account> AccountStore::findBy(const QString &column, const QString &value)
{
    auto conn = m_db->connection();
    if (!conn)
        return Result<Account>::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(m_db->sql(QStringLiteral("SELECT ") + columnsFor(*m_db) + QStringLiteral(" FROM users WHERE ") + column
        + QStringLiteral(" = ? AND disabled = 0")));
    q.addBindValue(value);
    if (!q.exec())
        return Result<Account>::failure(QStringLiteral("Cannot read accounts: %1").arg(Database::errorOf(q)));
    if (!q.next())
        return Result<Account>::failure(QStringLiteral("No account for %1.").arg(value), ErrorKind::NotFound);
    return accountFrom(q);
}

Result<Account> AccountStore::findByEmail(const QString &email)
{
    return findBy(QStringLiteral("email"), email.trimmed());
}

Result<Account> AccountStore::findById(const QString &id)
{
    return findBy(QStringLiteral("id"), id);
}

Result<Account> AccountStore::authenticate(const QString &email, const QByteArray &password)
{
    const auto refused = Result<Account>::failure(QStringLiteral("The email or the password is wrong."));
    Actor system;
    system.localTool = true;
    system.displayName = QStringLiteral("sign-in");
    system.auditAs = QStringLiteral("console:sign-in"); // nobody is signed in yet
    auto conn = m_db->connection();
    if (!conn)
        return Result<Account>::failure(conn.error());
    QSqlQuery q(conn.value());
    // The account's hash and throttling state. A seat's login reads them only for its own account, through
    // the database's function, and only when `email` is that account's.
    const bool seat = m_db->seatLogin().has_value();
    if (seat) {
        q.prepare(
            QStringLiteral("SELECT user_id, password_hash, failed_sign_ins, locked_until FROM lp_sign_in_state(?)"));
        q.addBindValue(email.trimmed());
    } else {
        q.prepare(m_db->sql(QStringLiteral("SELECT id, password_hash, failed_sign_ins, locked_until FROM users WHERE "
                                           "email = ? COLLATE NOCASE AND disabled = 0")));
        q.addBindValue(email.trimmed());
    }
    if (!q.exec())
        return Result<Account>::failure(QStringLiteral("Cannot read accounts: %1").arg(Database::errorOf(q)));
    if (!q.next() || !sodiumReady()) {
        // Unknown address: audited without it (the log holds ids, not personal data).
        (void)m_db->audit(
            system, QStringLiteral("account.sign_in_failed"), QString(), QStringLiteral("unknown account"));
        if (seat)
            return Result<Account>::failure(QStringLiteral(
                "The email or the password is wrong. (This computer's database login signs in one account only: "
                "another person signs in at a seat of their own.)"));
        return refused;
    }
    const QString userId = q.value(0).toString();
    const QVariant hashValue = q.value(1);
    const int failures = q.value(2).toInt();
    const QDateTime lockedUntil = QDateTime::fromString(q.value(3).toString(), Qt::ISODate);
    q.finish();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto record = [&](int count, const QString &until) {
        q.prepare(seat ? QStringLiteral("SELECT lp_record_sign_in(?, ?)")
                       : QStringLiteral("UPDATE users SET failed_sign_ins = ?, locked_until = ? WHERE id = ?"));
        q.addBindValue(count);
        q.addBindValue(until);
        if (!seat)
            q.addBindValue(userId);
        if (!q.exec())
            qCWarning(lcAccounts).noquote() << QStringLiteral("Cannot record a sign-in: ") + Database::errorOf(q);
    };
    if (lockedUntil.isValid() && lockedUntil > now) {
        (void)m_db->audit(system, QStringLiteral("account.sign_in_refused"), userId, QStringLiteral("throttled"));
        return Result<Account>::failure(
            QStringLiteral("Too many failed sign-ins for this account. Try again in %1 seconds.")
                .arg(now.secsTo(lockedUntil) + 1));
    }
    const QByteArray hash = hashValue.toString().toLatin1();
    if (hashValue.isNull()
        || crypto_pwhash_str_verify(hash.constData(), password.constData(), size_t(password.size())) != 0) {
        // After three failures each further one doubles the wait: 5 s, 10 s, ... at most 15 minutes.
        const int count = failures + 1;
        const qint64 wait = count < 3 ? 0 : std::min<qint64>(900, qint64(5) << std::min(count - 3, 10));
        record(count, wait > 0 ? now.addSecs(wait).toString(Qt::ISODate) : QStringLiteral(""));
        (void)m_db->audit(
            system, QStringLiteral("account.sign_in_failed"), userId, QStringLiteral("failures=%1").arg(count));
        return refused;
    }
    if (failures > 0)
        record(0, QStringLiteral(""));
    auto account = findById(userId);
    if (!account)
        return refused;
    (void)m_db->audit(account->actor(), QStringLiteral("account.sign_in"), account->id);
    return account;
}

Result<QList<Account>> AccountStore::list(const Actor &actor)
{
    using R = Result<QList<Account>>;
    if (const QString refused = refusal(actor, Permission::ManageAccounts); !refused.isEmpty())
        return R::failure(refused);
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!q.exec(QStringLiteral("SELECT ") + columnsFor(*m_db)
            + QStringLiteral(" FROM users WHERE disabled = 0 ORDER BY email")))
        return R::failure(QStringLiteral("Cannot read accounts: %1").arg(Database::errorOf(q)));
    QList<Account> out;
    while (q.next()) {
        out << accountFrom(q);
    }
    return out;
}

Status AccountStore::update(const Actor &actor, const QString &userId, const QString &sql, const QVariant &value,
    const QString &action, const QString &detail)
{
    if (const QString refused = refusal(actor, Permission::ManageAccounts); !refused.isEmpty())
        return Status::failure(refused);
    auto conn = m_db->connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(sql);
    if (value.isValid())
        q.addBindValue(value);
    q.addBindValue(userId);
    if (!q.exec())
        return Status::failure(QStringLiteral("Cannot change the account: %1").arg(Database::errorOf(q)));
    if (q.numRowsAffected() == 0)
        return Status::failure(QStringLiteral("No such account."));
    return m_db->audit(actor, action, userId, detail);
}

Status AccountStore::setRole(const Actor &actor, const QString &userId, Role role)
{
    if (userId == actor.userId && role != Role::Admin)
        return Status::failure(QStringLiteral("You cannot take the admin role from your own account."));
    return update(actor, userId, QStringLiteral("UPDATE users SET role = ? WHERE id = ? AND disabled = 0"),
        roleName(role), QStringLiteral("account.role"), roleName(role));
}

Status AccountStore::setPassword(const Actor &actor, const QString &userId, const QByteArray &password)
{
    if (QString::fromUtf8(password).size() < minimumPasswordLength)
        return Status::failure(
            QStringLiteral("The password is too short: use at least %1 characters.").arg(minimumPasswordLength));
    auto hashed = hashPassword(password);
    if (!hashed)
        return Status::failure(hashed.error());
    return update(actor, userId, QStringLiteral("UPDATE users SET password_hash = ? WHERE id = ? AND disabled = 0"),
        QString::fromLatin1(hashed.value()), QStringLiteral("account.password"), QString());
}

Status AccountStore::remove(const Actor &actor, const QString &userId)
{
    if (userId == actor.userId)
        return Status::failure(QStringLiteral("You cannot remove your own account."));
    // The row stays (disabled, email freed) so that the audit log keeps naming it. The email's hash stays too,
    // so that an erasure asked for by that email still finds the account.
    if (auto account = findById(userId); account && !account->email.endsWith(QLatin1String("@removed.invalid"))) {
        auto conn = m_db->connection();
        if (!conn)
            return Status::failure(conn.error());
        QSqlQuery q(conn.value());
        q.prepare(QStringLiteral("INSERT INTO account_emails (user_id, email_hash) SELECT ?, ? WHERE NOT EXISTS "
                                 "(SELECT 1 FROM account_emails WHERE user_id = ? AND email_hash = ?)"));
        const QString hash = emailHash(account->email);
        for (const QString &v : { userId, hash, userId, hash })
            q.addBindValue(v);
        if (!q.exec())
            return Status::failure(QStringLiteral("Cannot remove the account: %1").arg(Database::errorOf(q)));
    }
    return update(actor, userId,
        QStringLiteral("UPDATE users SET disabled = 1, password_hash = NULL, email = id || '@removed.invalid' "
                       "WHERE id = ? AND disabled = 0"),
        QVariant(), QStringLiteral("account.remove"), QString());
}

Status AccountStore::setEnabled(const Actor &actor, const QString &userId, bool enabled)
{
    if (!enabled && userId == actor.userId)
        return Status::failure(QStringLiteral("You cannot disable your own account."));
    return update(actor, userId,
        enabled ? QStringLiteral("UPDATE users SET disabled = 0 WHERE id = ? AND disabled = 1 AND email NOT LIKE "
                                 "'%@removed.invalid'")
                : QStringLiteral("UPDATE users SET disabled = 1 WHERE id = ? AND disabled = 0"),
        QVariant(), enabled ? QStringLiteral("account.enable") : QStringLiteral("account.disable"), QString());
}

Result<Account> AccountStore::findAny(const QString &emailOrId)
{
    auto conn = m_db->connection();
    if (!conn)
        return Result<Account>::failure(conn.error());
    QSqlQuery q(conn.value());
    const QString column = emailOrId.contains(QLatin1Char('@')) ? QStringLiteral("email") : QStringLiteral("id");
    q.prepare(m_db->sql(QStringLiteral("SELECT ") + columnsFor(*m_db) + QStringLiteral(" FROM users WHERE ") + column
        + QStringLiteral(" = ? AND email NOT LIKE '%@removed.invalid'")));
    q.addBindValue(emailOrId.trimmed());
    if (!q.exec())
        return Result<Account>::failure(QStringLiteral("Cannot read accounts: %1").arg(Database::errorOf(q)));
    if (!q.next())
        return Result<Account>::failure(QStringLiteral("No account for %1.").arg(emailOrId), ErrorKind::NotFound);
    return accountFrom(q);
}

QString AccountStore::emailHash(const QString &email)
{
    return QString::fromLatin1(
        QCryptographicHash::hash(email.trimmed().toLower().toUtf8(), QCryptographicHash::Sha256).toHex());
}

Result<int> AccountStore::count()
{
    auto conn = m_db->connection();
    if (!conn)
        return Result<int>::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM users")) || !q.next())
        return Result<int>::failure(QStringLiteral("Cannot read accounts: %1").arg(Database::errorOf(q)));
    return q.value(0).toInt();
}

} // namespace LearnPulse
