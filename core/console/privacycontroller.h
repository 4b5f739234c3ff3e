#pragma once

#include "consolecontext.h"
#include "request.h"

namespace LearnPulse {

class RedisClient;

// GDPR requests from the console (erasure, export) and retention, with the wording the admin reads.
class PrivacyController final
{
public:
    explicit PrivacyController(ConsoleContext &context);

    // What an erasure would remove, in words for the confirmation (QString). Changes nothing.
    RequestResult previewErasure(const QString &email, RedisClient *redis);
    // Value: the summary of what was removed (QString); `notice` when Redis was not reachable.
    RequestResult erase(const QString &email, RedisClient *redis);
    // Value: the summary of what was written (QString).
    RequestResult exportData(const QString &email, const QString &directory, RedisClient *redis);
    // Erases tickets older than the configured retention; returns how many went.
    int applyRetention();

private:
    ConsoleContext &m_ctx;
};

} // namespace LearnPulse
