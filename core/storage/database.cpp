#include "database.h"

#include "config.h"
#include "logging.h"
#include "postgresurl.h"
#include "roles.h"
#include "schema.h"

#include <QFile>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QUuid>

namespace LearnPulse {

Database::Database(QString path)
    : m_path(std::move(path))
    , m_baseName(QStringLiteral("lp-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
{ }

Database::~Database()
{
    QMutexLocker lock(&m_mutex);
    for (const QString &name : std::as_const(m_connectionNames)) {
        QSqlDatabase::database(name, false).close();
        QSqlDatabase::removeDatabase(name);
    }
}

QString Database::errorOf(const QSqlQuery &query)
{
    return query.lastError().text().simplified(); // PostgreSQL's errors span lines (ERROR, DETAIL)
}

Result<std::shared_ptr<Database>> Database::open(const Config &config)
{
    return open(config, schemaVersion);
}

Result<std::shared_ptr<Database>> Database::open(const Config &config, int targetVersion)
{
    using R = Result<std::shared_ptr<Database>>;
    if (!config.databaseUrl.isEmpty()) {
        if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
            return R::failure(
                QStringLiteral("DATABASE_URL names PostgreSQL, but the Qt PostgreSQL driver is not installed "
                               "(Debian package libqt6sql6-psql)."));
        auto target = parsePostgresUrl(config.databaseUrl);
        if (!target)
            return R::failure(target.error());
        std::shared_ptr<Database> db(new Database(QString()));
        db->m_backend = Backend::PostgreSQL;
        db->m_host = target->host;
        db->m_port = target->port;
        db->m_user = target->user;
        db->m_password = target->password;
        db->m_databaseName = target->database;
        db->m_options = target->options;
        // Logs and errors name the server, never the password.
        db->m_path = QStringLiteral("postgresql://%1@%2:%3/%4")
                         .arg(target->user, target->host)
                         .arg(target->port)
                         .arg(target->database);
        if (auto seat = db->findSeatLogin(); !seat)
            return R::failure(seat.error());
        if (auto ready = db->m_seat ? db->checkSeatSchema() : db->migrate(qBound(1, targetVersion, schemaVersion));
            !ready)
            return R::failure(ready.error());
        return db;
    }
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return R::failure(QStringLiteral("The Qt SQLite driver is not installed (Debian package libqt6sql6-sqlite)."));
    if (auto dir = config.ensureDataDir(); !dir)
        return R::failure(dir.error());
    std::shared_ptr<Database> db(new Database(config.sqlitePath()));
    if (auto migrated = db->migrate(qBound(1, targetVersion, schemaVersion)); !migrated)
        return R::failure(migrated.error());
    return db;
}

void Database::closeThreadConnection()
{
    const QString name = m_baseName + QLatin1Char('@') + QString::number(quintptr(QThread::currentThreadId()), 16);
    QMutexLocker lock(&m_mutex);
    if (!m_connectionNames.remove(name))
        return;
    QSqlDatabase::database(name, false).close();
    QSqlDatabase::removeDatabase(name);
}

Result<QSqlDatabase> Database::connection()
{
    const QString name = m_baseName + QLatin1Char('@') + QString::number(quintptr(QThread::currentThreadId()), 16);
    if (QSqlDatabase::contains(name)) {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isOpen())
            return db;
    }
    const bool postgres = m_backend == Backend::PostgreSQL;
    QSqlDatabase db = QSqlDatabase::addDatabase(postgres ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE"), name);
    {
        QMutexLocker lock(&m_mutex);
        m_connectionNames.insert(name);
    }
    if (postgres) {
        db.setHostName(m_host);
        db.setPort(m_port);
        db.setUserName(m_user);
        db.setPassword(m_password);
        db.setDatabaseName(m_databaseName);
        db.setConnectOptions(m_options);
        if (!db.open())
            return Result<QSqlDatabase>::failure(QStringLiteral("Cannot connect to the index database %1: %2")
                                                     .arg(m_path, db.lastError().text().simplified()));
        // The server's notices ("... already exists, skipping") are not for the people reading our output: libpq
        // would print them on standard error.
        QSqlQuery(db).exec(QStringLiteral("SET client_min_messages TO warning"));
        return db;
    }
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=15000"));
    if (!db.open())
        return Result<QSqlDatabase>::failure(
            QStringLiteral("Cannot open the index database %1: %2").arg(m_path, db.lastError().text()));
    QSqlQuery pragma(db);
    // secure_delete: deleted data (an erased person) is overwritten, not left in free pages.
    for (const char *statement : { "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL",
             "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = ON" })
        pragma.exec(QLatin1String(statement));
    // The index holds accounts and transcripts: only its owner may read it.
    for (const QString &suffix : { QString(), QStringLiteral("-wal"), QStringLiteral("-shm") })
        if (QFile::exists(m_path + suffix))
            QFile::setPermissions(m_path + suffix, QFile::ReadOwner | QFile::WriteOwner);
    return db;
}

Status Database::migrate(int targetVersion)
{
    auto conn = connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlDatabase db = conn.value();
    QSqlQuery q(db);
    // Two processes opening a new database at once must not both create the schema.
    if (!beginWrite(q))
        return Status::failure(QStringLiteral("Cannot lock the index database: %1").arg(errorOf(q)));
    auto rollback = [&](const QString &error) {
        q.exec(QStringLiteral("ROLLBACK"));
        return Status::failure(QStringLiteral("Cannot prepare the index database %1: %2").arg(m_path, error));
    };
    if (!q.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")))
        return rollback(errorOf(q));
    int version = 0;
    if (q.exec(QStringLiteral("SELECT version FROM schema_version")) && q.next())
        version = q.value(0).toInt();
    if (version > schemaVersion)
        return rollback(
            QStringLiteral("it was written by a newer version of LearnPulse (schema %1, this build knows %2)")
                .arg(version)
                .arg(schemaVersion));
    static_assert(Schema::currentVersion == schemaVersion);
    const bool postgres = m_backend == Backend::PostgreSQL;
    if (m_backend == Backend::PostgreSQL && version == 0)
        targetVersion = schemaVersion; // PostgreSQL has no earlier versions to stop at
    for (int step = version + 1; step <= targetVersion; ++step)
        for (const char *statement : postgres ? Schema::postgresStep(step) : Schema::sqliteStep(step))
            if (!q.exec(QLatin1String(statement)))
                return rollback(errorOf(q));
    if (postgres && version > 0 && version < targetVersion && targetVersion == schemaVersion) {
        // Seat roles set up before: the new tables get their grants in the same transaction (a seat's login
        // would otherwise meet them without any).
        if (!q.exec(QStringLiteral("SELECT 1 FROM pg_roles WHERE rolname = 'lp_teacher'")))
            return rollback(errorOf(q));
        if (q.next()) {
            q.finish();
            QFile script(QStringLiteral(":/sql/postgres-roles.sql"));
            if (!script.open(QIODevice::ReadOnly) || !q.exec(QString::fromUtf8(script.readAll())))
                return rollback(QStringLiteral("cannot grant the seat roles the new tables: %1").arg(errorOf(q)));
        }
    }
    if (version < targetVersion) {
        if (!q.exec(QStringLiteral("DELETE FROM schema_version"))
            || !q.exec(QStringLiteral("INSERT INTO schema_version (version) VALUES (%1)").arg(targetVersion)))
            return rollback(errorOf(q));
        qCInfo(lcDatabase) << "index database schema migrated from version" << version << "to" << targetVersion;
    }
    if (!q.exec(QStringLiteral("COMMIT")))
        return rollback(errorOf(q));
    return {};
}

Status Database::findSeatLogin()
{
    auto conn = connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    // The owner of the tables (or a superuser) migrates and is bound by no row rule; any other login is a seat's.
    if (!q.exec(QStringLiteral("SELECT NOT pg_has_role(session_user, relowner, 'MEMBER') FROM pg_class "
                               "WHERE oid = to_regclass('public.schema_version')")))
        return Status::failure(QStringLiteral("Cannot read the index database %1: %2").arg(m_path, errorOf(q)));
    if (!q.next() || !q.value(0).toBool())
        return {}; // the owner, or a database without tables yet (created by whoever opens it first)
    q.finish();
    if (!q.exec(QStringLiteral("SELECT to_regprocedure('public.lp_current_user_id()') IS NOT NULL")) || !q.next()
        || !q.value(0).toBool())
        return Status::failure(QStringLiteral("The database login %1 is not the owner of the index database %2, and "
                                              "the database has no seat roles: with the owner's DATABASE_URL, run "
                                              "learnpulsectl db setup-roles.")
                                   .arg(m_user, m_path));
    q.finish();
    // A login whose account was removed, disabled, erased or given another role is in no group any more (and
    // may read nothing, not even its account): said in words rather than as a refused read.
    if (!q.exec(QStringLiteral("SELECT pg_has_role(session_user, 'lp_teacher', 'MEMBER') OR pg_has_role(session_user, "
                               "'lp_support', 'MEMBER') OR pg_has_role(session_user, 'lp_admin', 'MEMBER')"))
        || !q.next())
        return Status::failure(QStringLiteral("Cannot read the index database %1: %2").arg(m_path, errorOf(q)));
    const bool inAGroup = q.value(0).toBool();
    q.finish();
    if (inAGroup && !q.exec(QStringLiteral("SELECT id, role FROM users WHERE id = lp_current_user_id()")))
        return Status::failure(QStringLiteral("Cannot read the index database %1: %2").arg(m_path, errorOf(q)));
    const std::optional<Role> role = inAGroup && q.next() ? roleFromName(q.value(1).toString()) : std::nullopt;
    if (!role)
        return Status::failure(
            QStringLiteral("The database login %1 acts for no account: its account was removed or disabled, or its "
                           "role changed. An admin gives this seat a login again with learnpulsectl db add-login.")
                .arg(m_user));
    m_seat = SeatLogin { q.value(0).toString(), role.value() };
    qCInfo(lcDatabase).noquote() << QStringLiteral("index database opened with a seat's login role=%1 user=%2")
                                        .arg(roleName(*role), m_seat->userId);
    return {};
}

bool Database::seatStillActs()
{
    if (!m_seat)
        return true;
    auto conn = connection();
    if (!conn)
        return true;
    QSqlQuery q(conn.value());
    if (!q.exec(QStringLiteral("SELECT pg_has_role(session_user, 'lp_teacher', 'MEMBER') OR pg_has_role(session_user, "
                               "'lp_support', 'MEMBER') OR pg_has_role(session_user, 'lp_admin', 'MEMBER')"))
        || !q.next())
        return true;
    if (!q.value(0).toBool())
        return false;
    q.finish();
    return !q.exec(QStringLiteral("SELECT lp_current_user_id()")) || !q.next()
        || q.value(0).toString() == m_seat->userId;
}

Status Database::checkSeatSchema()
{
    auto conn = connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    const int version
        = q.exec(QStringLiteral("SELECT version FROM schema_version")) && q.next() ? q.value(0).toInt() : 0;
    if (version == schemaVersion)
        return {};
    if (version > schemaVersion)
        return Status::failure(
            QStringLiteral("The index database %1 was written by a newer version of LearnPulse (schema %2, this build "
                           "knows %3): install the same version on every seat.")
                .arg(m_path)
                .arg(version)
                .arg(schemaVersion));
    return Status::failure(
        QStringLiteral("The index database %1 has schema version %2 and this build needs %3. A seat's login cannot "
                       "change the schema: run this version of learnpulsectl (any command, e.g. tickets list) once "
                       "with the owner's DATABASE_URL (it grants the seat roles any new tables too).")
            .arg(m_path)
            .arg(version)
            .arg(schemaVersion));
}

bool Database::beginWrite(QSqlQuery &q) const
{
    if (m_backend == Backend::SQLite)
        return q.exec(QStringLiteral("BEGIN IMMEDIATE"));
    // One writer at a time, as with SQLite: a transaction-scoped lock every seat takes first.
    if (!q.exec(QStringLiteral("BEGIN")))
        return false;
    // As long as SQLite's busy timeout: a stuck seat makes the others fail with an error, not hang.
    if (q.exec(QStringLiteral("SET LOCAL lock_timeout = '15s'"))
        && q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7366824)")))
        return true;
    q.exec(QStringLiteral("ROLLBACK"));
    return false;
}

QString Database::sql(const QString &statement) const
{
    if (m_backend == Backend::SQLite)
        return statement;
    // Emails compare without regard to case: SQLite does it by collation, PostgreSQL by lower().
    static const QRegularExpression email(QStringLiteral("\\b([a-z_.]*email) = \\?( COLLATE NOCASE)?"));
    QString out = statement;
    out.replace(email, QStringLiteral("lower(\\1) = lower(?)"));
    return out;
}

} // namespace LearnPulse
