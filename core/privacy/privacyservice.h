#pragma once

#include "result.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

#include <memory>

namespace LearnPulse {

class Database;
class RedisClient;
struct Actor;
struct Config;
enum class Permission;

// What an erasure removed (DESIGN.md, "Users": an admin erases all data of one person).
struct ErasureReport
{
    int accounts = 0;
    int tickets = 0;
    int transcripts = 0; // deleted: this seat's, and other seats' that this one could reach
    // Transcripts written at other seats that this one cannot reach (or cannot prove to be the ticket's): their
    // paths, as the index names them, for an admin to delete on that computer. Never counted as deleted.
    QStringList transcriptsLeft;
    int outboxEntries = 0;
    int threadMessages = 0; // replies, notes and follow-ups of the erased tickets
    int authoredElsewhere = 0; // thread messages and assignments on others' tickets that named the person
    int sessions = 0;
    int redisKeys = 0;
    int emailsAlreadySent = 0; // ticket emails delivered before the erasure: they cannot be recalled
    QStringList sentTo; // the addresses those went to
    bool redisReached = true; // false: Redis was not reachable; its part waits (redisPending) for a re-run or start
    int redisPending = 0; // people whose conversations in Redis are still to be erased (erase_pending)
    QStringList mentionedIn; // other people's tickets whose transcript names the person (ids only, for an admin)
    QStringList exportedAt; // when the person's data was exported before (copies outside the app), from the audit

    QJsonObject toJson() const;
};

// What an erasure of one person would remove, for the admin's confirmation (counts, no text).
struct ErasurePreview
{
    QString name; // the account's display name, or empty when no account has the email now
    QMap<QString, int> ticketsByStatus; // "open", "in_progress", "resolved"
    int conversations = -1; // in Redis; -1: Redis was not reachable
    int emailsAlreadySent = 0; // ticket emails delivered: they cannot be recalled

    int tickets() const;
};

// GDPR operations over every store: erase a person, export a person's data, apply retention.
// Erasure is idempotent and ordered so that a crash at any point leaves nothing orphaned and a re-run
// finishes it: Redis first, then transcript files, then the database rows in one transaction; then
// the database's free pages and write-ahead log are cleared. Blocking: use from a worker thread.
class PrivacyService final
{
public:
    // `redis` may be null when no Redis is reachable (sessions are then reported as not erased).
    PrivacyService(const Config &config, std::shared_ptr<Database> database, RedisClient *redis);

    // Finds the person by any email they had (a removed account's too) and erases everything.
    Result<ErasureReport> erase(const Actor &actor, const QString &email);
    Result<ErasureReport> eraseUserId(const Actor &actor, const QString &userId);
    // What erase(actor, email) would remove, counted; changes nothing.
    Result<ErasurePreview> preview(const Actor &actor, const QString &email);
    // Finishes what earlier erasures could not do while Redis was unreachable; how many people. Fails
    // (Unavailable) while Redis still cannot be reached.
    Result<int> finishPendingErasures();
    // Writes account.json, tickets.json, sessions.json and tickets/*.txt into `directory`.
    Result<QJsonObject> exportData(const Actor &actor, const QString &email, const QString &directory);
    // Erases tickets created more than `days` days ago; returns how many.
    Result<int> applyRetention(const Actor &actor, int days);

private:
    Result<QStringList> userIdsFor(const QString &email);
    // The checks both erase and export begin with: permission, a valid address; then the person's ids.
    Result<QStringList> subject(const Actor &actor, Permission permission, const QString &email);
    Status scrubDatabase();
    // Tells every console (the ticket channel, and each erased person's own channel) what is gone.
    void announceErasure(const QStringList &ticketIds, const QStringList &userIds);
    // The person's tickets, by any of their emails or by one of their user ids: a condition over `tickets`
    // (empty: none can match) and its values in order.
    std::pair<QString, QVariantList> ticketsOf(const QStringList &emails, const QStringList &ids) const;
    Result<ErasureReport> eraseSubject(
        const Actor &actor, const QStringList &emails, const QStringList &ids, const QString &requestedHash);
    // Deletes the person's conversations and per-user keys; false when Redis could not be reached.
    // `emailHashes`: also conversations whose teacher email has one of these SHA-256 hashes.
    bool eraseFromRedis(
        const QStringList &ids, const QStringList &emails, ErasureReport *report, const QStringList &emailHashes = {});

    const Config &m_config;
    std::shared_ptr<Database> m_db;
    RedisClient *m_redis;
};

} // namespace LearnPulse
