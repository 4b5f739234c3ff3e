#include "consolebackend.h"

#include "escalationengine.h"
#include "llmclient.h"
#include "logging.h"
#include "outbox.h"
#include "privacyservice.h"
#include "ticketreconciler.h"
#include "redisconnector.h"
#include "redissubscriber.h"
#include "ticketservice.h"

#include <QFile>
#include <QFileInfo>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSettings>
#include <QThread>

namespace LearnPulse {

namespace {

// Settings the dialog edits: INI key, and whether it is a secret (never shown back in clear).
struct SettingKey
{
    const char *key;
    bool secret;
};
constexpr SettingKey settingKeys[] = {
    {"llm/base_url", false},        {"llm/model", false},           {"llm/api_key", true},
    {"redis/url", false},           {"smtp/host", false},           {"smtp/port", false},
    {"smtp/username", false},       {"smtp/password", true},        {"smtp/from_email", false},
    {"support/email", false},       {"escalation/threshold", false}, {"session/history_cap", false},
    {"limits/rate_per_minute", false}, {"webhook/url", false},
};

QVariantMap currentValues(const Config &c)
{
    return {{QStringLiteral("llm/base_url"), c.llmBaseUrl},
            {QStringLiteral("llm/model"), c.llmModel},
            {QStringLiteral("llm/api_key"), QString()},
            {QStringLiteral("llm/api_key/set"), !c.llmApiKey.isEmpty()},
            {QStringLiteral("redis/url"), c.redisUrl},
            {QStringLiteral("smtp/host"), c.smtpHost},
            {QStringLiteral("smtp/port"), c.smtpPort},
            {QStringLiteral("smtp/username"), c.smtpUsername},
            {QStringLiteral("smtp/password"), QString()},
            {QStringLiteral("smtp/password/set"), !c.smtpPassword.isEmpty()},
            {QStringLiteral("smtp/from_email"), c.smtpFromEmail},
            {QStringLiteral("support/email"), c.supportEmail},
            {QStringLiteral("escalation/threshold"), c.escalationThreshold},
            {QStringLiteral("session/history_cap"), c.historyCap},
            {QStringLiteral("limits/rate_per_minute"), c.rateLimitPerMinute},
            {QStringLiteral("webhook/url"), c.webhookUrl},
            {QStringLiteral("config_file"), c.configFile}};
}

// For side effects whose failure must not stop the operation (an audit line, a pub/sub notice):
// logged, without message text.
void logFailure(const Status &status, const char *what)
{
    if (!status)
        qCWarning(lcChat).noquote() << QLatin1String(what) + QStringLiteral(" failed: ") + status.error();
}

} // namespace

void ConsoleBackend::registerTypes()
{
    qRegisterMetaType<Account>();
    qRegisterMetaType<SessionContext>();
    qRegisterMetaType<SessionState>();
    qRegisterMetaType<HistoryEntry>();
    qRegisterMetaType<QList<HistoryEntry>>();
    qRegisterMetaType<TicketRecord>();
    qRegisterMetaType<QList<TicketRecord>>();
    qRegisterMetaType<TicketFilter>();
    qRegisterMetaType<Database::AuditEntry>();
    qRegisterMetaType<QList<Database::AuditEntry>>();
    qRegisterMetaType<QList<Account>>();
    qRegisterMetaType<Role>();
    qRegisterMetaType<ChatTurnResult>();
    qRegisterMetaType<MetricsStore::Summary>();
}

ConsoleBackend::ConsoleBackend(QString dataDirOption, QObject *parent)
    : QObject(parent)
    , m_dataDirOption(std::move(dataDirOption))
{
    registerTypes();
}

ConsoleBackend::~ConsoleBackend() = default;

void ConsoleBackend::initialize()
{
    auto config = Config::load(m_dataDirOption);
    if (!config) {
        emit initialized(false, config.error(), false);
        return;
    }
    m_config = config.value();
    auto db = Database::open(m_config);
    if (!db) {
        emit initialized(false, db.error(), false);
        return;
    }
    m_db = db.value();
    m_accounts = std::make_unique<AccountStore>(m_db);
    m_tickets = std::make_shared<TicketStore>(m_db);
    m_ticketService = std::make_unique<TicketService>(m_config, m_tickets);
    m_outbox = std::make_unique<Outbox>(m_db, m_config);
    m_llm = new LlmClient(LlmSettings::fromConfig(m_config), this);

    m_outboxTimer = new QTimer(this);
    m_outboxTimer->setInterval(30000);
    connect(m_outboxTimer, &QTimer::timeout, this, &ConsoleBackend::deliverOutbox);
    m_outboxTimer->start();

    auto count = m_accounts->count();
    if (!count) {
        emit initialized(false, count.error(), false);
        return;
    }
    emit initialized(true, QString(), count.value() == 0);
    // The sign-in page is up; the rest runs while the person types (what the window asks for meanwhile
    // waits on this thread). After a crash: index transcripts the index lacks, flag rows whose file is gone.
    if (auto reconciled = TicketReconciler(m_config, m_db).run(); !reconciled)
        qCWarning(lcTickets).noquote() << QStringLiteral("Reconciliation failed: ") + reconciled.error();

    // Retention: tickets older than the configured number of days go on start and daily.
    m_retentionTimer = new QTimer(this);
    m_retentionTimer->setInterval(24 * 3600 * 1000);
    connect(m_retentionTimer, &QTimer::timeout, this, &ConsoleBackend::applyRetention);
    m_retentionTimer->start();
    applyRetention();
    ensureRedis();
    m_redisWatch = new QTimer(this);
    m_redisWatch->setInterval(2000);
    connect(m_redisWatch, &QTimer::timeout, this, &ConsoleBackend::watchRedis);
    m_redisWatch->start();
    checkAssistant();
    deliverOutbox();
}

void ConsoleBackend::shutdown()
{
    if (m_turn)
        m_turn->cancel();
    delete m_subscriber;
    m_subscriber = nullptr;
    delete m_chat;
    m_chat = nullptr;
    m_escalation.reset();
    m_sessions.reset();
    m_redis.reset(); // stops a private redis-server
}

bool ConsoleBackend::ensureRedis()
{
    if (m_redis && m_redis->client)
        return true;
    auto connected = connectRedis(m_config);
    if (!connected) {
        if (m_redisReachable != 0)
            emit redisStatus(QStringLiteral("Redis unavailable: %1").arg(connected.error()), false);
        m_redisReachable = 0;
        return false;
    }
    m_redis = std::make_unique<RedisConnection>(std::move(connected).value());
    m_sessions = std::make_unique<SessionStore>(*m_redis->client, m_config);
    if (!m_detector) {
        // The admin's rules file, as in learnpulsectl; a broken one is reported and the built-in rules used.
        const DetectorLoadResult rules = Detector::withOverride(m_config.rulesOverrideFile());
        m_detector = rules.detector ? rules.detector : Detector::withOverride(QString()).detector;
        if (!rules.detector)
            emit operationFinished(tr("Load the detector rules"), rules.error + tr(" The built-in rules are used."));
    }
    m_escalation = std::make_unique<EscalationEngine>(m_config, *m_detector, *m_sessions, *m_ticketService);
    delete m_chat;
    m_chat = new ChatEngine(m_config, *m_escalation, *m_sessions, *m_llm, this);
    delete m_subscriber;
    m_subscriber = new RedisSubscriber(m_redis->client->endpoint(), SessionStore::ticketsChannel(), this);
    connect(m_subscriber, &RedisSubscriber::message, this, &ConsoleBackend::ticketsChanged);
    m_subscriber->start();
    m_redisReachable = -1;
    setRedisReachable(true);
    return true;
}

void ConsoleBackend::setRedisReachable(bool reachable)
{
    if (m_redisReachable == int(reachable))
        return;
    m_redisReachable = int(reachable);
    if (reachable)
        emit redisStatus(m_redis && m_redis->privateServer ? tr("Redis: private server") : tr("Redis: connected"), true);
    else
        emit redisStatus(tr("Redis unreachable: conversations are kept in memory until it is back"), false);
}

void ConsoleBackend::watchRedis()
{
    if (!m_redis || !m_redis->client || !m_sessions) {
        ensureRedis(); // not there at start: connect as soon as it is
        return;
    }
    if (m_turn)
        return; // a turn in flight talks to Redis itself and reports what it finds
    const Status probed = m_sessions->probe();
    if (!probed && m_redis->client->isConnected())
        logFailure(probed, "writing back the conversations kept in memory");
    setRedisReachable(m_redis->client->isConnected());
}

void ConsoleBackend::createFirstAdmin(const QString &email, const QString &name, const QString &password)
{
    auto count = m_accounts->count();
    if (!count || count.value() != 0) {
        emit signInFailed(count ? QStringLiteral("An admin account exists already; sign in instead.") : count.error());
        return;
    }
    Actor setup = Actor::commandLine(); // the first start acts for the person installing the console
    auto added = m_accounts->add(setup, email, name, Role::Admin, password.toUtf8());
    if (!added) {
        emit signInFailed(added.error());
        return;
    }
    m_account = added.value();
    m_signedIn = true;
    emit signedIn(m_account);
}

void ConsoleBackend::signIn(const QString &email, const QString &password)
{
    auto account = m_accounts->authenticate(email, password.toUtf8());
    if (!account) {
        emit signInFailed(account.error());
        return;
    }
    m_account = account.value();
    m_signedIn = true;
    emit signedIn(m_account);
}

void ConsoleBackend::signOut()
{
    if (m_turn)
        m_turn->cancel();
    m_signedIn = false;
    m_account = {};
    m_sessionId.clear();
}

void ConsoleBackend::openConversation(const QString &sessionId, const SessionContext &context, bool forceNew)
{
    if (!m_signedIn)
        return;
    if (!ensureRedis()) {
        emit operationFinished(tr("Open the conversation"), tr("Redis is not available, so conversations cannot be kept."));
        return;
    }
    QString id = sessionId;
    if (id.isEmpty() && !forceNew) {
        auto last = m_sessions->lastSession(m_account.id);
        if (last && !last->isEmpty()) {
            auto state = m_sessions->state(last.value());
            if (state && state->context.userId == m_account.id)
                id = last.value();
        }
    }
    if (id.isEmpty()) {
        SessionContext c = context;
        c.userId = m_account.id;
        c.teacherEmail = m_account.email;
        auto created = m_sessions->createSession(c);
        if (!created) {
            emit operationFinished(tr("Start a conversation"), created.error());
            return;
        }
        id = created.value();
    }
    auto state = m_sessions->state(id);
    auto history = m_sessions->history(id);
    if (!state || !history) {
        emit operationFinished(tr("Open the conversation"), state ? history.error() : state.error());
        return;
    }
    if (state->context.userId != m_account.id) {
        emit operationFinished(tr("Open the conversation"), tr("This conversation belongs to another user."));
        return;
    }
    m_sessionId = id;
    logFailure(m_sessions->setLastSession(m_account.id, id), "remembering the last conversation");
    emit conversationOpened(state.value(), history.value());
}

void ConsoleBackend::updateContext(const SessionContext &context)
{
    if (m_sessionId.isEmpty() || !ensureRedis())
        return;
    const Status done = m_sessions->setContext(m_sessionId, context);
    emit operationFinished(tr("Change the context"), done.error());
}

void ConsoleBackend::sendMessage(const QString &text)
{
    startTurn(text, false);
}

void ConsoleBackend::startTurn(const QString &text, bool support)
{
    if (!m_signedIn || m_sessionId.isEmpty())
        return;
    if (m_turn) {
        emit operationFinished(tr("Send"), tr("Wait for the current reply, or stop it, before sending again."));
        return;
    }
    if (!ensureRedis() || !m_chat) {
        ChatTurnResult r;
        r.status = ChatTurnResult::Status::Failed;
        r.error = tr("Redis is not available: your message was not sent. Check the Redis connection and try again.");
        emit turnFinished(r);
        return;
    }
    m_turn = m_chat->send(m_account, m_sessionId, text, support);
    connect(m_turn, &ChatTurn::replyDelta, this, &ConsoleBackend::replyDelta);
    connect(m_turn, &ChatTurn::finished, this, [this](const ChatTurnResult &r) {
        m_turn = nullptr;
        if (r.offline)
            setRedisReachable(false);
        else if (r.recorded && m_redis && m_redis->client)
            setRedisReachable(true);
        if (r.status == ChatTurnResult::Status::Answered)
            emit assistantStatus(tr("Assistant ready"), true);
        else if (r.status == ChatTurnResult::Status::AssistantFailed && r.llmError != LlmError::Kind::Cancelled)
            emit assistantStatus(tr("Assistant unavailable"), false);
        if (r.status == ChatTurnResult::Status::Failed && !r.recorded && m_redis && m_redis->client
            && !m_redis->client->isConnected())
            setRedisReachable(false); // the client reconnects by itself; watchRedis() reports when it is back
        emit turnFinished(r);
        if (r.status == ChatTurnResult::Status::Escalated)
            deliverOutbox();
    });
}

void ConsoleBackend::contactSupport()
{
    // The same words the chat pane shows for the button press.
    startTurn(tr("I would like to contact support."), true);
}

void ConsoleBackend::stopReply()
{
    if (m_turn)
        m_turn->cancel();
}

void ConsoleBackend::listTickets(quint64 requestId, const TicketFilter &filter)
{
    if (filter.offset > 0) {
        // A further page as the table scrolls: the total is the first page's (a change reloads the list).
        auto rows = m_tickets->list(actor(), filter);
        emit ticketsPage(requestId, rows ? rows.value() : QList<TicketRecord>(), -1, rows ? QString() : rows.error());
        return;
    }
    auto page = m_tickets->listWithTotal(actor(), filter);
    if (!page) {
        emit ticketsPage(requestId, {}, 0, page.error());
        return;
    }
    emit ticketsPage(requestId, page->first, page->second, QString());
}

void ConsoleBackend::loadTicket(const QString &ticketId)
{
    auto ticket = m_tickets->find(actor(), ticketId);
    if (!ticket) {
        emit ticketLoaded({}, QString(), ticket.error());
        return;
    }
    auto transcript = m_tickets->transcript(actor(), ticket.value());
    emit ticketLoaded(ticket.value(), transcript ? transcript.value() : QString(), transcript ? QString() : transcript.error());
}

void ConsoleBackend::setTicketStatus(const QString &ticketId, const QString &status)
{
    const Status done = m_tickets->setStatus(actor(), ticketId, status);
    if (done && ensureRedis())
        logFailure(m_sessions->publishTicketChange(ticketId, QStringLiteral("status")), "announcing a ticket change");
    emit operationFinished(tr("Change the status of %1").arg(ticketId), done.error());
    if (done)
        emit ticketsChanged();
}

void ConsoleBackend::deleteTicket(const QString &ticketId)
{
    const Status done = m_tickets->remove(actor(), ticketId);
    if (done && ensureRedis())
        logFailure(m_sessions->publishTicketChange(ticketId, QStringLiteral("deleted")), "announcing a ticket change");
    emit operationFinished(tr("Delete %1").arg(ticketId), done.error());
    if (done)
        emit ticketsChanged();
}

void ConsoleBackend::listAccounts()
{
    auto list = m_accounts->list(actor());
    if (!list) {
        emit operationFinished(tr("List accounts"), list.error());
        return;
    }
    emit accountsListed(list.value());
}

void ConsoleBackend::addAccount(const QString &email, const QString &name, Role role, const QString &password)
{
    auto added = m_accounts->add(actor(), email, name, role,
                                 password.isEmpty() ? std::nullopt : std::optional<QByteArray>(password.toUtf8()));
    emit operationFinished(tr("Add the account %1").arg(email), added ? QString() : added.error());
    listAccounts();
}

void ConsoleBackend::setAccountRole(const QString &userId, Role role)
{
    emit operationFinished(tr("Change the role"), m_accounts->setRole(actor(), userId, role).error());
    listAccounts();
}

void ConsoleBackend::resetPassword(const QString &userId, const QString &password)
{
    emit operationFinished(tr("Set the password"), m_accounts->setPassword(actor(), userId, password.toUtf8()).error());
    listAccounts();
}

void ConsoleBackend::removeAccount(const QString &userId)
{
    emit operationFinished(tr("Remove the account"), m_accounts->remove(actor(), userId).error());
    listAccounts();
}

void ConsoleBackend::loadMetrics(int days)
{
    auto summary = MetricsStore(m_db).lastDays(actor(), days);
    emit metricsLoaded(summary ? summary.value() : MetricsStore::Summary{}, summary ? QString() : summary.error());
}

void ConsoleBackend::listAudit()
{
    auto entries = m_db->auditEntries(actor());
    if (!entries) {
        emit operationFinished(tr("Read the audit log"), entries.error());
        return;
    }
    emit auditListed(entries.value());
}

void ConsoleBackend::erasePerson(const QString &email)
{
    ensureRedis();
    PrivacyService privacy(m_config, m_db, m_redis ? m_redis->client.get() : nullptr);
    auto report = privacy.erase(actor(), email);
    if (!report) {
        emit privacyFinished(tr("Erase %1").arg(email), QString(), report.error());
        return;
    }
    QString summary = tr("Removed %1 account(s), %2 ticket(s), %3 transcript file(s), %4 outbox entr(ies) and %5 "
                         "conversation(s).")
                          .arg(report->accounts)
                          .arg(report->tickets)
                          .arg(report->transcripts)
                          .arg(report->outboxEntries)
                          .arg(report->sessions);
    if (report->emailsAlreadySent > 0)
        summary += QLatin1Char(' ') + tr("%1 ticket email(s) had already been sent to %2 and cannot be recalled.")
                                          .arg(report->emailsAlreadySent)
                                          .arg(report->sentTo.join(QLatin1String(", ")));
    emit privacyFinished(tr("Erase %1").arg(email), summary,
                         report->redisReached ? QString()
                                              : tr("Redis was not reachable: conversations were not erased. Run the "
                                                   "erasure again when Redis is available."));
    emit ticketsChanged();
    listAccounts();
}

void ConsoleBackend::exportPerson(const QString &email, const QString &directory)
{
    ensureRedis();
    PrivacyService privacy(m_config, m_db, m_redis ? m_redis->client.get() : nullptr);
    auto exported = privacy.exportData(actor(), email, directory);
    if (!exported) {
        emit privacyFinished(tr("Export %1").arg(email), QString(), exported.error());
        return;
    }
    emit privacyFinished(tr("Export %1").arg(email),
                         tr("Wrote %1 ticket(s) and %2 conversation(s) to %3.")
                             .arg(exported->value(QLatin1String("tickets")).toInt())
                             .arg(exported->value(QLatin1String("sessions")).toInt())
                             .arg(directory),
                         QString());
}

void ConsoleBackend::applyRetention()
{
    if (m_config.retentionDays <= 0)
        return;
    Actor system = Actor::commandLine();
    system.displayName = QStringLiteral("retention");
    PrivacyService privacy(m_config, m_db, nullptr);
    auto erased = privacy.applyRetention(system, m_config.retentionDays);
    if (!erased)
        qCWarning(lcDatabase).noquote() << QStringLiteral("Retention failed: ") + erased.error();
    else if (erased.value() > 0)
        emit ticketsChanged();
}

void ConsoleBackend::loadSettings()
{
    if (const QString refused = refusal(actor(), Permission::ManageAccounts); !refused.isEmpty()) {
        emit operationFinished(tr("Open the settings"), refused);
        return;
    }
    emit settingsLoaded(currentValues(m_config));
}

void ConsoleBackend::saveSettings(const QVariantMap &values)
{
    if (const QString refused = refusal(actor(), Permission::ManageAccounts); !refused.isEmpty()) {
        emit operationFinished(tr("Save the settings"), refused);
        return;
    }
    QStringList changed;
    {
        QSettings ini(m_config.configFile, QSettings::IniFormat);
        for (const SettingKey &k : settingKeys) {
            const QString key = QLatin1String(k.key);
            if (!values.contains(key))
                continue;
            const QString value = values.value(key).toString();
            if (k.secret && value.isEmpty())
                continue; // empty secret field: keep the stored one
            if (ini.value(key).toString() != value) {
                ini.setValue(key, value);
                changed << key;
            }
        }
        ini.sync();
        if (ini.status() != QSettings::NoError) {
            emit operationFinished(tr("Save the settings"), tr("Cannot write %1.").arg(m_config.configFile));
            return;
        }
    }
    auto reloaded = Config::load(m_dataDirOption);
    if (!reloaded) {
        emit operationFinished(tr("Save the settings"), reloaded.error());
        return;
    }
    const bool redisChanged = reloaded->redisUrl != m_config.redisUrl;
    m_config = reloaded.value(); // services hold a reference to m_config and see the new values
    delete m_chat;
    m_chat = nullptr;
    delete m_llm;
    m_llm = new LlmClient(LlmSettings::fromConfig(m_config), this);
    if (redisChanged) {
        delete m_subscriber;
        m_subscriber = nullptr;
        m_escalation.reset();
        m_sessions.reset();
        m_redis.reset();
    }
    if (m_sessions)
        m_chat = new ChatEngine(m_config, *m_escalation, *m_sessions, *m_llm, this);
    else
        ensureRedis();
    logFailure(m_db->audit(actor(), QStringLiteral("settings.change"), QString(), changed.join(QLatin1Char(','))), "audit");
    emit operationFinished(tr("Save the settings"), QString());
    emit settingsLoaded(currentValues(m_config));
    checkAssistant();
}

void ConsoleBackend::deliverOutbox()
{
    if (!m_outbox)
        return;
    const Outbox::Report report = m_outbox->deliverDue();
    if (report.attempted > 0)
        emit ticketsChanged();
}

void ConsoleBackend::checkAssistant()
{
    // GET {base}/models answers quickly on every OpenAI-compatible server.
    auto *network = new QNetworkAccessManager(this);
    QUrl url(m_config.llmBaseUrl);
    url.setPath(url.path() + QStringLiteral("/models"));
    QNetworkRequest request(url);
    request.setTransferTimeout(5000);
    if (!m_config.llmApiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_config.llmApiKey.toUtf8());
    QNetworkReply *reply = network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, network] {
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError || (status > 0 && status < 500 && status != 401 && status != 403))
            emit assistantStatus(tr("Assistant ready"), true);
        else
            emit assistantStatus(tr("Assistant unavailable: %1").arg(reply->errorString()), false);
        network->deleteLater();
    });
}

} // namespace LearnPulse
