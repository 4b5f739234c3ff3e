#pragma once

#include "redisclient.h"
#include "redisserverprocess.h"
#include "result.h"

#include <memory>

namespace LearnPulse {

struct Config;

// A Redis connection, and the private server behind it when the application had to start one.
struct RedisConnection
{
    std::unique_ptr<RedisServerProcess> privateServer; // declared first: outlives the client
    std::unique_ptr<RedisClient> client;
};

// Connects to the configured Redis. When nothing answers, the URL is the default (not chosen by the
// user) and redis-server is installed, starts a private server (unix socket and append-only data
// under <data dir>/redis) that stops with the returned object (DESIGN.md, "Session state").
Result<RedisConnection> connectRedis(const Config &config);

} // namespace LearnPulse
