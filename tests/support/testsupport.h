#pragma once

#include "accountstore.h"
#include "config.h"
#include "database.h"
#include "redisclient.h"
#include "redisserverprocess.h"
#include "sessionstore.h"
#include "ticketservice.h"
#include "ticketstore.h"

#include <QJsonObject>
#include <QProcess>
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
    const QString &error() const { return m_error; }

private:
    QTemporaryDir m_dir;
    RedisServerProcess m_server;
    QString m_error;
};

// A data directory, a Redis server and the core services over them, as the application wires them.
class CoreFixture
{
public:
    bool setUp(); // false: see error()
    const QString &error() const { return m_error; }

    QTemporaryDir dataDir;
    TestRedis redis;
    Config config;
    std::shared_ptr<Database> db;
    std::unique_ptr<RedisClient> redisClient;
    std::unique_ptr<SessionStore> sessions;
    std::shared_ptr<TicketStore> tickets;
    std::unique_ptr<TicketService> ticketService;
    std::unique_ptr<AccountStore> accounts;

    Account addTeacher(const QString &email = QStringLiteral("ms.khan@school.example"),
                       const QString &name = QStringLiteral("Amira Khan"));

private:
    QString m_error;
};

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
