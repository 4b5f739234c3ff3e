#include "roles.h"
#include "testsupport.h"

#include <QTest>

using namespace LearnPulse;
using namespace LearnPulse::Test;

// Account management in the core: roles are enforced there, not only by hiding widgets.
class TestAccounts : public QObject
{
    Q_OBJECT

private slots:
    void adminManagesAccounts();
    void othersMayNot_data();
    void othersMayNot();
};

void TestAccounts::adminManagesAccounts()
{
    QTemporaryDir dir;
    auto config = freshTestConfig(dir.path());
    auto db = Database::open(config.value()).value();
    AccountStore accounts(db);
    const Account admin = accounts
                              .add(Actor::commandLine(), QStringLiteral("root@school.example"), QStringLiteral("Root"),
                                  Role::Admin, QByteArray("admin-pass-1"))
                              .value();
    const Actor actor = admin.actor();
    const Account teacher
        = accounts.add(actor, QStringLiteral("t@school.example"), QStringLiteral("T"), Role::Teacher).value();
    QVERIFY(!teacher.canSignIn);
    QCOMPARE(accounts.list(actor)->size(), 2);

    QVERIFY(accounts.setRole(actor, teacher.id, Role::Support));
    QCOMPARE(accounts.findById(teacher.id)->role, Role::Support);
    QVERIFY(!accounts.setPassword(actor, teacher.id, "short"));
    QVERIFY(accounts.setPassword(actor, teacher.id, "teacher-pass-1"));
    QVERIFY(accounts.authenticate(QStringLiteral("t@school.example"), "teacher-pass-1"));
    QVERIFY(!accounts.setRole(actor, admin.id, Role::Teacher)); // not one's own admin role
    QVERIFY(!accounts.remove(actor, admin.id)); // nor one's own account

    QVERIFY(accounts.remove(actor, teacher.id));
    QVERIFY(!accounts.authenticate(QStringLiteral("t@school.example"), "teacher-pass-1"));
    QVERIFY(!accounts.findByEmail(QStringLiteral("t@school.example")));
    QCOMPARE(accounts.list(actor)->size(), 1);
    QVERIFY(accounts.add(
        actor, QStringLiteral("t@school.example"), QStringLiteral("T again"), Role::Teacher)); // email free again
    auto audit = db->auditEntries(actor);
    QVERIFY(audit);
    QStringList actions;
    for (const auto &e : audit.value())
        actions << e.action;
    for (const char *a : { "account.add", "account.role", "account.password", "account.remove" })
        QVERIFY2(actions.contains(QLatin1String(a)), a);
}

void TestAccounts::othersMayNot_data()
{
    QTest::addColumn<int>("role");
    QTest::newRow("teacher") << int(Role::Teacher);
    QTest::newRow("support") << int(Role::Support);
}

void TestAccounts::othersMayNot()
{
    QFETCH(int, role);
    QTemporaryDir dir;
    auto config = freshTestConfig(dir.path());
    auto db = Database::open(config.value()).value();
    AccountStore accounts(db);
    const Account someone = accounts
                                .add(Actor::commandLine(), QStringLiteral("x@school.example"), QStringLiteral("X"),
                                    Role(role), QByteArray("some-pass-1"))
                                .value();
    const Actor actor = someone.actor();
    auto added = accounts.add(actor, QStringLiteral("y@school.example"), QStringLiteral("Y"), Role::Admin);
    QVERIFY(!added);
    QVERIFY2(added.error().contains(QLatin1String("Not allowed")), qPrintable(added.error()));
    QVERIFY(!accounts.list(actor));
    QVERIFY(!accounts.setRole(actor, someone.id, Role::Admin));
    QVERIFY(!accounts.setPassword(actor, someone.id, "another-pass-1"));
    QVERIFY(!db->auditEntries(actor));
    QCOMPARE(accounts.findById(someone.id)->role, Role(role));
}

QTEST_GUILESS_MAIN(TestAccounts)
#include "tst_accounts.moc"
