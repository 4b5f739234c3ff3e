#pragma once

#include "accountstore.h"
#include "config.h"
#include "database.h"
#include "redisclient.h"
#include "redisserverprocess.h"
#include "services.h"
#include "sessionstore.h"
#include "ticketservice.h"
#include "ticketstore.h"

#include <QJsonObject>
#include <QProcess>
#include <QSqlDatabase>
#include <QTemporaryDir>

#include <memory>

namespace LearnPulse::Test {

// A real redis-server for one test: a free loopback port, data in a temporary directory.
class TestRedis
{
public:
    // Starts the server; QVERIFY-style failure text in error() when it could not.
    bool start();
    QString url() const { return m_server.url(); }
    std::unique_ptr<RedisClient> client() const;
    RedisServerProcess &server() { return m_server; }
    // Starts the stopped server again on the same port with no data (as after a loss of its disk).
    bool restartEmpty();
    const QString &error() const { return m_error; }

private:
    QTemporaryDir m_dir;
    RedisServerProcess m_server;
    QString m_error;
};

// A real PostgreSQL server for the tests of one process (Debian's postgresql package): initdb in a
// temporary directory, a free loopback port, no fsync. Run as root, it runs the server as the
// postgres user (PostgreSQL refuses root). Each test takes a fresh database from it.
class TestPostgres
{
public:
    ~TestPostgres();
    bool start(); // false: see error()
    // Creates an empty database and returns its postgresql:// URL.
    Result<QString> freshDatabase();
    const QString &error() const { return m_error; }
    int port() const { return m_port; }
    // The owner of every test database: a login with CREATEROLE, not a superuser (as the README makes it).
    static QString owner() { return QStringLiteral("lp_owner"); }
    // The first column of each row of `sql`, run by the cluster's superuser (in `database`; empty: postgres), for
    // what only a superuser may read (pg_authid); a failure is one row "ERROR: ...".
    QStringList superuserQuery(const QString &sql, const QString &database = {});

    // The server shared by every test in this process when LP_TEST_DATABASE=postgres, else null.
    static TestPostgres *shared();
    static bool wanted();

private:
    QStringList asServerUser(const QString &program, const QStringList &args) const;
    // A connection (not yet open) to the server's maintenance database, under `name`.
    QSqlDatabase adminConnection(const QString &name) const;
    QString m_bin;
    QString m_dir;
    int m_port = 0;
    bool m_asPostgresUser = false;
    QProcess m_server;
    int m_databases = 0;
    QString m_error;
};

// A data directory, a Redis server and the core services over them, as the application wires them.
// With LP_TEST_DATABASE=postgres the index is a fresh database on the shared TestPostgres server.
class CoreFixture
{
public:
    bool setUp(); // false: see error()
    const QString &error() const { return m_error; }

    QTemporaryDir dataDir;
    TestRedis redis;
    Config config;
    std::shared_ptr<Database> db;
    std::unique_ptr<RedisClient> redisClient; // for the tests' own commands
    // The parts, wired by Services (the application's composition root) over `config`, which the tests may
    // change as they go: every part sees the change.
    std::unique_ptr<Services> services;
    SessionStore *sessions = nullptr;
    std::shared_ptr<TicketStore> tickets;
    TicketService *ticketService = nullptr;
    AccountStore *accounts = nullptr;

    Account addTeacher(const QString &email = QStringLiteral("ms.khan@school.example"),
        const QString &name = QStringLiteral("Amira Khan"));

private:
    QString m_error;
};

// The configuration of `dataDir` from its settings file alone, plus the test's DATABASE_URL (set when
// the tests run against PostgreSQL).
Result<Config> testConfig(const QString &dataDir);
// The same for a new test: against PostgreSQL it first takes a fresh database and sets DATABASE_URL
// (also for the processes the test starts).
Result<Config> freshTestConfig(const QString &dataDir);
// With the owner's PostgreSQL URL, as an owner would do it with learnpulsectl: the seat roles (db setup-roles,
// idempotent) and a login of its own for the account `email` (db add-login). Returns the URL a seat of that
// account gets (the login's name is unique per call: logins are cluster-wide).
Result<QString> addSeatLogin(const QString &ownerUrl, const QString &email);

// Runs a program to completion with optional stdin; returns {exit code, stdout, stderr}.
struct ProcessResult
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};
ProcessResult runProcess(const QString &program, const QStringList &args, const QByteArray &input = {},
    const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment(), int timeoutMs = 60000);

QString testDataPath(const QString &name);

// A test server written in Python (tests/support/*.py) run by Debian's python3: it prints
// "PORT <n>" once it listens and stops when its stdin closes.
class PythonServer
{
public:
    ~PythonServer();
    bool start(const QString &script, const QStringList &args); // false: see error()
    void stop();
    int port() const { return m_port; }
    const QString &error() const { return m_error; }

private:
    QProcess m_process;
    int m_port = 0;
    QString m_error;
};

// The OpenAI-compatible server of tests/support/fake_llm_server.py on a free loopback port.
class FakeLlm
{
public:
    bool start(double stallSeconds = 5.0); // false: see error()
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1/v1").arg(m_server.port()); }
    // Every request received so far: {"request": body, "authorization": header, "accept": header}.
    QList<QJsonObject> requests() const;
    const QString &error() const { return m_server.error(); }

private:
    QTemporaryDir m_dir;
    PythonServer m_server;
};

// An SMTP server (tests/support/smtp_sink.py, aiosmtpd) that stores what it receives.
class SmtpSink
{
public:
    bool start(int port, bool reject = false);
    void stop() { m_server.stop(); }
    QList<QJsonObject> messages() const; // in arrival order
    const QString &error() const { return m_server.error(); }

private:
    QTemporaryDir m_dir;
    PythonServer m_server;
};

// An HTTP receiver for webhooks (tests/support/http_sink.py).
class HttpSink
{
public:
    bool start(int port = 0, int status = 200);
    void stop() { m_server.stop(); }
    int port() const { return m_server.port(); }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1/hooks/support").arg(m_server.port()); }
    QList<QJsonObject> posts() const;
    const QString &error() const { return m_server.error(); }

private:
    QTemporaryDir m_dir;
    PythonServer m_server;
};

// JSON objects, one per line, from a file (a missing file: none).
QList<QJsonObject> readJsonLines(const QString &path);

} // namespace LearnPulse::Test
