#pragma once

#include "config.h"
#include "hallucinationguard.h"
#include "result.h"

#include <QString>

#include <memory>

namespace LearnPulse {

class AccountStore;
class ChatEngine;
class Database;
class Detector;
class MessageClassifier;
class TextModel;
class EscalationEngine;
class LlmClient;
class Outbox;
class RedisClient;
class SessionStore;
class TicketService;
class TicketStore;
struct RedisConnection;

// The composition root: the one place that wires the core's parts from a configuration, so that the
// console, learnpulsectl, the tests and the turn worker cannot wire them differently.
//
// - open(): the index and what needs only the index (accounts, tickets, outbox) and the detector;
// - connectRedis(): the session store and the escalation engine over Redis (or the private server);
// - chat(): the assistant's client and the chat engine, QObjects of the calling thread.
//
// The detector's rules are the admin's file `<data dir>/detector-rules.json` when there is one and it is
// valid; a broken file never stops a conversation: the built-in rules are used, and rulesWarning() says
// why the file was not (the console shows it, learnpulsectl prints it on stderr). Every part holds a
// reference to config(), which lives as long as this object.
class Services final
{
public:
    // The detector of this policy: the admin's valid rules file, else the built-in rules and the reason.
    struct Rules
    {
        std::shared_ptr<const Detector> detector; // never null
        QString warning; // why the admin's file is not used; empty when it is
    };
    static Rules loadRules(const Config &config);
    // The detector as conversations use it: the rules above with the trained model (built in, the file that
    // detector/model names, or none), and why either is not the one asked for (a missing or damaged model: the
    // rules alone decide, and the warning says so).
    struct Classifier
    {
        std::shared_ptr<const MessageClassifier> classifier; // never null
        QString warning;
    };
    static Classifier loadClassifier(const Config &config);
    // The model built into the application (resources/model/detector.ftz), loaded once per process.
    static Result<std::shared_ptr<const TextModel>> builtinDetectorModel();
    // The guard's claim classifier as configured (guard/model): the built-in one, a file, or none; a missing or
    // damaged file leaves the guard's rules alone, and `warning` says so.
    static GuardModel loadGuardModel(const Config &config, QString *warning = nullptr);

    ~Services();
    Services(const Services &) = delete;
    Services &operator=(const Services &) = delete;

    // `database`: an index already open (threads of one process share it); otherwise opened here.
    static Result<std::unique_ptr<Services>> open(const Config &config, std::shared_ptr<Database> database = {});
    // The same wiring over a configuration the caller keeps (and may change; every part sees the change):
    // for the tests' fixture, whose tests adjust settings as they go. `config` must outlive the services.
    static Result<std::unique_ptr<Services>> openBorrowing(Config &config, std::shared_ptr<Database> database);

    const Config &config() const { return *m_config; }
    const std::shared_ptr<Database> &database() const { return m_db; }
    AccountStore &accounts() { return *m_accounts; }
    const std::shared_ptr<TicketStore> &ticketStore() const { return m_ticketStore; }
    TicketService &tickets() { return *m_tickets; }
    Outbox &outbox() { return *m_outbox; }
    const Detector &detector() const { return *m_detector; }
    const MessageClassifier &classifier() const { return *m_classifier; }
    // Empty when the admin's rules and the model are in use as configured.
    const QString &rulesWarning() const { return m_rulesWarning; }

    // Connects to Redis (starting the private server where DESIGN.md says so) unless connected already.
    Status connectRedis();
    bool hasRedis() const { return m_sessions != nullptr; }
    void disconnectRedis(); // the chat engine goes first, its turns finished
    RedisConnection *redis() { return m_redis.get(); }
    RedisClient *redisClient(); // null without Redis
    SessionStore *sessions() { return m_sessions.get(); }
    EscalationEngine *escalation() { return m_escalation.get(); }

    // The assistant's client (made on first use).
    LlmClient &llm();
    // The chat engine over Redis and the assistant; null without Redis.
    ChatEngine *chat();

    // New settings: the chat engine and the assistant's client are rebuilt (turns still running are finished
    // first, each with a result), Redis is reconnected when its URL changed.
    void reconfigure(const Config &config);

private:
    explicit Services(const Config &config);
    explicit Services(Config *borrowed);
    static Result<std::unique_ptr<Services>> wire(std::unique_ptr<Services> s, std::shared_ptr<Database> database);
    void dropChat();

    Config m_ownConfig;
    Config *m_config; // m_ownConfig, or the caller's (openBorrowing)
    std::shared_ptr<Database> m_db;
    std::unique_ptr<AccountStore> m_accounts;
    std::shared_ptr<TicketStore> m_ticketStore;
    std::unique_ptr<TicketService> m_tickets;
    std::unique_ptr<Outbox> m_outbox;
    std::shared_ptr<const Detector> m_detector;
    std::shared_ptr<const MessageClassifier> m_classifier;
    GuardModel m_guardModel;
    QString m_rulesWarning;
    std::unique_ptr<RedisConnection> m_redis;
    std::unique_ptr<SessionStore> m_sessions;
    // The store of a Redis URL that new settings replaced, kept for its conversations in memory until the
    // new server is connected (its client is gone: nothing but its memory is used).
    std::unique_ptr<SessionStore> m_previousSessions;
    std::unique_ptr<EscalationEngine> m_escalation;
    std::unique_ptr<LlmClient> m_llm;
    std::unique_ptr<ChatEngine> m_chat; // declared after m_llm: goes first
};

} // namespace LearnPulse
