#include "database.h"

#include "config.h"
#include "logging.h"
#include "roles.h"

#include <QDateTime>
#include <QFile>
#include <QSqlError>
#include <QSqlQuery>
#include <QRegularExpression>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>

#include <span>

namespace LearnPulse {

namespace {

const char *const schemaV1[] = {
    R"sql(CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('teacher', 'support', 'admin')),
        password_hash TEXT,
        created TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0))sql",
    R"sql(CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        teacher_name TEXT NOT NULL,
        teacher_email TEXT NOT NULL COLLATE NOCASE,
        teacher_role TEXT NOT NULL,
        class_id TEXT NOT NULL DEFAULT '',
        student TEXT NOT NULL DEFAULT '',
        scope TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        summary TEXT NOT NULL,
        signal_count INTEGER NOT NULL,
        rules TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
        email_status TEXT NOT NULL DEFAULT 'pending',
        conversation_file TEXT NOT NULL))sql",
    "CREATE INDEX tickets_user ON tickets (user_id)",
    "CREATE INDEX tickets_email ON tickets (teacher_email)",
    "CREATE INDEX tickets_created ON tickets (created)",
    "CREATE VIRTUAL TABLE tickets_fts USING fts5 (ticket_id UNINDEXED, transcript, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    R"sql(CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''))sql",
};

// Version 2: the durable outbox of ticket emails and webhook posts.
const char *const schemaV2[] = {
    R"sql(CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ticket_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('email', 'webhook')),
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        tries INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT NOT NULL,
        lease_until TEXT NOT NULL DEFAULT '',
        last_error TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        sent_at TEXT NOT NULL DEFAULT '',
        UNIQUE (ticket_id, kind)))sql",
    "CREATE INDEX outbox_due ON outbox (state, next_attempt)",
};

// Version 3: an append-only audit log, and slowing down failed sign-ins per account.
const char *const schemaV3[] = {
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    "ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE users ADD COLUMN locked_until TEXT NOT NULL DEFAULT ''",
};

// Version 4: a flag for index rows whose transcript file is gone (set by the reconciliation at start).
const char *const schemaV4[] = {
    "ALTER TABLE tickets ADD COLUMN integrity TEXT NOT NULL DEFAULT ''",
};

// Version 5: tickets get an explicit integer key (`seq`, which VACUUM cannot renumber, unlike an
// implicit rowid) and the full-text row of a ticket takes the same number as its rowid, so a
// search joins on integers instead of looking each match up by its text id.
const char *const schemaV5[] = {
    R"sql(CREATE TABLE tickets_v5 (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        teacher_name TEXT NOT NULL,
        teacher_email TEXT NOT NULL COLLATE NOCASE,
        teacher_role TEXT NOT NULL,
        class_id TEXT NOT NULL DEFAULT '',
        student TEXT NOT NULL DEFAULT '',
        scope TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        summary TEXT NOT NULL,
        signal_count INTEGER NOT NULL,
        rules TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
        email_status TEXT NOT NULL DEFAULT 'pending',
        conversation_file TEXT NOT NULL,
        integrity TEXT NOT NULL DEFAULT ''))sql",
    R"sql(INSERT INTO tickets_v5 (id, session_id, user_id, teacher_name, teacher_email, teacher_role, class_id, student,
        scope, created, updated, summary, signal_count, rules, status, email_status, conversation_file, integrity)
        SELECT id, session_id, user_id, teacher_name, teacher_email, teacher_role, class_id, student, scope, created,
        updated, summary, signal_count, rules, status, email_status, conversation_file, integrity
        FROM tickets ORDER BY created, id)sql",
    "DROP TABLE tickets",
    "ALTER TABLE tickets_v5 RENAME TO tickets",
    "CREATE INDEX tickets_user ON tickets (user_id)",
    "CREATE INDEX tickets_email ON tickets (teacher_email)",
    "CREATE INDEX tickets_created ON tickets (created)",
    "CREATE VIRTUAL TABLE tickets_fts_v5 USING fts5 (ticket_id UNINDEXED, transcript, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    R"sql(INSERT INTO tickets_fts_v5 (rowid, ticket_id, transcript)
        SELECT t.seq, f.ticket_id, f.transcript FROM tickets_fts f JOIN tickets t ON t.id = f.ticket_id)sql",
    "DROP TABLE tickets_fts",
    "ALTER TABLE tickets_fts_v5 RENAME TO tickets_fts",
};

// Version 6: anonymous metric events (no session, person or text; the hour only).
const char *const schemaV6[] = {
    R"sql(CREATE TABLE metric_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        ts TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('session', 'escalation', 'guard')),
        messages INTEGER NOT NULL DEFAULT 0,
        detail TEXT NOT NULL DEFAULT ''))sql",
    "CREATE INDEX metric_events_ts ON metric_events (ts)",
};

// Version 7, both back ends: the ids of deleted, erased and expired tickets. A transcript file with
// such an id (left on another seat's disk, or by a crash between the rows and the file) is deleted
// by the start-up reconciliation instead of being indexed again. Ids only: no personal data.
const char *const schemaV7[] = {
    "CREATE TABLE deleted_tickets (id TEXT PRIMARY KEY, deleted TEXT NOT NULL)",
};

// PostgreSQL (several seats, DATABASE_URL) starts at schema version 6: its first migration creates
// what SQLite reached through versions 1 to 6. Later versions add a step for each back end (7 is
// the same statement on both).
// Emails compare without regard to case (SQLite: COLLATE NOCASE; here: indexes on lower()). The
// full-text index keeps the transcript and a generated tsvector ('simple': no stemming, like FTS5;
// every run of other characters splits words, as FTS5's tokenizer does, so that "khan" finds
// amira.khan@school.example).
const char *const postgresV6[] = {
    R"sql(CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        display_name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('teacher', 'support', 'admin')),
        password_hash TEXT,
        created TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        failed_sign_ins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT NOT NULL DEFAULT ''))sql",
    "CREATE UNIQUE INDEX users_email ON users (lower(email))",
    R"sql(CREATE TABLE tickets (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        session_id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        teacher_name TEXT NOT NULL,
        teacher_email TEXT NOT NULL,
        teacher_role TEXT NOT NULL,
        class_id TEXT NOT NULL DEFAULT '',
        student TEXT NOT NULL DEFAULT '',
        scope TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        summary TEXT NOT NULL,
        signal_count INTEGER NOT NULL,
        rules TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'resolved')),
        email_status TEXT NOT NULL DEFAULT 'pending',
        conversation_file TEXT NOT NULL,
        integrity TEXT NOT NULL DEFAULT ''))sql",
    "CREATE INDEX tickets_user ON tickets (user_id)",
    "CREATE INDEX tickets_email ON tickets (lower(teacher_email))",
    "CREATE INDEX tickets_created ON tickets (created)",
    R"sql(CREATE TABLE tickets_fts (
        rowid BIGINT PRIMARY KEY,
        ticket_id TEXT NOT NULL,
        transcript TEXT NOT NULL,
        tsv TSVECTOR GENERATED ALWAYS AS (
            to_tsvector('simple', regexp_replace(transcript, '[^[:alnum:]_]+', ' ', 'g'))) STORED))sql",
    "CREATE INDEX tickets_fts_tsv ON tickets_fts USING GIN (tsv)",
    R"sql(CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY,
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''))sql",
    "CREATE FUNCTION lp_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION lp_audit_log_append_only()",
    R"sql(CREATE TABLE outbox (
        id BIGSERIAL PRIMARY KEY,
        ticket_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('email', 'webhook')),
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        tries INTEGER NOT NULL DEFAULT 0,
        next_attempt TEXT NOT NULL,
        lease_until TEXT NOT NULL DEFAULT '',
        last_error TEXT NOT NULL DEFAULT '',
        created TEXT NOT NULL,
        sent_at TEXT NOT NULL DEFAULT '',
        UNIQUE (ticket_id, kind)))sql",
    "CREATE INDEX outbox_due ON outbox (state, next_attempt)",
    R"sql(CREATE TABLE metric_events (
        id BIGSERIAL PRIMARY KEY,
        ts TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('session', 'escalation', 'guard')),
        messages INTEGER NOT NULL DEFAULT 0,
        detail TEXT NOT NULL DEFAULT ''))sql",
    "CREATE INDEX metric_events_ts ON metric_events (ts)",
};

// The parts of a postgresql:// URL (libpq's form): user, password, host, port, database, and
// query options such as sslmode or host (a socket directory).
struct PostgresTarget
{
    QString host;
    int port = 5432;
    QString user;
    QString password;
    QString database;
    QString options;
};

Result<PostgresTarget> parsePostgresUrl(const QString &text)
{
    using R = Result<PostgresTarget>;
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != QLatin1String("postgresql") && url.scheme() != QLatin1String("postgres")))
        return R::failure(QStringLiteral("DATABASE_URL must look like postgresql://user:password@host:5432/database"));
    PostgresTarget t;
    t.host = url.host();
    t.port = url.port(5432);
    t.user = url.userName(QUrl::FullyDecoded);
    t.password = url.password(QUrl::FullyDecoded);
    t.database = url.path(QUrl::FullyDecoded).mid(1);
    QStringList options{QStringLiteral("connect_timeout=10")};
    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == QLatin1String("host"))
            t.host = value;
        else if (key == QLatin1String("sslmode") || key == QLatin1String("application_name") || key == QLatin1String("connect_timeout")) {
            static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_.-]+$"));
            if (!plain.match(value).hasMatch())
                return R::failure(QStringLiteral("DATABASE_URL option %1 must be letters, digits, '.', '_' or '-'").arg(key));
            options << key + QLatin1Char('=') + value;
        }
        else
            return R::failure(QStringLiteral("DATABASE_URL has an option this application does not know: %1").arg(key));
    }
    if (t.database.isEmpty())
        return R::failure(QStringLiteral("DATABASE_URL names no database (postgresql://user@host:5432/DATABASE)."));
    if (t.host.isEmpty())
        t.host = QStringLiteral("localhost");
    t.options = options.join(QLatin1Char(';'));
    return t;
}

} // namespace

Database::Database(QString path)
    : m_path(std::move(path))
    , m_baseName(QStringLiteral("lp-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
{
}

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
            return R::failure(QStringLiteral("DATABASE_URL names PostgreSQL, but the Qt PostgreSQL driver is not installed "
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
        db->m_path = QStringLiteral("postgresql://%1@%2:%3/%4").arg(target->user, target->host).arg(target->port).arg(target->database);
        if (auto migrated = db->migrate(qBound(1, targetVersion, schemaVersion)); !migrated)
            return R::failure(migrated.error());
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
            return Result<QSqlDatabase>::failure(
                QStringLiteral("Cannot connect to the index database %1: %2").arg(m_path, db.lastError().text().simplified()));
        return db;
    }
    db.setDatabaseName(m_path);
    db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=15000"));
    if (!db.open())
        return Result<QSqlDatabase>::failure(
            QStringLiteral("Cannot open the index database %1: %2").arg(m_path, db.lastError().text()));
    QSqlQuery pragma(db);
    // secure_delete: deleted data (an erased person) is overwritten, not left in free pages.
    for (const char *statement : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",
                                  "PRAGMA secure_delete = ON"})
        pragma.exec(QLatin1String(statement));
    // The index holds accounts and transcripts: only its owner may read it.
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")})
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
        return rollback(QStringLiteral("it was written by a newer version of LearnPulse (schema %1, this build knows %2)")
                            .arg(version)
                            .arg(schemaVersion));
    const std::span<const char *const> sqliteSteps[] = {schemaV1, schemaV2, schemaV3, schemaV4, schemaV5, schemaV6, schemaV7};
    const std::span<const char *const> postgresSteps[] = {{}, {}, {}, {}, {}, postgresV6, schemaV7};
    static_assert(std::size(sqliteSteps) == schemaVersion && std::size(postgresSteps) == schemaVersion);
    const auto &steps = m_backend == Backend::PostgreSQL ? postgresSteps : sqliteSteps;
    if (m_backend == Backend::PostgreSQL && version == 0)
        targetVersion = schemaVersion; // PostgreSQL has no earlier versions to stop at
    for (int step = version + 1; step <= targetVersion; ++step)
        for (const char *statement : steps[step - 1])
            if (!q.exec(QLatin1String(statement)))
                return rollback(errorOf(q));
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

bool Database::beginWrite(QSqlQuery &q) const
{
    if (m_backend == Backend::SQLite)
        return q.exec(QStringLiteral("BEGIN IMMEDIATE"));
    // One writer at a time, as with SQLite: a transaction-scoped lock every seat takes first.
    if (!q.exec(QStringLiteral("BEGIN")))
        return false;
    // As long as SQLite's busy timeout: a stuck seat makes the others fail with an error, not hang.
    if (q.exec(QStringLiteral("SET LOCAL lock_timeout = '15s'")) && q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(7366824)")))
        return true;
    QSqlQuery(q).exec(QStringLiteral("ROLLBACK"));
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

Status Database::audit(const Actor &actor, const QString &action, const QString &target, const QString &detail)
{
    auto conn = connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(QStringLiteral("INSERT INTO audit_log (ts, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)"));
    q.addBindValue(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    q.addBindValue(actor.auditName());
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
        out << AuditEntry{QDateTime::fromString(q.value(0).toString(), Qt::ISODateWithMs), q.value(1).toString(),
                          q.value(2).toString(), q.value(3).toString(), q.value(4).toString()};
    return out;
}

} // namespace LearnPulse
