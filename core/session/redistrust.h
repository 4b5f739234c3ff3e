#pragma once

#include "redisclient.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace LearnPulse {

// Whether a Redis server on this machine that the console did not start may receive the conversations
// (issue 26): one with a password, or one run by the same user. A server on loopback without a password,
// run by another local user, would receive every teacher's words; it is not used.
namespace RedisTrust {

// The user ids of the processes listening on TCP `port` on a loopback or unspecified address, read from
// the text of /proc/net/tcp or /proc/net/tcp6 (an empty list: nobody listens there).
QList<uint> listenerUids(const QByteArray &procNetTcp, int port);
// The same from this machine's /proc/net/tcp and /proc/net/tcp6.
QList<uint> loopbackListenerUids(int port);

// Empty when the endpoint may be used as it is (it has a password, it is not on this machine, nobody listens
// there yet, or the server is this user's); otherwise why not, in a sentence.
QString whyNotTrusted(const RedisEndpoint &endpoint);

// A folder of this user's alone (0700, not a link) with a short path for the private server's unix socket:
// under $XDG_RUNTIME_DIR, else under the temporary folder; empty when neither can be had.
QString privateSocketFolder(const QString &dataDir);

// A random password for a private server that has to listen on TCP.
QString randomPassword();

} // namespace RedisTrust

} // namespace LearnPulse
