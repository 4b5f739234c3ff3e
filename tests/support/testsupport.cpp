#include "testsupport.h"

#include "roles.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

#include <algorithm>
#include <cstdlib>
#include <pwd.h>
#include <sys/types.h>
#include <unistd.h>

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

bool TestRedis::restartEmpty()
{
    m_server.stop();
    if (!QDir(m_dir.path() + QStringLiteral("/redis")).removeRecursively()) {
        m_error = QStringLiteral("cannot remove the Redis data");
        return false;
    }
    if (auto started = m_server.restart(); !started) {
        m_error = started.error();
        return false;
    }
    return true;
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
    if (!TestPostgres::wanted())
        qunsetenv("DATABASE_URL"); // a DATABASE_URL of the shell that runs the tests is never used
    if (TestPostgres *postgres = TestPostgres::shared()) {
        auto url = postgres->freshDatabase();
        if (!url) {
            m_error = url.error();
            return false;
        }
        config.databaseUrl = url.value();
        // Processes the test starts (learnpulsectl, turn workers) use the same database.
        qputenv("DATABASE_URL", url->toUtf8());
    }
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
    auto wired = Services::openBorrowing(config, db);
    if (!wired) {
        m_error = wired.error();
        return false;
    }
    services = std::move(wired).value();
    if (auto redisUp = services->connectRedis(); !redisUp) {
        m_error = redisUp.error();
        return false;
    }
    sessions = services->sessions();
    tickets = services->ticketStore();
    ticketService = &services->tickets();
    accounts = &services->accounts();
    return true;
}

bool TestPostgres::wanted()
{
    return qgetenv("LP_TEST_DATABASE") == "postgres";
}

TestPostgres *TestPostgres::shared()
{
    if (!wanted())
        return nullptr;
    static TestPostgres *server = [] {
        auto *s = new TestPostgres;
        if (!s->start())
            qFatal("cannot start the test PostgreSQL server: %s", qPrintable(s->error()));
        qAddPostRoutine([] { delete server; }); // stopped as the application object goes
        return s;
    }();
    return server;
}

QStringList TestPostgres::asServerUser(const QString &program, const QStringList &args) const
{
    if (!m_asPostgresUser)
        return QStringList { program } + args;
    return QStringList { QStringLiteral("runuser"), QStringLiteral("-u"), QStringLiteral("postgres"),
        QStringLiteral("--"), program }
    + args;
}

bool TestPostgres::start()
{
    QStringList versions = QDir(QStringLiteral("/usr/lib/postgresql")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(
        versions.begin(), versions.end(), [](const QString &a, const QString &b) { return a.toInt() < b.toInt(); });
    for (const QString &v : std::as_const(versions))
        if (QFile::exists(QStringLiteral("/usr/lib/postgresql/%1/bin/initdb").arg(v)))
            m_bin = QStringLiteral("/usr/lib/postgresql/%1/bin/").arg(v);
    if (m_bin.isEmpty()) {
        m_error = QStringLiteral(
            "PostgreSQL is not installed (Debian package postgresql; scripts/run-tests.sh installs it)");
        return false;
    }
    QByteArray pattern = QDir::tempPath().toLocal8Bit() + "/lp-pg-XXXXXX";
    if (!mkdtemp(pattern.data())) {
        m_error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    m_dir = QString::fromLocal8Bit(pattern);
    m_asPostgresUser = geteuid() == 0;
    if (m_asPostgresUser) {
        const passwd *pw = getpwnam("postgres");
        if (!pw || chown(pattern.constData(), pw->pw_uid, pw->pw_gid) != 0) {
            m_error = QStringLiteral("running as root, but there is no postgres user to run the server as");
            return false;
        }
    }
    const QString data = m_dir + QStringLiteral("/data");
    QStringList init = asServerUser(m_bin + QStringLiteral("initdb"),
        { QStringLiteral("-D"), data, QStringLiteral("-U"), QStringLiteral("lp"), QStringLiteral("--auth=trust"),
            QStringLiteral("-E"), QStringLiteral("UTF8"), QStringLiteral("--no-locale"), QStringLiteral("--no-sync") });
    const ProcessResult initialised
        = runProcess(init.takeFirst(), init, {}, QProcessEnvironment::systemEnvironment(), 120000);
    if (initialised.exitCode != 0) {
        m_error = QStringLiteral("initdb failed: ") + QString::fromLocal8Bit(initialised.err + initialised.out);
        return false;
    }
    m_port = RedisServerProcess::freePort();
    QStringList server = asServerUser(m_bin + QStringLiteral("postgres"),
        { QStringLiteral("-D"), data, QStringLiteral("-p"), QString::number(m_port), QStringLiteral("-k"), m_dir,
            QStringLiteral("-c"), QStringLiteral("listen_addresses=127.0.0.1"), QStringLiteral("-c"),
            QStringLiteral("fsync=off"), QStringLiteral("-c"), QStringLiteral("synchronous_commit=off"),
            QStringLiteral("-c"), QStringLiteral("full_page_writes=off"), QStringLiteral("-c"),
            QStringLiteral("max_connections=200") });
    m_server.setProcessChannelMode(QProcess::MergedChannels);
    m_server.setStandardOutputFile(m_dir + QStringLiteral("/server.log"));
    m_server.start(server.takeFirst(), server);
    if (!m_server.waitForStarted(10000)) {
        m_error = QStringLiteral("cannot start postgres: ") + m_server.errorString();
        return false;
    }
    // Ready when it accepts a connection.
    const QString probe = QStringLiteral("lp-pg-probe");
    QElapsedTimer waited;
    waited.start();
    bool ready = false;
    {
        QSqlDatabase db = adminConnection(probe);
        while (!(ready = db.open()) && waited.elapsed() < 30000 && m_server.state() == QProcess::Running)
            QThread::msleep(100);
        db.close();
    }
    QSqlDatabase::removeDatabase(probe);
    if (!ready) {
        QFile log(m_dir + QStringLiteral("/server.log"));
        log.open(QIODevice::ReadOnly);
        m_error = QStringLiteral("postgres did not accept connections: ") + QString::fromLocal8Bit(log.readAll());
        return false;
    }
    // The tables' owner as the README makes it: a login with CREATEROLE (it makes the seat groups and logins),
    // never a superuser, so that nothing the tests see depends on a superuser's powers (issue 26).
    {
        QSqlDatabase db = adminConnection(probe);
        if (!db.open()
            || !QSqlQuery(db).exec(QStringLiteral("CREATE ROLE %1 LOGIN CREATEROLE NOSUPERUSER").arg(owner())))
            m_error = QStringLiteral("cannot create the owner role: ") + db.lastError().text();
        db.close();
    }
    QSqlDatabase::removeDatabase(probe);
    return m_error.isEmpty();
}

QStringList TestPostgres::superuserQuery(const QString &sql, const QString &database)
{
    const QString name = QStringLiteral("lp-pg-superuser");
    QStringList rows;
    {
        QSqlDatabase db = adminConnection(name);
        if (!database.isEmpty())
            db.setDatabaseName(database);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(sql))
                while (q.next())
                    rows << q.value(0).toString();
            else
                rows << QStringLiteral("ERROR: ") + q.lastError().text();
        } else {
            rows << QStringLiteral("ERROR: ") + db.lastError().text();
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

QSqlDatabase TestPostgres::adminConnection(const QString &name) const
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), name);
    db.setHostName(QStringLiteral("127.0.0.1"));
    db.setPort(m_port);
    db.setUserName(QStringLiteral("lp"));
    db.setDatabaseName(QStringLiteral("postgres"));
    return db;
}

Result<QString> TestPostgres::freshDatabase()
{
    const QString name = QStringLiteral("lp_test_%1").arg(++m_databases);
    const QString connection = QStringLiteral("lp-pg-admin");
    QString error;
    {
        QSqlDatabase db = adminConnection(connection);
        if (!db.open())
            error = db.lastError().text();
        else if (QSqlQuery q(db); !q.exec(QStringLiteral("CREATE DATABASE %1 OWNER %2").arg(name, owner())))
            error = q.lastError().text();
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    if (!error.isEmpty())
        return Result<QString>::failure(QStringLiteral("cannot create a test database: ") + error);
    return QStringLiteral("postgresql://%1@127.0.0.1:%2/%3").arg(owner()).arg(m_port).arg(name);
}

TestPostgres::~TestPostgres()
{
    if (m_server.state() != QProcess::NotRunning) {
        QStringList stop = asServerUser(m_bin + QStringLiteral("pg_ctl"),
            { QStringLiteral("-D"), m_dir + QStringLiteral("/data"), QStringLiteral("stop"), QStringLiteral("-m"),
                QStringLiteral("immediate"), QStringLiteral("-s") });
        runProcess(stop.takeFirst(), stop, {}, QProcessEnvironment::systemEnvironment(), 30000);
        if (!m_server.waitForFinished(10000)) {
            m_server.kill();
            m_server.waitForFinished(5000);
        }
    }
    if (!m_dir.isEmpty())
        QDir(m_dir).removeRecursively();
}

Result<Config> testConfig(const QString &dataDir)
{
    if (!TestPostgres::wanted())
        qunsetenv("DATABASE_URL"); // a DATABASE_URL of the shell that runs the tests is never used
    auto config = Config::load(dataDir, QProcessEnvironment());
    if (config)
        config->databaseUrl = qEnvironmentVariable("DATABASE_URL");
    return config;
}

Result<Config> freshTestConfig(const QString &dataDir)
{
    if (TestPostgres *postgres = TestPostgres::shared()) {
        auto url = postgres->freshDatabase();
        if (!url)
            return Result<Config>::failure(url.error());
        qputenv("DATABASE_URL", url->toUtf8());
    }
    return testConfig(dataDir);
}

Result<QString> addSeatLogin(const QString &ownerUrl, const QString &email)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DATABASE_URL"), ownerUrl);
    QTemporaryDir dataDir; // learnpulsectl's own settings: none needed here
    const ProcessResult roles = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("db"), QStringLiteral("setup-roles"), QStringLiteral("--data-dir"), dataDir.path() }, {}, env);
    if (roles.exitCode != 0)
        return Result<QString>::failure(QStringLiteral("db setup-roles: ") + QString::fromUtf8(roles.err));
    static int logins = 0;
    const QString login = QStringLiteral("seat_%1_%2_%3")
                              .arg(QCoreApplication::applicationPid())
                              .arg(QDateTime::currentMSecsSinceEpoch() % 100000000)
                              .arg(++logins);
    const ProcessResult added = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
        { QStringLiteral("db"), QStringLiteral("add-login"), QStringLiteral("--user"), email, QStringLiteral("--login"),
            login, QStringLiteral("--password-stdin"), QStringLiteral("--data-dir"), dataDir.path() },
        "seat-secret-pw\n", env);
    if (added.exitCode != 0)
        return Result<QString>::failure(QStringLiteral("db add-login: ") + QString::fromUtf8(added.err));
    QUrl url(ownerUrl);
    url.setUserName(login);
    url.setPassword(QStringLiteral("seat-secret-pw"));
    return url.toString();
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
    m_process.start(
        QStringLiteral(LP_PYTHON3), QStringList { QStringLiteral(LP_TEST_SUPPORT_DIR "/") + script } + args);
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
        { QStringLiteral("--log"), m_dir.filePath(QStringLiteral("requests.jsonl")), QStringLiteral("--stall"),
            QString::number(stallSeconds) });
}

QList<QJsonObject> FakeLlm::requests() const
{
    return readJsonLines(m_dir.filePath(QStringLiteral("requests.jsonl")));
}

bool SmtpSink::start(int port, bool reject)
{
    QStringList args { QStringLiteral("--port"), QString::number(port), QStringLiteral("--out"), m_dir.path() };
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
        { QStringLiteral("--log"), m_dir.filePath(QStringLiteral("posts.jsonl")), QStringLiteral("--port"),
            QString::number(port), QStringLiteral("--status"), QString::number(status) });
}

QList<QJsonObject> HttpSink::posts() const
{
    return readJsonLines(m_dir.filePath(QStringLiteral("posts.jsonl")));
}

} // namespace LearnPulse::Test
