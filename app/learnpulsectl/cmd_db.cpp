#include "accountstore.h"
#include "ctlcommon.h"
#include "database.h"
#include "messagevalidator.h"
#include "postgresurl.h"
#include "roles.h"

#include <QFile>
#include <QRegularExpression>
#include <QSqlQuery>

namespace LearnPulse::Ctl {

namespace {

// Roles are for the several-seat index: refuses an SQLite one with a reason.
std::optional<int> refuseSqlite(const Context &ctx)
{
    if (ctx.db->backend() != Database::Backend::PostgreSQL)
        return fail(exitError,
            QStringLiteral("database roles are for a PostgreSQL index shared by several seats (DATABASE_URL); "
                           "this seat keeps its index in SQLite"));
    return std::nullopt;
}

} // namespace

int cmdDbSetupRoles(const QStringList &args)
{
    Invocation inv;
    std::optional<Context> ctx;
    if (auto code = openWithoutArguments(inv, args, QStringLiteral("db setup-roles"), ctx))
        return *code;
    if (auto refused = refuseSqlite(*ctx))
        return *refused;
    QFile script(QStringLiteral(":/sql/postgres-roles.sql"));
    if (!script.open(QIODevice::ReadOnly))
        return fail(exitError, QStringLiteral("the roles script is missing from this build"));
    auto conn = ctx->db->connection();
    if (!conn)
        return fail(exitError, conn.error());
    QSqlQuery q(conn.value());
    // One transaction: the roles and every grant and policy, or nothing.
    if (!q.exec(QStringLiteral("BEGIN")) || !q.exec(QString::fromUtf8(script.readAll()))
        || !q.exec(QStringLiteral("COMMIT"))) {
        const QString error = Database::errorOf(q);
        q.exec(QStringLiteral("ROLLBACK"));
        return fail(exitError, QStringLiteral("cannot set up the database roles: %1").arg(error));
    }
    (void)ctx->db->audit(Actor::commandLine(), QStringLiteral("db.setup_roles"), QString());
    writeOut(QStringLiteral("database roles lp_teacher, lp_support and lp_admin are set up; give each seat a login "
                            "of its own with: learnpulsectl db add-login --user EMAIL --login NAME "
                            "--password-stdin\n"));
    return exitOk;
}

int cmdDbAddLogin(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
            { { QStringLiteral("user"), QStringLiteral("The account the login acts for."), QStringLiteral("EMAIL") },
                { QStringLiteral("login"), QStringLiteral("The database login to create."), QStringLiteral("NAME") },
                { QStringLiteral("password-stdin"), QStringLiteral("Read the login's password from stdin.") } }))
        return *code;
    if (!inv.positional.isEmpty())
        return usage(QStringLiteral("db add-login takes no arguments"));
    if (!inv.isSet(QStringLiteral("user")) || !inv.isSet(QStringLiteral("login")))
        return usage(QStringLiteral("db add-login needs --user EMAIL and --login NAME"));
    const QString login = inv.value(QStringLiteral("login"));
    static const QRegularExpression shape(QStringLiteral("\\A[a-z][a-z0-9_]{2,40}\\z"));
    if (!shape.match(login).hasMatch() || login.startsWith(QLatin1String("lp_")) || login == QLatin1String("postgres"))
        return usage(QStringLiteral("--login is 3 to 41 lower-case letters, digits or _, starting with a letter "
                                    "(not lp_…)"));
    QByteArray password;
    if (inv.isSet(QStringLiteral("password-stdin"))) {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly))
            return fail(exitError, QStringLiteral("cannot read standard input"));
        password = in.readLine();
        while (password.endsWith('\n') || password.endsWith('\r'))
            password.chop(1);
        if (!MessageValidator::validateUtf8(password, 1024))
            return fail(exitError, QStringLiteral("the password is empty or not valid UTF-8 text"));
    }
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    if (auto refused = refuseSqlite(ctx.value()))
        return *refused;
    auto account = ctx->services->accounts().findByEmail(inv.value(QStringLiteral("user")));
    if (!account)
        return fail(exitError, account.error());
    const QString group = QStringLiteral("lp_") + roleName(account->role);
    auto conn = ctx->db->connection();
    if (!conn)
        return fail(exitError, conn.error());
    // The login name is checked above (letters, digits, _) and the group is one of three. The password never goes
    // to the server: a SCRAM verifier made here does (base64, '$' and ':' only), so that a failing statement in the
    // server's log holds no password.
    QString create = QStringLiteral("CREATE ROLE \"%1\" LOGIN IN ROLE %2").arg(login, group);
    if (!password.isEmpty())
        create = QStringLiteral("CREATE ROLE \"%1\" LOGIN PASSWORD '%2' IN ROLE %3")
                     .arg(login, scramSha256Verifier(password), group);
    QSqlQuery q(conn.value());
    if (!q.exec(QStringLiteral("SHOW standard_conforming_strings")) || !q.next()
        || q.value(0).toString() != QLatin1String("on"))
        return fail(exitError, QStringLiteral("the server must have standard_conforming_strings on"));
    q.finish();
    if (!q.exec(QStringLiteral("BEGIN")) || !q.exec(create)) {
        const QString error = Database::errorOf(q);
        q.exec(QStringLiteral("ROLLBACK"));
        return fail(
            exitError, QStringLiteral("cannot create the login %1 (run db setup-roles first?): %2").arg(login, error));
    }
    q.prepare(QStringLiteral("INSERT INTO lp_logins (login, user_id) VALUES (?, ?) ON CONFLICT (login) DO UPDATE SET "
                             "user_id = EXCLUDED.user_id"));
    q.addBindValue(login);
    q.addBindValue(account->id);
    if (!q.exec() || !q.exec(QStringLiteral("COMMIT"))) {
        const QString error = Database::errorOf(q);
        q.exec(QStringLiteral("ROLLBACK"));
        return fail(exitError, QStringLiteral("cannot map the login: %1").arg(error));
    }
    (void)ctx->db->audit(Actor::commandLine(), QStringLiteral("db.add_login"), account->id, group);
    writeOut(QStringLiteral("login %1 acts for %2 as %3\n").arg(login, account->id, group));
    return exitOk;
}

} // namespace LearnPulse::Ctl
