#include "testsupport.h"

#include "roles.h"

#include <QFile>
#include <QJsonDocument>

namespace LearnPulse::Test {

bool TestRedis::start()
{
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    // A port found free can be taken by another process before redis-server binds it: retry.
    for (int attempt = 0; attempt < 5; ++attempt) {
        RedisServerProcess::Options options;
        options.directory = m_dir.path() + QStringLiteral("/redis");
        options.port = RedisServerProcess::freePort();
        options.unixSocket = false;
        options.executable = QStringLiteral(LP_REDIS_SERVER);
        if (auto started = m_server.start(options); started)
            return true;
        else
            m_error = started.error();
    }
    return false;
}

std::unique_ptr<RedisClient> TestRedis::client() const
{
    auto c = RedisClient::connect(url());
    return c ? std::move(c).value() : nullptr;
}

bool CoreFixture::setUp()
{
    if (!dataDir.isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    if (!redis.start()) {
        m_error = redis.error();
        return false;
    }
    auto loaded = Config::load(dataDir.path(), QProcessEnvironment());
    if (!loaded) {
        m_error = loaded.error();
        return false;
    }
    config = loaded.value();
    config.redisUrl = redis.url();
    auto opened = Database::open(config);
    if (!opened) {
        m_error = opened.error();
        return false;
    }
    db = opened.value();
    redisClient = redis.client();
    if (!redisClient) {
        m_error = QStringLiteral("cannot connect to the test redis-server");
        return false;
    }
    sessions = std::make_unique<SessionStore>(*redisClient, config);
    tickets = std::make_shared<TicketStore>(db);
    ticketService = std::make_unique<TicketService>(config, tickets);
    accounts = std::make_unique<AccountStore>(db);
    return true;
}

Account CoreFixture::addTeacher(const QString &email, const QString &name)
{
    auto added = accounts->add(Actor::commandLine(), email, name, Role::Teacher);
    if (!added)
        qFatal("cannot add a test teacher: %s", qPrintable(added.error()));
    return added.value();
}

ProcessResult runProcess(const QString &program, const QStringList &args, const QByteArray &input,
                         const QProcessEnvironment &env, int timeoutMs)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    ProcessResult r;
    if (!p.waitForStarted(timeoutMs)) {
        r.err = p.errorString().toUtf8();
        return r;
    }
    if (!input.isEmpty())
        p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        r.err = "timed out";
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString testDataPath(const QString &name)
{
    return QStringLiteral(LP_TEST_DATA_DIR "/") + name;
}

PythonServer::~PythonServer()
{
    stop();
}

void PythonServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.closeWriteChannel(); // the server stops when its stdin closes
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished();
    }
}

bool PythonServer::start(const QString &script, const QStringList &args)
{
    stop();
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start(QStringLiteral(LP_PYTHON3), QStringList{QStringLiteral(LP_TEST_SUPPORT_DIR "/") + script} + args);
    if (!m_process.waitForStarted(10000)) {
        m_error = QStringLiteral("cannot start %1: %2").arg(script, m_process.errorString());
        return false;
    }
    while (!m_process.canReadLine()) {
        if (!m_process.waitForReadyRead(15000)) {
            m_error = QStringLiteral("%1 did not report its port").arg(script);
            return false;
        }
    }
    const QByteArray line = m_process.readLine().trimmed();
    m_port = line.startsWith("PORT ") ? line.mid(5).toInt() : 0;
    if (m_port <= 0)
        m_error = QStringLiteral("unexpected first line from %1: %2").arg(script, QString::fromUtf8(line));
    return m_port > 0;
}

QList<QJsonObject> readJsonLines(const QString &path)
{
    QList<QJsonObject> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (!line.trimmed().isEmpty())
            out << QJsonDocument::fromJson(line).object();
    return out;
}

bool FakeLlm::start(double stallSeconds)
{
    return m_server.start(QStringLiteral("fake_llm_server.py"),
                          {QStringLiteral("--log"), m_dir.filePath(QStringLiteral("requests.jsonl")), QStringLiteral("--stall"),
                           QString::number(stallSeconds)});
}

QList<QJsonObject> FakeLlm::requests() const
{
    return readJsonLines(m_dir.filePath(QStringLiteral("requests.jsonl")));
}

bool SmtpSink::start(int port, bool reject)
{
    QStringList args{QStringLiteral("--port"), QString::number(port), QStringLiteral("--out"), m_dir.path()};
    if (reject)
        args << QStringLiteral("--reject");
    return m_server.start(QStringLiteral("smtp_sink.py"), args);
}

QList<QJsonObject> SmtpSink::messages() const
{
    QList<QJsonObject> out;
    for (int i = 1;; ++i) {
        QFile f(m_dir.filePath(QStringLiteral("%1.json").arg(i)));
        if (!f.open(QIODevice::ReadOnly))
            return out;
        out << QJsonDocument::fromJson(f.readAll()).object();
    }
}

bool HttpSink::start(int port, int status)
{
    return m_server.start(QStringLiteral("http_sink.py"),
                          {QStringLiteral("--log"), m_dir.filePath(QStringLiteral("posts.jsonl")), QStringLiteral("--port"),
                           QString::number(port), QStringLiteral("--status"), QString::number(status)});
}

QList<QJsonObject> HttpSink::posts() const
{
    return readJsonLines(m_dir.filePath(QStringLiteral("posts.jsonl")));
}

} // namespace LearnPulse::Test
