#include "postgresurl.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QPasswordDigestor>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QUrl>
#include <QUrlQuery>

namespace LearnPulse {

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
    QStringList options { QStringLiteral("connect_timeout=10") };
    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == QLatin1String("host"))
            t.host = value;
        else if (key == QLatin1String("sslmode") || key == QLatin1String("application_name")
            || key == QLatin1String("connect_timeout")) {
            static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_.-]+$"));
            if (!plain.match(value).hasMatch())
                return R::failure(
                    QStringLiteral("DATABASE_URL option %1 must be letters, digits, '.', '_' or '-'").arg(key));
            options << key + QLatin1Char('=') + value;
        } else
            return R::failure(QStringLiteral("DATABASE_URL has an option this application does not know: %1").arg(key));
    }
    if (t.database.isEmpty())
        return R::failure(QStringLiteral("DATABASE_URL names no database (postgresql://user@host:5432/DATABASE)."));
    if (t.host.isEmpty())
        t.host = QStringLiteral("localhost");
    t.options = options.join(QLatin1Char(';'));
    return t;
}

QString scramSha256Verifier(const QByteArray &password, QByteArray salt, int iterations)
{
    if (salt.isEmpty()) {
        salt.resize(16);
        QRandomGenerator::system()->generate(salt.begin(), salt.end());
    }
    const QByteArray prepared = QString::fromUtf8(password).normalized(QString::NormalizationForm_KC).toUtf8();
    const QByteArray salted
        = QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, prepared, salt, iterations, 32);
    const QByteArray clientKey = QMessageAuthenticationCode::hash("Client Key", salted, QCryptographicHash::Sha256);
    const QByteArray storedKey = QCryptographicHash::hash(clientKey, QCryptographicHash::Sha256);
    const QByteArray serverKey = QMessageAuthenticationCode::hash("Server Key", salted, QCryptographicHash::Sha256);
    return QStringLiteral("SCRAM-SHA-256$%1:%2$%3:%4")
        .arg(iterations)
        .arg(QString::fromLatin1(salt.toBase64()), QString::fromLatin1(storedKey.toBase64()),
            QString::fromLatin1(serverKey.toBase64()));
}

} // namespace LearnPulse
