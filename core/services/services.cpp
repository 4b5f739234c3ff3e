#include "services.h"

#include "accountstore.h"
#include "chatengine.h"
#include "database.h"
#include "detector.h"
#include "escalationengine.h"
#include "llmclient.h"
#include "logging.h"
#include "outbox.h"
#include "redisconnector.h"
#include "sessionstore.h"
#include "ticketservice.h"
#include "ticketstore.h"

namespace LearnPulse {

Services::Services(const Config &config)
    : m_ownConfig(config)
    , m_config(&m_ownConfig)
{ }

Services::Services(Config *borrowed)
    : m_config(borrowed)
{ }

Services::~Services()
{
    dropChat();
}

Result<std::unique_ptr<Services>> Services::open(const Config &config, std::shared_ptr<Database> database)
{
    return wire(std::unique_ptr<Services>(new Services(config)), std::move(database));
}

Result<std::unique_ptr<Services>> Services::openBorrowing(Config &config, std::shared_ptr<Database> database)
{
    return wire(std::unique_ptr<Services>(new Services(&config)), std::move(database));
}

Result<std::unique_ptr<Services>> Services::wire(std::unique_ptr<Services> s, std::shared_ptr<Database> database)
{
    using R = Result<std::unique_ptr<Services>>;
    if (!database) {
        auto opened = Database::open(*s->m_config);
        if (!opened)
            return failureOf<std::unique_ptr<Services>>(opened);
        database = opened.value();
    }
    s->m_db = std::move(database);
    s->m_accounts = std::make_unique<AccountStore>(s->m_db);
    s->m_ticketStore = std::make_shared<TicketStore>(s->m_db, s->m_config->ticketsDir());
    s->m_tickets = std::make_unique<TicketService>(*s->m_config, s->m_ticketStore);
    s->m_outbox = std::make_unique<Outbox>(s->m_db, *s->m_config);
    Rules rules = loadRules(*s->m_config);
    s->m_detector = std::move(rules.detector);
    s->m_rulesWarning = std::move(rules.warning);
    return R(std::move(s));
}

Services::Rules Services::loadRules(const Config &config)
{
    const DetectorLoadResult loaded = Detector::withOverride(config.rulesOverrideFile());
    if (loaded.detector)
        return { loaded.detector, QString() };
    Rules rules { Detector::withOverride(QString()).detector,
        QStringLiteral("The detector rules file is not used: %1. The built-in rules are used until it is fixed.")
            .arg(loaded.error) };
    qCWarning(lcChat).noquote() << rules.warning;
    return rules;
}

Status Services::connectRedis()
{
    if (m_sessions)
        return {};
    auto connected = LearnPulse::connectRedis(*m_config);
    if (!connected)
        return Status::from(connected);
    m_redis = std::make_unique<RedisConnection>(std::move(connected).value());
    m_sessions = std::make_unique<SessionStore>(*m_redis->client, *m_config);
    if (m_previousSessions) {
        // The conversations kept in memory for the Redis of the former URL go to this one.
        m_sessions->adoptConversations(*m_previousSessions);
        m_previousSessions.reset();
    }
    m_escalation = std::make_unique<EscalationEngine>(*m_config, *m_detector, *m_sessions, *m_tickets);
    return {};
}

void Services::disconnectRedis()
{
    dropChat();
    m_escalation.reset();
    m_sessions.reset();
    m_redis.reset(); // stops a private redis-server
}

RedisClient *Services::redisClient()
{
    return m_redis ? m_redis->client.get() : nullptr;
}

LlmClient &Services::llm()
{
    if (!m_llm)
        m_llm = std::make_unique<LlmClient>(LlmSettings::fromConfig(*m_config));
    return *m_llm;
}

ChatEngine *Services::chat()
{
    if (!m_escalation)
        return nullptr;
    if (!m_chat)
        m_chat = std::make_unique<ChatEngine>(*m_config, *m_escalation, *m_sessions, llm());
    return m_chat.get();
}

void Services::dropChat()
{
    m_chat.reset(); // finishes its turns while the assistant's client is still there
    m_llm.reset(); // then the client, which abandons what is left in flight
}

void Services::reconfigure(const Config &config)
{
    const bool redisChanged = config.redisUrl != m_config->redisUrl;
    dropChat();
    if (redisChanged) {
        if (m_sessions && m_sessions->hasConversationsInMemory() && !m_previousSessions)
            m_previousSessions = std::move(m_sessions); // only its memory is used from here on
        disconnectRedis();
    }
    *m_config = config; // the parts hold a reference and see the new values
}

} // namespace LearnPulse
