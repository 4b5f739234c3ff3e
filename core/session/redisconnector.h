#pragma once

#include "redisclient.h"
#include "redisserverprocess.h"
#include "redistunnel.h"
#include "result.h"

#include <memory>

namespace LearnPulse {

struct Config;

// A Redis connection, and the private server behind it when the application had to start one.
struct RedisConnection
{
    std::unique_ptr<RedisServerProcess> privateServer; // declared first: outlives the client
    std::unique_ptr<RedisTunnel> tunnel; // a rediss:// server's TLS tunnel; outlives the client too
    std::unique_ptr<RedisClient> client;
    QString notice; // why the configured server was passed over for a private one (empty: it was not)
};

// Connects to the configured Redis; a rediss:// one through a TLS tunnel of its own (RedisTunnel). A server on this
// machine without a password that another user runs is never used (RedisTrust). When nothing answers or the server is
// not trusted, the URL is the default (not chosen by the user) and redis-server is installed, starts a private server
// (append-only data under <data dir>/redis, a unix socket in a folder of this user's alone, or a loopback port with a
// random password) that stops with the returned object (DESIGN.md, "Session state").
Result<RedisConnection> connectRedis(const Config &config);

} // namespace LearnPulse
