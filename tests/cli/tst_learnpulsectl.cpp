#include "accountstore.h"
#include "escalationengine.h"
#include "postgresurl.h"
#include "sessionstore.h"
#include "testsupport.h"
#include "ticketservice.h"
#include "ticketstore.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QUrl>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// learnpulsectl as a script would use it: real processes, exit codes, JSON lines.
class TestLearnpulsectl : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void helpAndUsageErrors_data();
    void helpAndUsageErrors();
    void detectArguments();
    void detectExplainsEachRule();
    void detectStdinKeepsOrder();
    void detectStdinReportsInvalidUtf8PerLine();
    void detectUsesAdminOverride();
    void usersAdd();
    void usersAddRefusesBadInput_data();
    void usersAddRefusesBadInput();
    void usersListRoleAndRemoveAsTheAdministrationViewDoes();
    void ticketsListShowStatusDelete();
    void badDatabaseUrlIsAClearErrorWithoutThePassword();
    void databaseRolesKeepEachSeatToItsOwn();
    void aMigrationGrantsTheSeatRolesItsNewTables();
    void aLoginLosesItsPowersWithItsAccount();

private:
    ProcessResult ctl(const QStringList &args, const QByteArray &input = {})
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("LEARNPULSE_DATA_DIR"));
        // Alternate where the common option goes: both places are allowed.
        m_dataDirFirst = !m_dataDirFirst;
        return runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
            m_dataDirFirst ? dataDirArgs() + args : args + dataDirArgs(), input, env);
    }
    QStringList dataDirArgs() const { return { QStringLiteral("--data-dir"), m_dataDir->path() }; }
    bool indexExists() const
    {
        if (!TestPostgres::wanted())
            return QFileInfo::exists(m_dataDir->filePath(QStringLiteral("learnpulse.sqlite")));
        const QUrl url(qEnvironmentVariable("DATABASE_URL"));
        bool exists = false;
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("probe"));
            db.setHostName(url.host());
            db.setPort(url.port());
            db.setUserName(url.userName());
            db.setDatabaseName(url.path().mid(1));
            if (!db.open())
                qFatal("cannot connect to the test database");
            QSqlQuery q(db);
            exists = q.exec(QStringLiteral("SELECT to_regclass('schema_version') IS NOT NULL")) && q.next()
                && q.value(0).toBool();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("probe"));
        return exists;
    }
    static QList<QJsonObject> jsonLines(const QByteArray &out)
    {
        QList<QJsonObject> rows;
        for (const QByteArray &line : out.split('\n')) {
            if (line.isEmpty())
                continue;
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            if (error.error != QJsonParseError::NoError || !doc.isObject())
                qFatal("not a JSON object line: %s", line.constData());
            rows << doc.object();
        }
        return rows;
    }

    std::unique_ptr<QTemporaryDir> m_dataDir;
    bool m_dataDirFirst = false;
};

void TestLearnpulsectl::init()
{
    m_dataDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dataDir->isValid());
    QVERIFY(freshTestConfig(m_dataDir->path())); // against PostgreSQL: a database of its own, for learnpulsectl too
}

void TestLearnpulsectl::cleanup()
{
    m_dataDir.reset();
}

void TestLearnpulsectl::helpAndUsageErrors_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("help") << QStringList { QStringLiteral("--help") } << 0;
    QTest::newRow("unknown command") << QStringList { QStringLiteral("frobnicate") } << 2;
    QTest::newRow("unknown option") << QStringList { QStringLiteral("detect"), QStringLiteral("--frob") } << 2;
    QTest::newRow("tickets alone") << QStringList { QStringLiteral("tickets") } << 2;
    QTest::newRow("tickets unknown") << QStringList { QStringLiteral("tickets"), QStringLiteral("burn") } << 2;
    QTest::newRow("status bad") << QStringList { QStringLiteral("tickets"), QStringLiteral("status"),
        QStringLiteral("T"), QStringLiteral("closed") }
                                << 2;
    QTest::newRow("list status bad") << QStringList { QStringLiteral("tickets"), QStringLiteral("list"),
        QStringLiteral("--status"), QStringLiteral("done") }
                                     << 2;
    QTest::newRow("delete unconfirmed") << QStringList { QStringLiteral("tickets"), QStringLiteral("delete"),
        QStringLiteral("T") } << 2;
    QTest::newRow("show unknown") << QStringList { QStringLiteral("tickets"), QStringLiteral("show"),
        QStringLiteral("TICKET-x") }
                                  << 1;
}

void TestLearnpulsectl::helpAndUsageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    const ProcessResult r = ctl(args);
    QCOMPARE(r.exitCode, exitCode);
    if (exitCode == 0) {
        QVERIFY(r.out.contains("learnpulsectl detect") || r.out.contains("detect [--json]"));
        QVERIFY(r.err.isEmpty());
    } else {
        // One line on stderr, saying what is wrong.
        QVERIFY2(r.err.startsWith("learnpulsectl: "), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY(r.out.isEmpty());
    }
}

void TestLearnpulsectl::detectArguments()
{
    const ProcessResult r
        = ctl({ QStringLiteral("detect"), QStringLiteral("--json"), QStringLiteral("This doesn't help"),
            QStringLiteral("How is Aisha doing?"), QStringLiteral("I need to talk to support") });
    QCOMPARE(r.exitCode, 0);
    const QList<QJsonObject> rows = jsonLines(r.out);
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows[0].keys(),
        (QStringList { QStringLiteral("correction"), QStringLiteral("dissatisfied"), QStringLiteral("explicit_request"),
            QStringLiteral("model_label"), QStringLiteral("model_score"), QStringLiteral("rules"),
            QStringLiteral("text"), QStringLiteral("vague_request") }));
    QCOMPARE(rows[0].value(QLatin1String("text")).toString(), QStringLiteral("This doesn't help"));
    QCOMPARE(rows[0].value(QLatin1String("dissatisfied")).toBool(), true);
    QCOMPARE(rows[0].value(QLatin1String("explicit_request")).toBool(), false);
    QCOMPARE(rows[0].value(QLatin1String("rules")).toArray(), QJsonArray { QStringLiteral("does_not_help") });
    QCOMPARE(rows[1].value(QLatin1String("dissatisfied")).toBool(), false);
    QCOMPARE(rows[1].value(QLatin1String("rules")).toArray(), QJsonArray {});
    QCOMPARE(rows[2].value(QLatin1String("dissatisfied")).toBool(), true);
    QCOMPARE(rows[2].value(QLatin1String("explicit_request")).toBool(), true);

    const ProcessResult plain = ctl({ QStringLiteral("detect"), QStringLiteral("This doesn't help") });
    QCOMPARE(plain.exitCode, 0);
    QCOMPARE(plain.out, QByteArray("dissatisfied\t-\tdoes_not_help\tThis doesn't help\n"));
}

void TestLearnpulsectl::detectExplainsEachRule()
{
    const ProcessResult r = ctl({ QStringLiteral("detect"), QStringLiteral("--json"), QStringLiteral("--explain"),
        QStringLiteral("Honestly this doesn't help and the numbers are wrong"),
        QStringLiteral("How is Aisha doing?") });
    QVERIFY2(r.exitCode == 0, r.err.constData());
    const QList<QByteArray> lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    const QJsonArray why = QJsonDocument::fromJson(lines.at(0)).object().value(QLatin1String("explanation")).toArray();
    QStringList rules;
    for (const QJsonValue &v : why) {
        const QJsonObject o = v.toObject();
        rules << o.value(QLatin1String("rule")).toString();
        QVERIFY(!o.value(QLatin1String("phrase")).toString().isEmpty());
        QVERIFY(!o.value(QLatin1String("meaning")).toString().contains(QLatin1Char('_'))); // words, not a rule name
    }
    QVERIFY2(rules.contains(QLatin1String("does_not_help")) && rules.contains(QLatin1String("wrong")),
        qPrintable(rules.join(u',')));
    QVERIFY(QJsonDocument::fromJson(lines.at(1)).object().value(QLatin1String("explanation")).toArray().isEmpty());
    const ProcessResult plain
        = ctl({ QStringLiteral("detect"), QStringLiteral("--explain"), QStringLiteral("This doesn't help") });
    QVERIFY2(
        plain.out.contains("  does_not_help: \"does not help\" (said the answer did not help)"), plain.out.constData());
    // A vague ask is no signal: an offer, with the words that made it one.
    const ProcessResult vague = ctl({ QStringLiteral("detect"), QStringLiteral("--explain"),
        QStringLiteral("Is there someone I can email about this?") });
    QVERIFY2(vague.out.startsWith("ok\toffer\t-\t"), vague.out.constData());
    QVERIFY2(vague.out.contains("  offer: \"is there someone i can email\""), vague.out.constData());
    const ProcessResult vagueJson = ctl({ QStringLiteral("detect"), QStringLiteral("--json"),
        QStringLiteral("--explain"), QStringLiteral("Is there someone I can email about this?") });
    const QJsonObject o = QJsonDocument::fromJson(vagueJson.out).object();
    QCOMPARE(o.value(QLatin1String("vague_request")).toBool(), true);
    QCOMPARE(o.value(QLatin1String("dissatisfied")).toBool(), false);
    QVERIFY(!o.value(QLatin1String("offer_phrase")).toString().isEmpty());
}

void TestLearnpulsectl::detectStdinKeepsOrder()
{
    QStringList texts;
    QByteArray input;
    for (int i = 0; i < 200; ++i) {
        const QString text
            = i % 3 == 0 ? QStringLiteral("Still not clear %1").arg(i) : QStringLiteral("How is student %1?").arg(i);
        texts << text;
        input += text.toUtf8() + (i % 2 ? "\r\n" : "\n");
    }
    input += "doesn\xe2\x80\x99t help"; // last line without a newline, curly apostrophe
    texts << QStringLiteral("doesn\u2019t help");
    const ProcessResult r = ctl({ QStringLiteral("detect"), QStringLiteral("--json") }, input);
    QCOMPARE(r.exitCode, 0);
    const QList<QJsonObject> rows = jsonLines(r.out);
    QCOMPARE(rows.size(), texts.size());
    for (qsizetype i = 0; i < rows.size(); ++i) {
        QCOMPARE(rows[i].value(QLatin1String("text")).toString(), texts[i]);
        QCOMPARE(rows[i].value(QLatin1String("dissatisfied")).toBool(), i % 3 == 0 || i == 200);
    }
}

void TestLearnpulsectl::detectStdinReportsInvalidUtf8PerLine()
{
    const ProcessResult r
        = ctl({ QStringLiteral("detect"), QStringLiteral("--json") }, "Still unclear\nbad \xff line\nGreat answer\n");
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("UTF-8"));
    const QList<QJsonObject> rows = jsonLines(r.out);
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows[0].value(QLatin1String("dissatisfied")).toBool(), true);
    QVERIFY(rows[1].value(QLatin1String("text")).isNull());
    QVERIFY(rows[1].value(QLatin1String("error")).toString().contains(QLatin1String("line 2")));
    QCOMPARE(rows[2].value(QLatin1String("text")).toString(), QStringLiteral("Great answer"));
}

void TestLearnpulsectl::detectUsesAdminOverride()
{
    QFile builtin(QStringLiteral(":/rules/detector-rules.json"));
    QVERIFY(builtin.open(QIODevice::ReadOnly));
    QByteArray json = builtin.readAll();
    json.replace("\"complaint_rules\": [",
        "\"complaint_rules\": [\n    {\"name\": \"school_slang\", \"pattern\": \"\\\\bmeh\\\\b\"},");
    QFile out(m_dataDir->filePath(QStringLiteral("detector-rules.json")));
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(json);
    out.close();
    // The rules alone (with the trained model, a message it reads with confidence as none of its business is not
    // a signal whatever rule matches: tst_model).
    {
        QSettings ini(m_dataDir->filePath(QStringLiteral("learnpulse.ini")), QSettings::IniFormat);
        ini.setValue(QStringLiteral("detector/model"), QStringLiteral("none"));
    }
    const ProcessResult r = ctl({ QStringLiteral("detect"), QStringLiteral("--json"), QStringLiteral("meh") });
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(jsonLines(r.out).value(0).value(QLatin1String("rules")).toArray(),
        QJsonArray { QStringLiteral("school_slang") });

    QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
    out.write("{ broken");
    out.close();
    // A broken rules file never stops detection (nor a conversation, in the console or in chat): the
    // built-in rules are used and the reason is printed, the same policy everywhere (Services::loadRules).
    const ProcessResult broken = ctl({ QStringLiteral("detect"), QStringLiteral("--json"), QStringLiteral("meh"),
        QStringLiteral("This is useless") });
    QCOMPARE(broken.exitCode, 0);
    QVERIFY2(broken.err.contains("not valid JSON") && broken.err.contains("built-in rules"), broken.err.constData());
    const QList<QJsonObject> rows = jsonLines(broken.out);
    QCOMPARE(rows.size(), 2);
    QCOMPARE(rows[0].value(QLatin1String("dissatisfied")).toBool(), false); // the admin's rule is not in force
    QCOMPARE(rows[1].value(QLatin1String("dissatisfied")).toBool(), true); // the built-in ones are
}

void TestLearnpulsectl::usersAdd()
{
    const ProcessResult r = ctl({ QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("--email"),
        QStringLiteral("amira.khan@school.example"), QStringLiteral("--name"), QStringLiteral("Amira Khan"),
        QStringLiteral("--role"), QStringLiteral("teacher"), QStringLiteral("--json") });
    QCOMPARE(r.exitCode, 0);
    const QJsonObject user = jsonLines(r.out).value(0);
    QCOMPARE(user.value(QLatin1String("email")).toString(), QStringLiteral("amira.khan@school.example"));
    QCOMPARE(user.value(QLatin1String("name")).toString(), QStringLiteral("Amira Khan"));
    QCOMPARE(user.value(QLatin1String("role")).toString(), QStringLiteral("teacher"));
    QCOMPARE(user.value(QLatin1String("can_sign_in")).toBool(), false);
    QVERIFY(!user.value(QLatin1String("user_id")).toString().isEmpty());

    const ProcessResult duplicate = ctl({ QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("--email"),
        QStringLiteral("AMIRA.KHAN@school.example"), QStringLiteral("--name"), QStringLiteral("Other"),
        QStringLiteral("--role"), QStringLiteral("admin") });
    QCOMPARE(duplicate.exitCode, 1);
    QVERIFY(duplicate.err.contains("exists already"));

    const ProcessResult admin = ctl({ QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("--email"),
                                        QStringLiteral("root@school.example"), QStringLiteral("--name"),
                                        QStringLiteral("Root"), QStringLiteral("--role"), QStringLiteral("admin"),
                                        QStringLiteral("--password-stdin"), QStringLiteral("--json") },
        "correct horse battery\n");
    QCOMPARE(admin.exitCode, 0);
    QCOMPARE(jsonLines(admin.out).value(0).value(QLatin1String("can_sign_in")).toBool(), true);

    // The password is stored as an Argon2id hash, never in clear, and it verifies.
    auto config = testConfig(m_dataDir->path());
    auto db = Database::open(config.value());
    QVERIFY(db);
    QSqlQuery q(db.value()->connection().value());
    QVERIFY(q.exec(QStringLiteral("SELECT password_hash FROM users WHERE email = 'root@school.example'")) && q.next());
    QVERIFY(q.value(0).toString().startsWith(QLatin1String("$argon2id$")));
    QVERIFY(!q.value(0).toString().contains(QLatin1String("correct horse")));
    AccountStore accounts(db.value());
    QVERIFY(accounts.authenticate(QStringLiteral("root@school.example"), "correct horse battery"));
    QVERIFY(!accounts.authenticate(QStringLiteral("root@school.example"), "wrong horse battery"));
    QVERIFY(!accounts.authenticate(QStringLiteral("amira.khan@school.example"), "")); // no password set
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'account.add' AND actor LIKE 'cli:%'"))
        && q.next());
    QCOMPARE(q.value(0).toInt(), 2);
}

void TestLearnpulsectl::usersAddRefusesBadInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("exitCode");
    const QStringList base { QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("--name"),
        QStringLiteral("N") };
    QTest::newRow("bad role") << base
            + QStringList { QStringLiteral("--email"), QStringLiteral("a@b.org"), QStringLiteral("--role"),
                  QStringLiteral("king") }
                              << QByteArray() << 2;
    QTest::newRow("bad email") << base
            + QStringList { QStringLiteral("--email"), QStringLiteral("not-an-email"), QStringLiteral("--role"),
                  QStringLiteral("teacher") }
                               << QByteArray() << 2;
    QTest::newRow("no email") << base + QStringList { QStringLiteral("--role"), QStringLiteral("teacher") }
                              << QByteArray() << 2;
    QTest::newRow("short password") << base
            + QStringList { QStringLiteral("--email"), QStringLiteral("a@b.org"), QStringLiteral("--role"),
                  QStringLiteral("teacher"), QStringLiteral("--password-stdin") }
                                    << QByteArray("short\n") << 1;
}

void TestLearnpulsectl::usersAddRefusesBadInput()
{
    QFETCH(QStringList, args);
    QFETCH(QByteArray, input);
    QFETCH(int, exitCode);
    const ProcessResult r = ctl(args, input);
    QCOMPARE(r.exitCode, exitCode);
    QCOMPARE(r.err.count('\n'), 1);
    // Bad usage (exit 2) is refused before the index is touched: no SQLite file, or on PostgreSQL no schema.
    if (exitCode == 2)
        QVERIFY(!indexExists());
}

void TestLearnpulsectl::usersListRoleAndRemoveAsTheAdministrationViewDoes()
{
    // Issue 26: a school scripts leavers and role changes; the same checks and audit entries as the console's.
    for (const auto &[email, role] :
        { std::pair { "leaver@school.example", "teacher" }, std::pair { "stays@school.example", "support" } }) {
        const ProcessResult added
            = ctl({ QStringLiteral("users"), QStringLiteral("add"), QStringLiteral("--email"), QLatin1String(email),
                QStringLiteral("--name"), QStringLiteral("Someone"), QStringLiteral("--role"), QLatin1String(role) });
        QVERIFY2(added.exitCode == 0, added.err.constData());
    }
    const auto listed = [this] {
        QMap<QString, QString> roles;
        for (const QJsonObject &o :
            jsonLines(ctl({ QStringLiteral("users"), QStringLiteral("list"), QStringLiteral("--json") }).out))
            roles.insert(o.value(QLatin1String("email")).toString(), o.value(QLatin1String("role")).toString());
        return roles;
    };
    QCOMPARE(listed().value(QStringLiteral("leaver@school.example")), QStringLiteral("teacher"));
    QCOMPARE(listed().size(), 2);

    const ProcessResult promoted = ctl({ QStringLiteral("users"), QStringLiteral("role"),
        QStringLiteral("leaver@school.example"), QStringLiteral("support"), QStringLiteral("--json") });
    QVERIFY2(promoted.exitCode == 0, promoted.err.constData());
    QCOMPARE(jsonLines(promoted.out).value(0).value(QLatin1String("role")).toString(), QStringLiteral("support"));
    QCOMPARE(listed().value(QStringLiteral("leaver@school.example")), QStringLiteral("support"));
    QCOMPARE(ctl({ QStringLiteral("users"), QStringLiteral("role"), QStringLiteral("leaver@school.example"),
                     QStringLiteral("boss") })
                 .exitCode,
        2);

    // Disabled for a while: not listed, cannot sign in; enabled again with its role and email.
    const ProcessResult disabled
        = ctl({ QStringLiteral("users"), QStringLiteral("disable"), QStringLiteral("stays@school.example") });
    QVERIFY2(disabled.exitCode == 0, disabled.err.constData());
    QVERIFY(!listed().contains(QStringLiteral("stays@school.example")));
    QCOMPARE(
        ctl({ QStringLiteral("users"), QStringLiteral("disable"), QStringLiteral("stays@school.example") }).exitCode,
        1); // not twice
    const ProcessResult enabled
        = ctl({ QStringLiteral("users"), QStringLiteral("enable"), QStringLiteral("stays@school.example") });
    QVERIFY2(enabled.exitCode == 0, enabled.err.constData());
    QCOMPARE(listed().value(QStringLiteral("stays@school.example")), QStringLiteral("support"));

    const ProcessResult removed
        = ctl({ QStringLiteral("users"), QStringLiteral("remove"), QStringLiteral("leaver@school.example") });
    QVERIFY2(removed.exitCode == 0, removed.err.constData());
    QVERIFY(!listed().contains(QStringLiteral("leaver@school.example")));
    QVERIFY(listed().contains(QStringLiteral("stays@school.example")));
    // Gone is gone: a second removal, a role for it, an account that never was: one clear line each.
    for (const QStringList &again : { QStringList { QStringLiteral("remove"), QStringLiteral("leaver@school.example") },
             QStringList { QStringLiteral("role"), QStringLiteral("leaver@school.example"), QStringLiteral("admin") },
             QStringList { QStringLiteral("remove"), QStringLiteral("nobody@school.example") },
             QStringList { QStringLiteral("enable"), QStringLiteral("leaver@school.example") } }) {
        const ProcessResult r = ctl(QStringList { QStringLiteral("users") } + again);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.startsWith("learnpulsectl: ") && r.err.count('\n') == 1, r.err.constData());
    }
    // The audit log says who did what, as it does for the Administration view.
    const ProcessResult audit = ctl({ QStringLiteral("audit"), QStringLiteral("--json") });
    QStringList actions;
    for (const QJsonObject &o : jsonLines(audit.out))
        actions << o.value(QLatin1String("action")).toString();
    QVERIFY2(actions.contains(QLatin1String("account.role")) && actions.contains(QLatin1String("account.remove"))
            && actions.contains(QLatin1String("account.disable")) && actions.contains(QLatin1String("account.enable")),
        qPrintable(actions.join(QLatin1Char(','))));
}

void TestLearnpulsectl::ticketsListShowStatusDelete()
{
    // A real escalation through the core, into this data directory.
    CoreFixture fx;
    QVERIFY2(fx.setUp(), qPrintable(fx.error()));
    qputenv("DATABASE_URL", fx.config.databaseUrl.toUtf8()); // learnpulsectl reads what the fixture writes
    auto config = testConfig(m_dataDir->path());
    auto db = Database::open(config.value());
    QVERIFY(db);
    auto store = std::make_shared<TicketStore>(db.value());
    TicketService service(config.value(), store);
    AccountStore accounts(db.value());
    const Account teacher = accounts
                                .add(Actor::commandLine(), QStringLiteral("amira.khan@school.example"),
                                    QStringLiteral("Amira Khan"), Role::Teacher)
                                .value();
    SessionStore sessions(*fx.redisClient, config.value());
    const MessageClassifier rules(nullptr);
    EscalationEngine engine(config.value(), rules, sessions, service);
    const QString session = sessions.createSession({ teacher.id, teacher.email, {}, QStringLiteral("6B"), {} }).value();
    const TurnOutcome o
        = engine.handleTeacherMessage(teacher, session, QStringLiteral("Let me talk to support about the xylophone"));
    QVERIFY2(o.newlyEscalated, qPrintable(o.error));

    ProcessResult r = ctl({ QStringLiteral("tickets"), QStringLiteral("list"), QStringLiteral("--json") });
    QCOMPARE(r.exitCode, 0);
    QList<QJsonObject> rows = jsonLines(r.out);
    QCOMPARE(rows.size(), 1);
    QCOMPARE(rows[0].value(QLatin1String("ticket_id")).toString(), o.ticketId);
    QCOMPARE(rows[0].value(QLatin1String("status")).toString(), QStringLiteral("open"));
    QCOMPARE(rows[0].value(QLatin1String("teacher_email")).toString(), teacher.email);
    QCOMPARE(rows[0].value(QLatin1String("session")).toString(), session);

    auto count = [&](const QStringList &filter) {
        const ProcessResult res
            = ctl(QStringList { QStringLiteral("tickets"), QStringLiteral("list"), QStringLiteral("--json") } + filter);
        return res.exitCode == 0 ? int(jsonLines(res.out).size()) : -res.exitCode;
    };
    QCOMPARE(count({ QStringLiteral("--search"), QStringLiteral("xylophone") }), 1);
    QCOMPARE(count({ QStringLiteral("--search"), QStringLiteral("trombone") }), 0);
    QCOMPARE(count({ QStringLiteral("--user"), teacher.email }), 1);
    QCOMPARE(count({ QStringLiteral("--user"), QStringLiteral("nobody@school.example") }), 0);
    QCOMPARE(count({ QStringLiteral("--status"), QStringLiteral("resolved") }), 0);

    r = ctl({ QStringLiteral("tickets"), QStringLiteral("show"), o.ticketId });
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.contains("Let me talk to support about the xylophone"));
    QVERIFY(r.out.contains(o.ticketId.toUtf8()));
    r = ctl({ QStringLiteral("tickets"), QStringLiteral("show"), QStringLiteral("--json"), o.ticketId });
    QCOMPARE(r.exitCode, 0);
    QVERIFY(
        jsonLines(r.out).value(0).value(QLatin1String("transcript")).toString().contains(QLatin1String("xylophone")));

    // Rows are not trusted: an escape sequence or a carriage return written into the index reaches the
    // terminal as a visible replacement, not as a command to it.
    {
        QSqlQuery q(db.value()->connection().value());
        q.prepare(QStringLiteral("INSERT INTO ticket_messages (ticket_id, ts, kind, author_id, author_name, body) "
                                 "VALUES (?, '2026-12-01T10:00:00Z', 'support', 'x', ?, ?)"));
        q.addBindValue(o.ticketId);
        q.addBindValue(QStringLiteral("Eve\u001b]0;owned\u0007"));
        q.addBindValue(QStringLiteral("Hello\u001b[2J\rLearnPulse: forged line"));
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    }
    r = ctl({ QStringLiteral("tickets"), QStringLiteral("show"), o.ticketId });
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(!r.out.contains('\x1b') && !r.out.contains('\r') && !r.out.contains('\x07'), r.out.constData());
    QVERIFY(r.out.contains("Hello\xef\xbf\xbd[2J")); // U+FFFD in UTF-8
    QVERIFY(!r.out.contains("\nLearnPulse: forged line"));

    r = ctl({ QStringLiteral("tickets"), QStringLiteral("status"), o.ticketId, QStringLiteral("resolved") });
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(count({ QStringLiteral("--status"), QStringLiteral("resolved") }), 1);
    QCOMPARE(count({ QStringLiteral("--status"), QStringLiteral("open") }), 0);
    r = ctl(
        { QStringLiteral("tickets"), QStringLiteral("status"), QStringLiteral("TICKET-nope"), QStringLiteral("open") });
    QCOMPARE(r.exitCode, 1);
    QVERIFY(r.err.contains("No ticket"));

    r = ctl({ QStringLiteral("tickets"), QStringLiteral("delete"), o.ticketId });
    QCOMPARE(r.exitCode, 2);
    QCOMPARE(count({}), 1);
    r = ctl({ QStringLiteral("tickets"), QStringLiteral("delete"), o.ticketId, QStringLiteral("--yes") });
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(count({}), 0);
    QVERIFY(!QFileInfo::exists(o.ticket->conversationFile));
}

void TestLearnpulsectl::badDatabaseUrlIsAClearErrorWithoutThePassword()
{
    const QString closed
        = QStringLiteral("postgresql://lp:hunter2-secret@127.0.0.1:%1/lp").arg(RedisServerProcess::freePort());
    const struct
    {
        QString url;
        const char *expected;
    } cases[] = {
        { closed, "Cannot connect to the index database postgresql://lp@127.0.0.1:" },
        { QStringLiteral("mysql://lp:hunter2-secret@db/lp"), "DATABASE_URL must look like postgresql://" },
        { QStringLiteral("postgresql://lp:hunter2-secret@db"), "DATABASE_URL names no database" },
        { QStringLiteral("postgresql://lp:hunter2-secret@db/lp?frobnicate=1"),
            "an option this application does not know: frobnicate" },
    };
    for (const auto &c : cases) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DATABASE_URL"), c.url);
        const ProcessResult r = runProcess(QStringLiteral(LP_CTL_EXECUTABLE),
            { QStringLiteral("tickets"), QStringLiteral("list"), QStringLiteral("--data-dir"), m_dataDir->path() }, {},
            env);
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains(c.expected), r.err.constData());
        QVERIFY2(!r.err.contains("hunter2"), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1); // one line
    }
}

void TestLearnpulsectl::databaseRolesKeepEachSeatToItsOwn()
{
    CoreFixture fx;
    QVERIFY2(fx.setUp(), qPrintable(fx.error()));
    qputenv("DATABASE_URL", fx.config.databaseUrl.toUtf8());
    if (!TestPostgres::wanted()) {
        // One seat on SQLite: roles are refused with the reason.
        const ProcessResult r = ctl({ QStringLiteral("db"), QStringLiteral("setup-roles") });
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("PostgreSQL"), r.err.constData());
        return;
    }
    // Set up twice: the script is idempotent.
    for (int i = 0; i < 2; ++i) {
        const ProcessResult r = ctl({ QStringLiteral("db"), QStringLiteral("setup-roles") });
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }
    AccountStore accounts(fx.db);
    const Account amira
        = accounts
              .add(Actor::commandLine(), QStringLiteral("amira@school.example"), QStringLiteral("Amira"), Role::Teacher)
              .value();
    const Account ben
        = accounts.add(Actor::commandLine(), QStringLiteral("ben@school.example"), QStringLiteral("Ben"), Role::Teacher)
              .value();
    const Account sam
        = accounts.add(Actor::commandLine(), QStringLiteral("sam@school.example"), QStringLiteral("Sam"), Role::Support)
              .value();
    const Account ada
        = accounts.add(Actor::commandLine(), QStringLiteral("ada@school.example"), QStringLiteral("Ada"), Role::Admin)
              .value();
    // Ben's ticket, made by the owner's seat.
    TicketRequest request;
    request.session.id = QStringLiteral("bbbbbbbb-1111-4222-8333-444455556666");
    request.session.dissatisfactionCount = 1;
    request.history = { { QStringLiteral("teacher"), QStringLiteral("Ben's words"), QDateTime::currentDateTimeUtc() } };
    request.teacherName = ben.displayName;
    request.teacherEmail = ben.email;
    request.teacherUserId = ben.id;
    request.teacherRole = QStringLiteral("teacher");
    request.summary = QStringLiteral("Teacher asked for support");
    const TicketResult bens = fx.ticketService->createTicket(request);
    QVERIFY2(bens.success, qPrintable(bens.error));

    // A login of its own for each seat (logins are cluster-wide: unique names per run).
    const QString suffix = QString::number(QDateTime::currentMSecsSinceEpoch() % 100000000);
    auto login = [&](const Account &who, const QString &prefix) {
        const QString name = prefix + suffix;
        const ProcessResult r
            = ctl({ QStringLiteral("db"), QStringLiteral("add-login"), QStringLiteral("--user"), who.email,
                      QStringLiteral("--login"), name, QStringLiteral("--password-stdin") },
                "seat-secret-pw\n");
        if (r.exitCode != 0 || r.out.contains("seat-secret-pw") || r.err.contains("seat-secret-pw"))
            qWarning("add-login: %s %s", r.out.constData(), r.err.constData());
        return r.exitCode == 0 ? name : QString();
    };
    const QUrl url(fx.config.databaseUrl);
    auto connectAs = [&](const QString &name) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("seat-") + name);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setDatabaseName(url.path().mid(1));
        db.setUserName(name);
        db.setPassword(QStringLiteral("seat-secret-pw"));
        return db;
    };
    // Whether `sql` is allowed for `db` (and, for a count, its value).
    auto allowed = [](QSqlDatabase &db, const QString &sql, int *count = nullptr) {
        QSqlQuery q(db);
        const bool ok = q.exec(sql);
        if (ok && count && q.next())
            *count = q.value(0).toInt();
        return ok;
    };

    const QString teacherLogin = login(amira, QStringLiteral("t_amira_"));
    const QString supportLogin = login(sam, QStringLiteral("s_sam_"));
    const QString adminLogin = login(ada, QStringLiteral("a_ada_"));
    QVERIFY(!teacherLogin.isEmpty() && !supportLogin.isEmpty() && !adminLogin.isEmpty());
    {
        // The server got a SCRAM verifier made on the client, kept as it came: made again from the password and
        // the stored salt, it is the same string (a password sent in clear would have been hashed with a salt of
        // the server's, which no verifier of ours reproduces).
        // The owner is made as the README says: CREATEROLE, no superuser; what setup-roles made is the owner's.
        QSqlQuery owner(fx.db->connection().value());
        QVERIFY(
            owner.exec(QStringLiteral("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = current_user")));
        QVERIFY(owner.next());
        QVERIFY(!owner.value(0).toBool() && owner.value(1).toBool());
        QVERIFY(owner.exec(
            QStringLiteral("SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc WHERE proname LIKE 'lp\\_%'")));
        QStringList functionOwners;
        while (owner.next())
            functionOwners << owner.value(0).toString();
        QCOMPARE(functionOwners, QStringList { TestPostgres::owner() });
        owner.finish();
        const QStringList rows = TestPostgres::shared()->superuserQuery(
            QStringLiteral("SELECT rolpassword FROM pg_authid WHERE rolname = '%1'").arg(teacherLogin));
        QCOMPARE(rows.size(), 1);
        const QString stored = rows.constFirst();
        QVERIFY2(stored.startsWith(QLatin1String("SCRAM-SHA-256$4096:")), qPrintable(stored));
        const QByteArray salt
            = QByteArray::fromBase64(stored.section(QLatin1Char(':'), 1).section(QLatin1Char('$'), 0, 0).toLatin1());
        QCOMPARE(scramSha256Verifier("seat-secret-pw", salt), stored);
    }
    {
        QSqlDatabase teacher = connectAs(teacherLogin);
        QVERIFY2(teacher.open(), qPrintable(teacher.lastError().text()));
        // A transcript as a seat writes it (its header names the ticket, the session and the account), as an SQL
        // literal.
        const auto transcript = [&amira](const QString &id, const QString &session, const QString &userId = {}) {
            return QStringLiteral("E'LearnPulse support ticket\\nTicket ID: %1\\nCreated: 2026-12-01T12:00:00Z\\n"
                                  "Session: %2\\nSummary: s\\n\\nTeacher\\n  Name: Amira\\n  Email: %3\\n"
                                  "  User ID: %4\\n  Role: teacher\\n\\nConversation (1 message)\\n  hello\\n'")
                .arg(id, session, amira.email, userId.isEmpty() ? amira.id : userId);
        };
        // Can: open a ticket of her own (through the function), read it and write into its thread.
        QVERIFY(allowed(teacher,
            QStringLiteral("SELECT lp_create_ticket('TICKET-aaaaaaaa-20261201120000', "
                           "'aaaaaaaa-1111-4222-8333-444455556666', '2026-12-01T12:00:00Z', 'Teacher asked for "
                           "support', 1, 'talk_to_person', '/seat/support_tickets/"
                           "support_ticket_aaaaaaaa_20261201_120000.txt', %1, '6B', '', '', "
                           "'pending', 'email')")
                .arg(transcript(QStringLiteral("TICKET-aaaaaaaa-20261201120000"),
                    QStringLiteral("aaaaaaaa-1111-4222-8333-444455556666")))));
        // Issue 26: not with what is not this ticket's or hers: a summary of two lines, a transcript naming another
        // account, another ticket or session, a file that is another ticket's or outside a ticket folder.
        const QString goodHeader = transcript(
            QStringLiteral("TICKET-aaaaaaad-20261201120000"), QStringLiteral("aaaaaaad-1111-4222-8333-444455556666"));
        const QString goodFile = QStringLiteral("/seat/support_tickets/support_ticket_aaaaaaad_20261201_120000.txt");
        const auto create = [](const QString &summary, const QString &file, const QString &header) {
            return QStringLiteral(
                "SELECT lp_create_ticket('TICKET-aaaaaaad-20261201120000', "
                "'aaaaaaad-1111-4222-8333-444455556666', '2026-12-01T12:00:00Z', %1, 1, '', '%2', %3, "
                "'', '', '', 'pending', 'email')")
                .arg(summary, file, header);
        };
        for (const QString &refused : { create(QStringLiteral("E'one\\nLearnPulse: forged'"), goodFile, goodHeader),
                 create(QStringLiteral("'s'"), goodFile,
                     transcript(QStringLiteral("TICKET-aaaaaaad-20261201120000"),
                         QStringLiteral("aaaaaaad-1111-4222-8333-444455556666"), ben.id)),
                 create(QStringLiteral("'s'"), goodFile,
                     transcript(QStringLiteral("TICKET-aaaaaaaa-20261201120000"),
                         QStringLiteral("aaaaaaad-1111-4222-8333-444455556666"))),
                 create(QStringLiteral("'s'"), goodFile,
                     transcript(QStringLiteral("TICKET-aaaaaaad-20261201120000"),
                         QStringLiteral("aaaaaaaa-1111-4222-8333-444455556666"))),
                 create(QStringLiteral("'s'"),
                     QStringLiteral("/seat/support_tickets/support_ticket_aaaaaaaa_20261201_120000.txt"), goodHeader),
                 create(QStringLiteral("'s'"), QStringLiteral("/etc/passwd"), goodHeader),
                 create(QStringLiteral("'s'"),
                     QStringLiteral(
                         "/seat/support_tickets/../../support_tickets/support_ticket_aaaaaaad_20261201_120000.txt"),
                     goodHeader) })
            QVERIFY2(!allowed(teacher, refused), qPrintable(refused));
        // ... while the same call with everything hers is taken (then rolled back: it proves the refusals above
        // were for what they changed).
        QVERIFY(allowed(teacher, QStringLiteral("BEGIN")));
        QVERIFY(allowed(teacher, create(QStringLiteral("'s'"), goodFile, goodHeader)));
        QVERIFY(allowed(teacher, QStringLiteral("ROLLBACK")));
        // A session id that names Ben's account (as his seat makes them) is his: not taken from Amira's seat; one
        // that names hers is.
        for (const auto &[owner, taken] : { std::pair { ben.id, false }, std::pair { amira.id, true } }) {
            const QString session = QStringLiteral("aaaaaaae-1111-4222-8333-4444") + SessionStore::sessionTag(owner);
            const QString call
                = QStringLiteral("SELECT lp_create_ticket('TICKET-aaaaaaae-20261201120000', '%1', "
                                 "'2026-12-01T12:00:00Z', 's', 1, '', "
                                 "'/seat/support_tickets/support_ticket_aaaaaaae_20261201_120000.txt', %2, '', '', '', "
                                 "'pending', 'email')")
                      .arg(session, transcript(QStringLiteral("TICKET-aaaaaaae-20261201120000"), session));
            QVERIFY(allowed(teacher, QStringLiteral("BEGIN")));
            QCOMPARE(allowed(teacher, call), taken);
            QVERIFY(allowed(teacher, QStringLiteral("ROLLBACK")));
        }
        // Not with an outbox kind of her own making.
        QVERIFY(!allowed(teacher,
            QStringLiteral("SELECT lp_create_ticket('TICKET-aaaaaaab-20261201120000', "
                           "'aaaaaaab-1111-4222-8333-444455556666', '2026-12-01T12:00:00Z', 's', 1, '', "
                           "'/seat/support_tickets/support_ticket_aaaaaaab_20261201_120000.txt', %1, '', '', '', "
                           "'pending', 'email,mailto:evil@attacker.example')")
                .arg(transcript(QStringLiteral("TICKET-aaaaaaab-20261201120000"),
                    QStringLiteral("aaaaaaab-1111-4222-8333-444455556666")))));
        {
            // Its email's row says whose ticket it carries, from her account (an erasure finds it after the ticket
            // is gone), and nothing the seat could choose.
            QSqlQuery q(fx.db->connection().value());
            QVERIFY(q.exec(QStringLiteral("SELECT payload FROM outbox WHERE ticket_id = "
                                          "'TICKET-aaaaaaaa-20261201120000' AND kind = 'email'")));
            QVERIFY(q.next());
            const QJsonObject payload = QJsonDocument::fromJson(q.value(0).toString().toUtf8()).object();
            QCOMPARE(payload.value(QLatin1String("reply_to")).toString(), amira.email);
            QCOMPARE(payload.value(QLatin1String("user_id")).toString(), amira.id);
            QCOMPARE(payload.size(), 2);
            // The index keeps the transcript's bare file name: no seat's folder (a home directory) is named there.
            QVERIFY(q.exec(
                QStringLiteral("SELECT conversation_file FROM tickets WHERE id = 'TICKET-aaaaaaaa-20261201120000'")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("support_ticket_aaaaaaaa_20261201_120000.txt"));
        }
        int n = -1;
        QVERIFY(allowed(teacher, QStringLiteral("SELECT COUNT(*) FROM tickets"), &n));
        QCOMPARE(n, 1); // hers; Ben's is not there
        QVERIFY(
            allowed(teacher, QStringLiteral("SELECT COUNT(*) FROM tickets WHERE id = '%1'").arg(bens.ticketId), &n));
        QCOMPARE(n, 0);
        QVERIFY(allowed(teacher,
            QStringLiteral("SELECT lp_add_thread_message('TICKET-aaaaaaaa-20261201120000', "
                           "'2026-12-01T12:05:00Z', 'teacher', 'a follow-up')")));
        QVERIFY(allowed(teacher, QStringLiteral("SELECT COUNT(*) FROM ticket_messages"), &n));
        QCOMPARE(n, 1);
        for (const char *kind : { "support", "note" }) // not as support, not even in her own thread
            QVERIFY(!allowed(teacher,
                QStringLiteral("SELECT lp_add_thread_message('TICKET-aaaaaaaa-20261201120000', "
                               "'2026-12-01T12:05:00Z', '%1', 'Support has closed this ticket')")
                    .arg(QLatin1String(kind))));
        QVERIFY(allowed(teacher, QStringLiteral("SELECT COUNT(*) FROM users"), &n));
        QCOMPARE(n, 1); // herself
        // Sign-in: her own hash for her own email only.
        QVERIFY(allowed(teacher, QStringLiteral("SELECT COUNT(*) FROM lp_sign_in_state('AMIRA@school.example')"), &n));
        QCOMPARE(n, 1);
        QVERIFY(allowed(teacher, QStringLiteral("SELECT COUNT(*) FROM lp_sign_in_state('%1')").arg(ben.email), &n));
        QCOMPARE(n, 0);
        // The audit log: a teacher's own acts, under her own name whatever she claims.
        QVERIFY(
            allowed(teacher, QStringLiteral("SELECT lp_audit('ticket.rate', 'TICKET-aaaaaaaa-20261201120000', '')")));
        QVERIFY(!allowed(teacher, QStringLiteral("SELECT lp_audit('privacy.erase', '%1', '')").arg(ben.id)));
        QVERIFY(!allowed(teacher, QStringLiteral("SELECT lp_audit('account.sign_in_failed', '%1', 'x')").arg(ada.id)));
        QVERIFY(!allowed(teacher, QStringLiteral("SELECT lp_audit('ticket.rate', '%1', '')").arg(bens.ticketId)));
        QVERIFY(!allowed(teacher, QStringLiteral("SELECT nextval('audit_log_id_seq')")));
        // Times are the server's: a message dated 1970 and a ticket dated next year are not.
        QVERIFY(allowed(teacher,
            QStringLiteral("SELECT lp_add_thread_message('TICKET-aaaaaaaa-20261201120000', "
                           "'1970-01-01T00:00:00Z', 'teacher', 'old news')")));
        QVERIFY(allowed(
            teacher, QStringLiteral("SELECT COUNT(*) FROM ticket_messages WHERE ts < '2000' OR ts > '2100'"), &n));
        QCOMPARE(n, 0);
        QVERIFY(allowed(teacher,
            QStringLiteral("SELECT lp_create_ticket('TICKET-aaaaaaac-20271201120000', "
                           "'aaaaaaac-1111-4222-8333-444455556666', '2027-12-01T12:00:00Z', 's', 1, '', "
                           "'/seat/support_tickets/support_ticket_aaaaaaac_20271201_120000.txt', %1, '', '', '', "
                           "'pending', 'email')")
                .arg(transcript(QStringLiteral("TICKET-aaaaaaac-20271201120000"),
                    QStringLiteral("aaaaaaac-1111-4222-8333-444455556666")))));
        QVERIFY(allowed(teacher,
            QStringLiteral("SELECT COUNT(*) FROM tickets WHERE created > '2027' OR waiting_since > '2027'"), &n));
        QCOMPARE(n, 0);
        // Marking read and rating touch her own tickets only.
        QVERIFY(allowed(teacher, QStringLiteral("SELECT lp_mark_read('%1', 99)").arg(bens.ticketId)));
        QVERIFY(allowed(teacher, QStringLiteral("SELECT lp_rate_ticket('%1', 'helpful', '')").arg(bens.ticketId)));
        // Cannot: another teacher's thread, password hashes, the audit log, the outbox, roles, tickets by hand.
        QVERIFY(!allowed(teacher,
            QStringLiteral("SELECT lp_add_thread_message('%1', '2026-12-01T12:06:00Z', 'teacher', 'x')")
                .arg(bens.ticketId)));
        for (const QString &forbidden : { QStringLiteral("SELECT password_hash FROM users"),
                 QStringLiteral("SELECT COUNT(*) FROM audit_log"), QStringLiteral("SELECT COUNT(*) FROM outbox"),
                 QStringLiteral("INSERT INTO outbox (ticket_id, kind, payload, next_attempt, created) VALUES "
                                "('TICKET-aaaaaaaa-20261201120000', 'email', '{}', '', '')"),
                 QStringLiteral("UPDATE users SET role = 'admin'"), QStringLiteral("DELETE FROM tickets"),
                 QStringLiteral("INSERT INTO tickets (id, session_id, user_id, teacher_name, teacher_email, "
                                "teacher_role, created, updated, summary, signal_count, conversation_file) VALUES "
                                "('TICKET-cccccccc-20261201120000', 'c', 'x', 'x', 'x', 'teacher', '', '', '', 0, '')"),
                 QStringLiteral("SELECT COUNT(*) FROM lp_logins"),
                 QStringLiteral("INSERT INTO audit_log (ts, actor, action) VALUES ('', 'x', 'privacy.export')") })
            QVERIFY2(!allowed(teacher, forbidden), qPrintable(forbidden));
        // Temporary tables of her own cannot stand in for the real ones inside the functions.
        QVERIFY(allowed(teacher, QStringLiteral("CREATE TEMP TABLE tickets (id TEXT, user_id TEXT)")));
        QVERIFY(allowed(teacher,
            QStringLiteral("INSERT INTO pg_temp.tickets VALUES ('%1', (SELECT lp_current_user_id()))")
                .arg(bens.ticketId)));
        QVERIFY(allowed(teacher, QStringLiteral("CREATE TEMP TABLE lp_logins (login TEXT, user_id TEXT)")));
        QVERIFY(
            allowed(teacher, QStringLiteral("INSERT INTO pg_temp.lp_logins VALUES (session_user, '%1')").arg(ada.id)));
        QVERIFY(!allowed(teacher,
            QStringLiteral("SELECT lp_add_thread_message('%1', '2026-12-01T12:07:00Z', 'teacher', 'x')")
                .arg(bens.ticketId)));
        QVERIFY(allowed(teacher, QStringLiteral("SELECT COUNT(*) FROM public.tickets"), &n));
        QCOMPARE(n, 2); // her two
        teacher.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("seat-") + teacherLogin);
    {
        QSqlDatabase support = connectAs(supportLogin);
        QVERIFY2(support.open(), qPrintable(support.lastError().text()));
        int n = -1;
        QVERIFY(allowed(support, QStringLiteral("SELECT COUNT(*) FROM tickets"), &n));
        QCOMPARE(n, 3); // every ticket (Ben's and her two)
        QVERIFY(allowed(support, QStringLiteral("UPDATE tickets SET status = 'in_progress'")));
        QVERIFY(allowed(support,
            QStringLiteral("INSERT INTO ticket_messages (ticket_id, ts, kind, author_id, author_name, body) VALUES "
                           "('%1', '2026-12-01T12:10:00Z', 'support', '%2', 'Sam', 'On it')")
                .arg(bens.ticketId, sam.id)));
        for (const QString &forbidden :
            { QStringLiteral("UPDATE tickets SET user_id = '%1'").arg(amira.id),
                QStringLiteral("UPDATE tickets SET rating = 'helpful'"),
                QStringLiteral("INSERT INTO ticket_messages (ticket_id, ts, kind, author_id, author_name, body) VALUES "
                               "('%1', '2026-12-01T12:10:00Z', 'teacher', '%2', 'Ben', 'forged')")
                    .arg(bens.ticketId, ben.id),
                QStringLiteral("UPDATE ticket_messages SET kind = 'support' WHERE kind = 'note'"),
                QStringLiteral("UPDATE tickets_fts SET transcript = ''"),
                QStringLiteral("UPDATE deleted_tickets SET id = 'x' || id"),
                QStringLiteral("INSERT INTO outbox (ticket_id, kind, payload, next_attempt, created) VALUES "
                               "('%1', 'webhook', '{}', '', '')")
                    .arg(bens.ticketId),
                QStringLiteral("UPDATE users SET role = 'admin'"), QStringLiteral("DELETE FROM users"),
                QStringLiteral("INSERT INTO users (id, email, display_name, role, created) VALUES ('x', "
                               "'x@example', 'x', 'admin', '')"),
                QStringLiteral("SELECT password_hash FROM users"), QStringLiteral("SELECT COUNT(*) FROM audit_log"),
                QStringLiteral("DELETE FROM tickets") })
            QVERIFY2(!allowed(support, forbidden), qPrintable(forbidden));

        // Issue 26: a reply written with another's name, an old time and an id of its choosing is written as
        // Sam's, now, with the sequence's id; the database audits it and the status change itself, and takes
        // neither those actions nor a deletion from the seat.
        QVERIFY(allowed(support,
            QStringLiteral("INSERT INTO ticket_messages (id, ticket_id, ts, kind, author_id, author_name, body) VALUES "
                           "(987654, '%1', '2020-01-01T00:00:00Z', 'support', '%2', 'The Principal', 'forged')")
                .arg(bens.ticketId, ada.id)));
        QVERIFY(allowed(
            support, QStringLiteral("UPDATE tickets SET status = 'resolved' WHERE id = '%1'").arg(bens.ticketId)));
        QVERIFY(!allowed(support, QStringLiteral("SELECT lp_audit('ticket.delete', '%1', '')").arg(bens.ticketId)));
        QVERIFY(!allowed(support, QStringLiteral("SELECT lp_audit('privacy.erase', '%1', '')").arg(ben.id)));
        QVERIFY(allowed(support, QStringLiteral("SELECT lp_audit('ticket.status', '%1', 'open')").arg(bens.ticketId)));
        {
            QSqlQuery q(fx.db->connection().value());
            QVERIFY(q.exec(
                QStringLiteral("SELECT id, ts, author_id, author_name FROM ticket_messages WHERE body = 'forged'")));
            QVERIFY(q.next());
            QVERIFY(q.value(0).toLongLong() != 987654);
            QVERIFY2(q.value(1).toString().startsWith(QString::number(QDate::currentDate().year())),
                qPrintable(q.value(1).toString()));
            QCOMPARE(q.value(2).toString(), sam.id);
            QCOMPARE(q.value(3).toString(), sam.displayName);
            const QString messageId = q.value(0).toString();
            q.finish();
            const auto audited = [&q](const QString &action, const QString &target) {
                QStringList rows;
                q.prepare(
                    QStringLiteral("SELECT actor, detail FROM audit_log WHERE action = ? AND target = ? ORDER BY id"));
                q.addBindValue(action);
                q.addBindValue(target);
                if (q.exec())
                    while (q.next())
                        rows << q.value(0).toString() + QLatin1Char('|') + q.value(1).toString();
                return rows;
            };
            QVERIFY2(audited(QStringLiteral("ticket.support"), bens.ticketId)
                         .contains(QStringLiteral("support:%1|%2").arg(sam.id, messageId)),
                qPrintable(audited(QStringLiteral("ticket.support"), bens.ticketId).join(QLatin1Char(','))));
            const QStringList statuses = audited(QStringLiteral("ticket.status"), bens.ticketId);
            QVERIFY2(statuses.contains(QStringLiteral("support:%1|resolved").arg(sam.id)),
                qPrintable(statuses.join(QLatin1Char(','))));
            QVERIFY2(!statuses.contains(QStringLiteral("support:%1|open").arg(sam.id)),
                qPrintable(statuses.join(QLatin1Char(','))));
            QVERIFY(audited(QStringLiteral("ticket.delete"), bens.ticketId).isEmpty());
        }
        support.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("seat-") + supportLogin);
    {
        QSqlDatabase admin = connectAs(adminLogin);
        QVERIFY2(admin.open(), qPrintable(admin.lastError().text()));
        int n = -1;
        QVERIFY(allowed(admin, QStringLiteral("SELECT COUNT(*) FROM audit_log"), &n));
        QVERIFY(n > 0);
        QVERIFY(allowed(admin, QStringLiteral("UPDATE users SET display_name = 'Ben O.' WHERE id = '%1'").arg(ben.id)));
        QVERIFY(!allowed(admin, QStringLiteral("DELETE FROM audit_log"))); // append-only for everyone
        QVERIFY(!allowed(admin, QStringLiteral("SELECT COUNT(*) FROM lp_logins"))); // the owner's alone
        QVERIFY(!allowed(admin, // appended in one's own name only, through lp_audit
            QStringLiteral("INSERT INTO audit_log (ts, actor, action) VALUES ('2020-01-01T00:00:00Z', 'support:x', "
                           "'ticket.delete')")));
        QVERIFY(!allowed(admin, QStringLiteral("DELETE FROM schema_version")));
        admin.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("seat-") + adminLogin);
    {
        // What the teacher's calls did, seen by the owner: nothing to Ben's ticket, one entry in her name.
        QSqlQuery q(fx.db->connection().value());
        QVERIFY(q.exec(QStringLiteral("SELECT teacher_read, rating FROM tickets WHERE id = '%1'").arg(bens.ticketId))
            && q.next());
        QCOMPARE(q.value(0).toInt(), 0);
        QCOMPARE(q.value(1).toString(), QString());
        QVERIFY(q.exec(QStringLiteral("SELECT actor FROM audit_log WHERE action = 'ticket.rate'")) && q.next());
        QCOMPARE(q.value(0).toString(), QStringLiteral("teacher:") + amira.id);
        QVERIFY(!q.next());
    }

    // learnpulsectl at a seat: the teacher's login lists her tickets only; the owner's URL is not needed.
    {
        QUrl seatUrl(fx.config.databaseUrl);
        seatUrl.setUserName(teacherLogin);
        seatUrl.setPassword(QStringLiteral("seat-secret-pw"));
        qputenv("DATABASE_URL", seatUrl.toString().toUtf8());
        const ProcessResult r = ctl({ QStringLiteral("tickets"), QStringLiteral("list"), QStringLiteral("--json") });
        qputenv("DATABASE_URL", fx.config.databaseUrl.toUtf8());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QStringList ids;
        for (const QJsonObject &row : jsonLines(r.out))
            ids << row.value(QLatin1String("ticket_id")).toString();
        ids.sort();
        QCOMPARE(ids,
            (QStringList {
                QStringLiteral("TICKET-aaaaaaaa-20261201120000"), QStringLiteral("TICKET-aaaaaaac-20271201120000") }));
        QVERIFY(!r.out.contains("seat-secret-pw") && !r.err.contains("seat-secret-pw"));
        // An index left at an older schema: a seat's login cannot migrate it, and says whose URL can.
        QSqlQuery owner(fx.db->connection().value());
        QVERIFY(owner.exec(QStringLiteral("UPDATE schema_version SET version = version - 1")));
        qputenv("DATABASE_URL", seatUrl.toString().toUtf8());
        const ProcessResult old = ctl({ QStringLiteral("tickets"), QStringLiteral("list") });
        qputenv("DATABASE_URL", fx.config.databaseUrl.toUtf8());
        QVERIFY(owner.exec(QStringLiteral("UPDATE schema_version SET version = version + 1")));
        QCOMPARE(old.exitCode, 1);
        QVERIFY2(old.err.contains("owner's DATABASE_URL"), old.err.constData());
    }

    // A login acts only while its account does: demoted, the support login reads no ticket any more.
    QVERIFY(accounts.setRole(Actor::commandLine(), sam.id, Role::Teacher));
    {
        QSqlDatabase support = connectAs(supportLogin);
        QVERIFY2(support.open(), qPrintable(support.lastError().text()));
        int n = -1;
        QVERIFY(!allowed(support, QStringLiteral("SELECT COUNT(*) FROM tickets"), &n));
        support.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("seat-") + supportLogin);
    // ...and a console or learnpulsectl with that login says so instead of running for no one.
    QUrl seatUrl(fx.config.databaseUrl);
    seatUrl.setUserName(supportLogin);
    seatUrl.setPassword(QStringLiteral("seat-secret-pw"));
    qputenv("DATABASE_URL", seatUrl.toString().toUtf8());
    const ProcessResult r = ctl({ QStringLiteral("tickets"), QStringLiteral("list") });
    qputenv("DATABASE_URL", fx.config.databaseUrl.toUtf8());
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("acts for no account"), r.err.constData());
    QVERIFY(!r.err.contains("seat-secret-pw"));

    // Issue 26: the email of a ticket her seat opened, once sent (as a support seat records it: sent, and where it
    // went), is found by her erasure after the ticket itself was deleted, and reported with its address.
    {
        QSqlQuery owner(fx.db->connection().value());
        QVERIFY2(owner.exec(QStringLiteral("UPDATE outbox SET state = 'sent', sent_at = '2026-12-01T12:01:00Z', "
                                           "payload = (payload::jsonb || '{\"to\": \"support@school.example\"}')::text "
                                           "WHERE ticket_id = 'TICKET-aaaaaaaa-20261201120000' AND kind = 'email'")),
            qPrintable(owner.lastError().text()));
        QCOMPARE(owner.numRowsAffected(), 1);
    }
    QCOMPARE(ctl({ QStringLiteral("tickets"), QStringLiteral("delete"),
                     QStringLiteral("TICKET-aaaaaaaa-20261201120000"), QStringLiteral("--yes") })
                 .exitCode,
        0);
    const ProcessResult erased = ctl({ QStringLiteral("privacy"), QStringLiteral("erase"), QStringLiteral("--user"),
        amira.email, QStringLiteral("--yes"), QStringLiteral("--json") });
    QVERIFY2(erased.exitCode == 0, erased.err.constData());
    const QJsonObject report = QJsonDocument::fromJson(erased.out).object();
    QCOMPARE(report.value(QLatin1String("emails_already_sent")).toInt(), 1);
    QCOMPARE(report.value(QLatin1String("emails_sent_to")).toArray(),
        QJsonArray { QStringLiteral("support@school.example") });
}

void TestLearnpulsectl::aMigrationGrantsTheSeatRolesItsNewTables()
{
    if (!TestPostgres::wanted())
        QSKIP("seat roles are PostgreSQL roles: run with LP_TEST_DATABASE=postgres (CTest tst_learnpulsectl_pg)");
    CoreFixture fx;
    QVERIFY2(fx.setUp(), qPrintable(fx.error()));
    const Account ada
        = fx.accounts
              ->add(Actor::commandLine(), QStringLiteral("ada@school.example"), QStringLiteral("Ada"), Role::Admin)
              .value();
    QVERIFY2(addSeatLogin(fx.config.databaseUrl, ada.email), "cannot set up the roles");
    // The index as version 9 left it, with the roles set up then: version 10's tables did not exist.
    {
        QSqlQuery q(fx.db->connection().value());
        QVERIFY(q.exec(QStringLiteral("DROP TABLE account_emails, erase_pending")));
        QVERIFY(q.exec(QStringLiteral("UPDATE schema_version SET version = 9")));
    }
    // The owner's next start migrates, and the admins' group gets the new tables with them.
    auto reopened = Database::open(fx.config);
    QVERIFY2(reopened, qPrintable(reopened.error()));
    QSqlQuery q(reopened.value()->connection().value());
    QVERIFY(q.exec(QStringLiteral("SELECT has_table_privilege('lp_admin', 'account_emails', 'INSERT'), "
                                  "has_table_privilege('lp_admin', 'erase_pending', 'DELETE'), "
                                  "has_table_privilege('lp_teacher', 'erase_pending', 'SELECT')"))
        && q.next());
    QVERIFY(q.value(0).toBool());
    QVERIFY(q.value(1).toBool());
    QVERIFY(!q.value(2).toBool());
}

QTEST_GUILESS_MAIN(TestLearnpulsectl)
void TestLearnpulsectl::aLoginLosesItsPowersWithItsAccount()
{
    if (!TestPostgres::wanted())
        QSKIP("seat roles are PostgreSQL roles: run with LP_TEST_DATABASE=postgres (CTest tst_learnpulsectl_pg)");
    CoreFixture fx;
    QVERIFY2(fx.setUp(), qPrintable(fx.error()));
    qputenv("DATABASE_URL", fx.config.databaseUrl.toUtf8());
    const ProcessResult roles = ctl({ QStringLiteral("db"), QStringLiteral("setup-roles") });
    QVERIFY2(roles.exitCode == 0, roles.err.constData());
    AccountStore accounts(fx.db);
    auto add = [&](const char *email, Role role) {
        return accounts
            .add(Actor::commandLine(), QLatin1String(email), QString::fromLatin1(email).section(QLatin1Char('@'), 0, 0),
                role)
            .value();
    };
    const Account ada = add("ada@school.example", Role::Admin); // demoted to teacher
    const Account sam = add("sam@school.example", Role::Support); // disabled
    const Account kim = add("kim@school.example", Role::Support); // removed in Administration
    const Account cara = add("cara@school.example", Role::Teacher); // erased
    const Account ben = add("ben@school.example", Role::Teacher);
    TicketRequest request;
    request.session.id = QStringLiteral("bbbbbbbb-1111-4222-8333-444455556666");
    request.session.dissatisfactionCount = 1;
    request.history = { { QStringLiteral("teacher"), QStringLiteral("Ben's words"), QDateTime::currentDateTimeUtc() } };
    request.teacherName = ben.displayName;
    request.teacherEmail = ben.email;
    request.teacherUserId = ben.id;
    request.teacherRole = QStringLiteral("teacher");
    request.summary = QStringLiteral("Teacher asked for support");
    QVERIFY(fx.ticketService->createTicket(request).success);

    const QString suffix = QString::number(QDateTime::currentMSecsSinceEpoch() % 100000000);
    auto login = [&](const Account &who, const QString &prefix) {
        const QString name = prefix + suffix;
        const ProcessResult r
            = ctl({ QStringLiteral("db"), QStringLiteral("add-login"), QStringLiteral("--user"), who.email,
                      QStringLiteral("--login"), name, QStringLiteral("--password-stdin") },
                "seat-secret-pw\n");
        return r.exitCode == 0 ? name : QString();
    };
    const QUrl url(fx.config.databaseUrl);
    auto connectAs = [&](const QString &name) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("gone-") + name);
        db.setHostName(url.host());
        db.setPort(url.port(5432));
        db.setDatabaseName(url.path().mid(1));
        db.setUserName(name);
        db.setPassword(QStringLiteral("seat-secret-pw"));
        return db;
    };
    auto owner = [&](const QString &sql) {
        QSqlQuery q(fx.db->connection().value());
        return q.exec(sql) && q.next() ? q.value(0) : QVariant();
    };
    auto groupsOf = [&](const QString &name) {
        return owner(
            QStringLiteral("SELECT count(*) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                           "JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = '%1' AND g.rolname LIKE 'lp_%%'")
                .arg(name))
            .toInt();
    };
    // What a login that should have no powers tries (as from psql): every one must fail or find nothing.
    const QStringList attacks { QStringLiteral("SELECT transcript FROM tickets_fts"),
        QStringLiteral("SELECT * FROM outbox"), QStringLiteral("SELECT * FROM audit_log"),
        QStringLiteral("INSERT INTO erase_pending (user_id, email_hash, created) VALUES ('%1', '', '2026-12-01')")
            .arg(ben.id),
        QStringLiteral("INSERT INTO canned_replies (title, body) VALUES ('planted', 'click evil.example')"),
        QStringLiteral("UPDATE outbox SET state = 'failed'"), QStringLiteral("DELETE FROM tickets_fts"),
        QStringLiteral("SELECT * FROM tickets"), QStringLiteral("SELECT email FROM users") };
    auto powerless = [&](QSqlDatabase &db) {
        for (const QString &sql : attacks) {
            QSqlQuery q(db);
            if (q.exec(sql) && (q.isSelect() ? q.next() : q.numRowsAffected() > 0)) {
                qWarning("still allowed: %s", qPrintable(sql));
                return false;
            }
        }
        return true;
    };

    const QString adaLogin = login(ada, QStringLiteral("a_ada_"));
    const QString samLogin = login(sam, QStringLiteral("s_sam_"));
    const QString kimLogin = login(kim, QStringLiteral("s_kim_"));
    const QString caraLogin = login(cara, QStringLiteral("t_cara_"));
    QVERIFY(!adaLogin.isEmpty() && !samLogin.isEmpty() && !kimLogin.isEmpty() && !caraLogin.isEmpty());
    QCOMPARE(groupsOf(adaLogin), 1);
    {
        // Sam's console is open (connected) when the account changes: the same connection loses its powers.
        QSqlDatabase samOpen = connectAs(samLogin);
        QVERIFY2(samOpen.open(), qPrintable(samOpen.lastError().text()));
        QSqlQuery before(samOpen);
        QVERIFY(before.exec(QStringLiteral("SELECT count(*) FROM tickets")) && before.next()
            && before.value(0).toInt() == 1);
        before.finish();

        QVERIFY(accounts.setRole(Actor::commandLine(), ada.id, Role::Teacher));
        QVERIFY(
            owner(QStringLiteral("UPDATE users SET disabled = 1 WHERE id = '%1' RETURNING 1").arg(sam.id)).isValid());
        QVERIFY(accounts.remove(Actor::commandLine(), kim.id));
        for (const QString &gone : { adaLogin, samLogin, kimLogin })
            QVERIFY2(groupsOf(gone) == 0, qPrintable(gone));
        QVERIFY(powerless(samOpen));
        samOpen.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("gone-") + samLogin);
    for (const QString &gone : { adaLogin, kimLogin }) {
        {
            QSqlDatabase db = connectAs(gone);
            QVERIFY2(db.open(), qPrintable(db.lastError().text()));
            QVERIFY2(powerless(db), qPrintable(gone));
            db.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("gone-") + gone);
    }
    // The second wall: the demoted admin's login put back in lp_admin by hand still acts for no one (her account
    // is a teacher's now), so the row rules of every table refuse it.
    {
        QSqlQuery q(fx.db->connection().value());
        QVERIFY2(q.exec(QStringLiteral("GRANT lp_admin TO %1").arg(adaLogin)), qPrintable(q.lastError().text()));
    }
    {
        QSqlDatabase db = connectAs(adaLogin);
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        QVERIFY(powerless(db));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("gone-") + adaLogin);
    QCOMPARE(owner(QStringLiteral("SELECT count(*) FROM erase_pending")).toInt(), 0);
    QCOMPARE(owner(QStringLiteral("SELECT count(*) FROM canned_replies WHERE title = 'planted'")).toInt(), 0);
    QCOMPARE(owner(QStringLiteral("SELECT count(*) FROM outbox WHERE state = 'failed'")).toInt(), 0);
    QCOMPARE(owner(QStringLiteral("SELECT count(*) FROM tickets_fts")).toInt(), 1);

    // Erased: the login and its lp_logins row are gone.
    const ProcessResult erased = ctl({ QStringLiteral("privacy"), QStringLiteral("erase"), QStringLiteral("--user"),
        cara.email, QStringLiteral("--yes") });
    QVERIFY2(erased.exitCode == 0, erased.err.constData());
    QCOMPARE(owner(QStringLiteral("SELECT count(*) FROM lp_logins WHERE user_id = '%1'").arg(cara.id)).toInt(), 0);
    QCOMPARE(owner(QStringLiteral("SELECT count(*) FROM pg_roles WHERE rolname = '%1'").arg(caraLogin)).toInt(), 0);
    // A console with a login out of every group says so in words.
    QUrl seatUrl(fx.config.databaseUrl);
    seatUrl.setUserName(kimLogin);
    seatUrl.setPassword(QStringLiteral("seat-secret-pw"));
    qputenv("DATABASE_URL", seatUrl.toString().toUtf8());
    const ProcessResult r = ctl({ QStringLiteral("tickets"), QStringLiteral("list") });
    qputenv("DATABASE_URL", fx.config.databaseUrl.toUtf8());
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("acts for no account"), r.err.constData());
}

#include "tst_learnpulsectl.moc"
