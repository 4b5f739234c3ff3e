#pragma once

#include "result.h"
#include "roles.h"

#include <QDateTime>
#include <QMutex>
#include <QSet>
#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

class QSqlQuery;

namespace LearnPulse {

struct Actor;
struct Config;

// The index database (tickets, full-text index, accounts, audit log): an SQLite file in the data
// directory. Qt Sql connections belong to one thread, so each thread gets its own named connection.
// The schema carries a version and is migrated on open.
class Database final
{
public:
    static constexpr int schemaVersion = 10;

    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    static Result<std::shared_ptr<Database>> open(const Config &config);
    // Migrates only up to `targetVersion`: for tests of the migrations themselves.
    static Result<std::shared_ptr<Database>> open(const Config &config, int targetVersion);

    enum class Backend
    {
        SQLite, // a file in the data directory: one seat
        PostgreSQL, // DATABASE_URL=postgresql://...: several seats
    };
    Backend backend() const { return m_backend; }

    // A seat's own PostgreSQL login (`learnpulsectl db add-login`; docs/DESIGN.md, "Trust model"): the
    // account it acts for and that account's role, as found when the index was opened. Empty for the
    // owner's connection (SQLite, or the URL of the tables' owner), which alone migrates the schema. A
    // seat's login reaches what its role's grants and row rules allow, and writes some rows only through
    // the database's functions (sign-in, tickets, thread, audit log).
    struct SeatLogin
    {
        QString userId;
        Role role = Role::Teacher;
    };
    const std::optional<SeatLogin> &seatLogin() const { return m_seat; }
    // Whether this connection may do what `minimum`'s seats do for every seat: delivering the outbox
    // (support), retention and finishing erasures (admin). The owner's connection may do everything.
    bool actsForEverySeatAs(Role minimum) const { return !m_seat || int(m_seat->role) >= int(minimum); }
    // Whether a seat's login still acts for its account (it is taken out of its group when the account is
    // removed, disabled, given another role or erased). True for the owner, and when the server cannot be asked.
    bool seatStillActs();

    // The connection of the calling thread (opened on first use).
    Result<QSqlDatabase> connection();
    // Closes the calling thread's connection: a thread that ends before this object calls it (Qt Sql
    // connections may only be closed by their own thread).
    void closeThreadConnection();

    // Starts a write transaction that no other writer (thread, process or seat) runs beside.
    bool beginWrite(QSqlQuery &query) const;
    // `statement` written for SQLite, in this back end's dialect (case-insensitive email comparison).
    QString sql(const QString &statement) const;

    // Appends one line to the audit log (who did what to which object). `detail` must not hold
    // message text or secrets.
    Status audit(const Actor &actor, const QString &action, const QString &target, const QString &detail = {});

    struct AuditEntry
    {
        QDateTime time;
        QString actor;
        QString action;
        QString target;
        QString detail;
        // For an admin's eyes, filled when shown (the log itself keeps ids): who `actor` and `target` are now.
        QString actorName = {};
        QString targetName = {};
    };
    // The newest entries first.
    Result<QList<AuditEntry>> auditEntries(const Actor &actor, int limit = 1000);

    static QString errorOf(const QSqlQuery &query);

private:
    explicit Database(QString path);
    Status migrate(int targetVersion);
    Status findSeatLogin();
    Status checkSeatSchema();

    QString m_path; // SQLite: the file; PostgreSQL: the server, without the password
    Backend m_backend = Backend::SQLite;
    std::optional<SeatLogin> m_seat;
    QString m_host;
    int m_port = 0;
    QString m_user;
    QString m_password;
    QString m_databaseName;
    QString m_options;
    QString m_baseName;
    QMutex m_mutex;
    QSet<QString> m_connectionNames;
};

} // namespace LearnPulse
