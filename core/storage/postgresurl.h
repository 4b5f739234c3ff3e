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

} // namespace LearnPulse
