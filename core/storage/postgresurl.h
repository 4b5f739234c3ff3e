#pragma once

#include "result.h"

#include <QString>

namespace LearnPulse {

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

// Parses DATABASE_URL (postgresql:// or postgres://); the options it accepts are host (a socket
// directory), sslmode, application_name and connect_timeout, each checked. The errors never hold the
// password.
Result<PostgresTarget> parsePostgresUrl(const QString &text);

// A SCRAM-SHA-256 verifier of `password`, as libpq's PQencryptPasswordConn makes it
// ("SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>", RFC 5802/7677): given to CREATE ROLE ... PASSWORD,
// the server stores it as it is, so the password itself never reaches the server (nor its log, when a statement
// fails). The password is NFKC-normalised first (SASLprep's mapping for the passwords people type). `salt` empty:
// 16 random bytes.
QString scramSha256Verifier(const QByteArray &password, QByteArray salt = {}, int iterations = 4096);

} // namespace LearnPulse
