#include "consolebackend.h"

#include "deliveryworker.h"
#include "logging.h"
#include "privacyservice.h"
#include "redisclient.h"
#include "redisconnector.h"
#include "redissubscriber.h"
#include "sessionstore.h"
#include "ticketreconciler.h"
#include "ticketstore.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace LearnPulse {

void ConsoleBackend::registerTypes()
{
    qRegisterMetaType<RequestResult>();
    qRegisterMetaType<Account>();
    qRegisterMetaType<SessionContext>();
    qRegisterMetaType<SessionState>();
    qRegisterMetaType<HistoryEntry>();
    qRegisterMetaType<QList<HistoryEntry>>();
    qRegisterMetaType<TicketRecord>();
    qRegisterMetaType<QList<TicketRecord>>();
    qRegisterMetaType<TicketFilter>();
    qRegisterMetaType<QList<Account>>();
    qRegisterMetaType<Role>();
    qRegisterMetaType<ChatTurnResult>();
    qRegisterMetaType<ConversationData>();
    qRegisterMetaType<QList<ConversationSummary>>();
    qRegisterMetaType<TicketPage>();
    qRegisterMetaType<TicketView>();
    qRegisterMetaType<TicketUpdate>();
    qRegisterMetaType<QList<CannedReply>>();
    qRegisterMetaType<MetricsStore::Summary>();
    qRegisterMetaType<Database::AuditEntry>();
    qRegisterMetaType<QList<Database::AuditEntry>>();
    qRegisterMetaType<Config>();
}

ConsoleBackend::ConsoleBackend(QString dataDirOption, QObject *parent)
    : QObject(parent)
{
    registerTypes();
    m_ctx.dataDirOption = std::move(dataDirOption);
    m_deliveryThread.setObjectName(QStringLiteral("lp-delivery"));
}

ConsoleBackend::~ConsoleBackend()
{
    shutdown();
}

bool ConsoleBackend::ready(quint64 requestId, bool needSignIn)
{
    if (!m_ctx.ready()) {
        answer(requestId, RequestResult::failure(tr("The console has not started yet."), ErrorKind::Unavailable));
        return false;
    }
    if (needSignIn && !m_ctx.signedIn) {
        answer(requestId, RequestResult::failure(tr("Sign in first."), ErrorKind::Forbidden));
        return false;
    }
    if (needSignIn) {
        RequestResult failure;
        bool readFailed = false;
        const QString ended = checkAccount(&readFailed, &failure);
        if (readFailed) {
            answer(requestId, failure);
            return false;
        }
        if (!ended.isEmpty()) {
            answer(requestId, RequestResult::failure(ended, ErrorKind::Forbidden));
            return false;
        }
    }
    return true;
}

QString ConsoleBackend::checkAccount(bool *readFailed, RequestResult *failure)
{
    // The account as it is now, not as it was at sign-in: an admin (on any seat) may have changed its role,
    // disabled, removed or erased it since. Read for every request that acts with it, and by the 2-second look.
    auto now = m_ctx.services->accounts().findById(m_ctx.account.id);
    QString ended;
    if (!now && now.kind() == ErrorKind::NotFound)
        ended = tr("Your account was removed or disabled by an administrator, so you have been signed out.");
    else if (!now && !m_ctx.services->database()->seatStillActs())
        ended = tr("Your account was removed or disabled by an administrator, so you have been signed out.");
    if (!now && ended.isEmpty()) {
        if (readFailed)
            *readFailed = true;
        if (failure)
            *failure = RequestResult::from(now);
        return {};
    }
    if (now && now->role != m_ctx.account.role)
        ended = tr("Your role was changed by an administrator (now: %1). Sign in again to continue.")
                    .arg(roleName(now->role));
    if (ended.isEmpty()) {
        m_ctx.account = now.value(); // a corrected name or email is used from now on
        return {};
    }
    qCInfo(lcAccounts).noquote() << QStringLiteral("Session ended by an account change user=") + m_ctx.account.id;
    endSession();
    emit signedOutByAdministrator(ended);
    return ended;
}

void ConsoleBackend::endSession()
{
    if (m_chat)
        m_chat->signOut(); // the turn in flight is answered first
    if (m_tickets)
        m_tickets->closeTicket();
    dropUserSubscriber();
    m_userSubscriber = nullptr;
    m_ctx.signedIn = false;
    m_ctx.account = {};
}

void ConsoleBackend::initialize(quint64 requestId)
{
    auto config = Config::load(m_ctx.dataDirOption);
    if (!config)
        return answer(requestId, RequestResult::from(config));
    auto services = Services::open(config.value());
    if (!services)
        return answer(requestId, RequestResult::failure(services.error(), services.kind()));
    m_ctx.services = std::move(services).value();
    auto count = m_ctx.services->accounts().count();
    if (!count) {
        m_ctx.services.reset();
        return answer(requestId, RequestResult::from(count));
    }
    m_chat = new ChatController(
        m_ctx, [this] { return ensureRedis(); }, this);
    connect(m_chat, &ChatController::redisReachable, this, &ConsoleBackend::setRedisReachable);
    connect(m_chat, &ChatController::assistantReachable, this,
        [this](bool ok, const QString &status) { emit assistantStatus(status, ok); });
    connect(m_chat, &ChatController::escalated, this, &ConsoleBackend::deliverSoon);
    m_tickets = std::make_unique<TicketController>(
        m_ctx, [this](const QString &ticketId, const QString &change, const QString &teacherId) {
            announce(ticketId, change, teacherId);
        });
    m_admin = std::make_unique<AdminController>(m_ctx);
    m_privacy = std::make_unique<PrivacyController>(m_ctx);
    answer(requestId,
        RequestResult::success(QVariantMap {
            { QStringLiteral("first_start"), count.value() == 0 && !m_ctx.services->database()->seatLogin() },
            { QStringLiteral("max_message_chars"), m_ctx.services->config().maxMessageChars },
            { QStringLiteral("first_response_hours"), m_ctx.services->config().firstResponseHours },
            { QStringLiteral("settings_problems"), m_ctx.services->config().settingsProblems } }));

    // The sign-in page is up; the rest runs while the person types (what the window asks for meanwhile
    // waits on this thread). After a crash: index transcripts the index lacks, flag rows whose file is gone.
    if (auto reconciled = TicketReconciler(m_ctx.services->config(), m_ctx.services->database()).run(); !reconciled)
        qCWarning(lcTickets).noquote() << QStringLiteral("Reconciliation failed: ") + reconciled.error();
    m_retentionTimer = new QTimer(this);
    m_retentionTimer->setInterval(24 * 3600 * 1000);
    connect(m_retentionTimer, &QTimer::timeout, this, &ConsoleBackend::applyRetention);
    m_retentionTimer->start();
    applyRetention();

    m_delivery = new DeliveryWorker(m_ctx.services->database(), m_ctx.services->config());
    m_delivery->moveToThread(&m_deliveryThread);
    connect(&m_deliveryThread, &QThread::finished, m_delivery, &QObject::deleteLater);
    connect(m_delivery, &DeliveryWorker::delivered, this, &ConsoleBackend::ticketsChanged);
    connect(m_delivery, &DeliveryWorker::assistantStatus, this, &ConsoleBackend::assistantStatus);
    m_deliveryThread.start();
    QMetaObject::invokeMethod(m_delivery, &DeliveryWorker::start, Qt::QueuedConnection);

    (void)ensureRedis();
    m_redisWatch = new QTimer(this);
    m_redisWatch->setInterval(2000);
    connect(m_redisWatch, &QTimer::timeout, this, &ConsoleBackend::watchRedis);
    connect(m_redisWatch, &QTimer::timeout, this, &ConsoleBackend::lookAtTickets);
    m_redisWatch->start();
}

void ConsoleBackend::shutdown()
{
    if (m_redisWatch)
        m_redisWatch->stop();
    if (m_chat)
        m_chat->cancelTurn(tr("The console is closing."));
    if (m_ctx.services && m_ctx.services->hasRedis()) {
        // Messages kept in memory during an outage: a last chance to write them back.
        SessionStore *sessions = m_ctx.services->sessions();
        if (sessions->pendingWrites() > 0 && !sessions->flushPending())
            qCWarning(lcSession).noquote() << QStringLiteral("Closing with %1 message(s) that Redis never received")
                                                  .arg(sessions->pendingWrites());
    }
    if (m_deliveryThread.isRunning()) {
        if (m_delivery)
            m_delivery->requestStop(); // a mail being sent stops within a second; the rest stays due
        m_deliveryThread.quit();
        m_deliveryThread.wait(); // an entry cut short is retried later (its lease covers a crash)
        m_delivery = nullptr;
    }
    if (m_tickets)
        m_tickets->closeTicket();
    delete m_subscriber;
    m_subscriber = nullptr;
    delete m_userSubscriber;
    m_userSubscriber = nullptr;
    if (m_ctx.services)
        m_ctx.services->disconnectRedis(); // stops a private redis-server
}

Status ConsoleBackend::ensureRedis()
{
    if (!m_ctx.services)
        return Status::failure(tr("The console has not started yet."), ErrorKind::Unavailable);
    if (!m_ctx.services->hasRedis()) {
        const Status connected = m_ctx.services->connectRedis();
        if (!connected) {
            if (m_redisReachable != 0)
                emit redisStatus(tr("Redis unavailable: %1").arg(connected.error()), false);
            m_redisReachable = 0;
            return connected;
        }
        delete m_subscriber;
        m_subscriber
            = new RedisSubscriber(m_ctx.services->redisClient()->endpoint(), SessionStore::ticketsChannel(), this);
        connect(m_subscriber, &RedisSubscriber::message, this, [this](const QByteArray &payload) {
            emit ticketsChanged();
            // A new ticket (from any console, this one's too) is announced to those who work tickets. The payload
            // comes from another seat: only a ticket id of the right shape is passed on.
            const QJsonObject o = QJsonDocument::fromJson(payload).object();
            const QString id = o.value(QLatin1String("ticket_id")).toString();
            const QString change = o.value(QLatin1String("change")).toString();
            const bool wellFormed = !TicketStore::transcriptNameFor(id).isEmpty();
            if (m_ctx.signedIn && isAllowed(m_ctx.actor(), Permission::ViewTickets) && wellFormed
                && change == QLatin1String("created"))
                emit ticketCreated(id);
            if (wellFormed && (change == QLatin1String("erased") || change == QLatin1String("deleted")))
                emit ticketGone(id);
            if (id.isEmpty() && change == QLatin1String("erased"))
                emit personErased();
        });
        m_subscriber->start();
        subscribeUser();
        m_redisReachable = -1;
        setRedisReachable(true);
        if (const QString notice = m_ctx.services->redis()->notice; !notice.isEmpty())
            emit warning(notice); // the configured server was another user's: said once, at each connection
    }
    if (!m_rulesWarned && !m_ctx.services->rulesWarning().isEmpty()) {
        m_rulesWarned = true;
        qCWarning(lcChat).noquote() << m_ctx.services->rulesWarning();
        emit warning(m_ctx.services->rulesWarning());
    }
    return {};
}

RedisClient *ConsoleBackend::reachableRedis()
{
    return ensureRedis() ? m_ctx.services->redisClient() : nullptr;
}

void ConsoleBackend::setRedisReachable(bool reachable)
{
    if (m_redisReachable == int(reachable))
        return;
    m_redisReachable = int(reachable);
    const bool privateServer = m_ctx.services && m_ctx.services->redis() && m_ctx.services->redis()->privateServer;
    if (reachable)
        emit redisStatus(privateServer ? tr("Redis: private server") : tr("Redis: connected"), true);
    else
        emit redisStatus(tr("Redis unreachable: conversations are kept in memory until it is back"), false);
}

void ConsoleBackend::watchRedis()
{
    if (!m_ctx.services)
        return;
    if (!m_ctx.services->hasRedis()) {
        (void)ensureRedis(); // not there at the start: connect as soon as it is
        return;
    }
    if (m_chat && m_chat->hasTurn())
        return; // a turn in flight talks to Redis itself and reports what it finds
    const Status probed = m_ctx.services->sessions()->probe();
    const bool connected = m_ctx.services->redisClient()->isConnected();
    if (!probed && connected)
        qCWarning(lcSession).noquote() << QStringLiteral("Writing back the conversations kept in memory failed: ")
                + probed.error();
    setRedisReachable(connected);
    if (!connected) {
        m_pendingErasuresDone = false;
    } else if (!m_pendingErasuresDone && m_ctx.services->database()->actsForEverySeatAs(Role::Admin)) {
        // Erasures that could not reach Redis are finished as soon as it answers (once per connection).
        PrivacyService privacy(m_ctx.services->config(), m_ctx.services->database(), m_ctx.services->redisClient());
        if (auto finished = privacy.finishPendingErasures(); finished)
            m_pendingErasuresDone = true;
        else
            qCWarning(lcSession).noquote() << QStringLiteral("Pending erasures wait: ") + finished.error();
    }
}

void ConsoleBackend::announce(const QString &ticketId, const QString &change, const QString &teacherId)
{
    if (ensureRedis()) {
        SessionStore *sessions = m_ctx.services->sessions();
        if (auto published = sessions->publishTicketChange(ticketId, change); !published)
            qCWarning(lcTickets).noquote() << QStringLiteral("Cannot announce a ticket change: ") + published.error();
        if (!teacherId.isEmpty())
            if (auto told = sessions->publishUserEvent(teacherId, ticketId, change); !told)
                qCWarning(lcTickets).noquote() << QStringLiteral("Cannot tell the teacher: ") + told.error();
    }
    emit ticketsChanged();
}

void ConsoleBackend::dropUserSubscriber()
{
    // Later, not now: this may run inside the subscriber's own message (an erasure's announcement ends the
    // session that listens to it).
    if (m_userSubscriber) {
        disconnect(m_userSubscriber, nullptr, this, nullptr);
        m_userSubscriber->deleteLater();
    }
}

void ConsoleBackend::subscribeUser()
{
    dropUserSubscriber();
    m_userSubscriber = nullptr;
    if (!m_ctx.signedIn || !m_ctx.services || !m_ctx.services->hasRedis())
        return;
    m_userSubscriber = new RedisSubscriber(
        m_ctx.services->redisClient()->endpoint(), SessionStore::userChannel(m_ctx.account.id), this);
    connect(m_userSubscriber, &RedisSubscriber::message, this, &ConsoleBackend::lookAtTickets);
    m_userSubscriber->start();
}

void ConsoleBackend::lookAtTickets()
{
    if (!m_ctx.signedIn)
        return;
    // The account is checked like every other request: an erased, removed or demoted account's console signs out
    // at once (its own channel says so) or within the look's two seconds, and shows nothing of it any more.
    if (!checkAccount().isEmpty())
        return;
    TicketUpdate update;
    if (m_chat && m_chat->refreshTicket(&update))
        emit ticketUpdated(update);
    QString ticketId;
    QStringList viewers;
    if (m_tickets && m_tickets->refreshPresence(&ticketId, &viewers))
        emit ticketViewers(ticketId, viewers);
}

void ConsoleBackend::deliverSoon()
{
    if (m_delivery)
        QMetaObject::invokeMethod(m_delivery, &DeliveryWorker::deliverDue, Qt::QueuedConnection);
}

void ConsoleBackend::applyRetention()
{
    if (!m_ctx.services->database()->actsForEverySeatAs(Role::Admin))
        return; // the owner's or an admin's seat erases what is older than the retention period
    if (m_privacy && m_privacy->applyRetention() > 0)
        emit ticketsChanged();
}

void ConsoleBackend::createFirstAdmin(
    quint64 requestId, const QString &email, const QString &name, const QString &password)
{
    if (!ready(requestId, false))
        return;
    AccountStore &accounts = m_ctx.services->accounts();
    auto count = accounts.count();
    if (!count)
        return answer(requestId, RequestResult::from(count));
    if (count.value() != 0)
        return answer(requestId,
            RequestResult::failure(tr("An admin account exists already; sign in instead."), ErrorKind::BadInput));
    // The first start acts for the person installing the console (nobody is signed in yet).
    Actor firstStart = Actor::commandLine();
    firstStart.auditAs = QStringLiteral("console:first-start");
    auto added = accounts.add(firstStart, email, name, Role::Admin, password.toUtf8());
    if (added) {
        m_ctx.account = added.value();
        m_ctx.signedIn = true;
    }
    answer(requestId, RequestResult::from(added));
}

void ConsoleBackend::signIn(quint64 requestId, const QString &email, const QString &password)
{
    if (!ready(requestId, false))
        return;
    auto account = m_ctx.services->accounts().authenticate(email, password.toUtf8());
    if (account) {
        m_ctx.account = account.value();
        m_ctx.signedIn = true;
        subscribeUser();
    }
    answer(requestId, RequestResult::from(account));
}

void ConsoleBackend::signOut(quint64 requestId)
{
    endSession();
    answer(requestId, RequestResult::success());
}

void ConsoleBackend::answer(quint64 requestId, const RequestResult &result)
{
    if (m_ctx.services && m_ctx.services->hasRedis() && !m_ctx.services->redisClient()->isConnected())
        setRedisReachable(false);
    emit finished(requestId, result);
}

void ConsoleBackend::openConversation(
    quint64 requestId, const QString &sessionId, const SessionContext &context, bool forceNew)
{
    if (ready(requestId))
        answer(requestId, m_chat->openConversation(sessionId, context, forceNew));
}

void ConsoleBackend::updateContext(quint64 requestId, const SessionContext &context)
{
    if (ready(requestId))
        answer(requestId, m_chat->updateContext(context));
}

void ConsoleBackend::listConversations(quint64 requestId)
{
    if (ready(requestId))
        answer(requestId, m_chat->listConversations());
}

void ConsoleBackend::sendMessage(quint64 requestId, const QString &text, bool toSupport)
{
    // Words for support are the teacher's own, marked as written to support (not as a press of the button).
    startTurn(requestId, text, toSupport, QStringLiteral("to_support"));
}

void ConsoleBackend::rateTicket(quint64 requestId, bool helpful, const QString &comment)
{
    if (!ready(requestId))
        return;
    const RequestResult rated = m_chat->rateTicket(helpful, comment);
    if (rated.ok())
        announce(m_chat->ticketId(), QStringLiteral("rated"));
    answer(requestId, rated);
}

void ConsoleBackend::contactSupport(quint64 requestId, const QString &description)
{
    // The conversation records the request (and the teacher's line, if any) as the teacher's.
    const QString line = description.simplified().left(200);
    startTurn(requestId,
        line.isEmpty() ? tr("I would like to contact support.") : tr("I would like to contact support: %1").arg(line),
        true, QStringLiteral("contact_support_button"));
}

void ConsoleBackend::startTurn(
    quint64 requestId, const QString &text, bool supportRequested, const QString &requestRule)
{
    runTurn(requestId, [text, supportRequested, requestRule](ChatController *chat, const ChatController::Done &done) {
        chat->send(text, supportRequested, requestRule, done);
    });
}

void ConsoleBackend::voteOnReply(quint64 requestId, const QString &replyKey, bool up)
{
    runTurn(requestId,
        [replyKey, up](ChatController *chat, const ChatController::Done &done) { chat->vote(replyKey, up, done); });
}

void ConsoleBackend::answerOffer(quint64 requestId, bool accept)
{
    runTurn(requestId,
        [accept](ChatController *chat, const ChatController::Done &done) { chat->answerOffer(accept, done); });
}

void ConsoleBackend::withdrawSignal(quint64 requestId, const QString &messageKey)
{
    if (ready(requestId))
        answer(requestId, m_chat->withdrawSignal(messageKey));
}

void ConsoleBackend::runTurn(
    quint64 requestId, const std::function<void(ChatController *, const ChatController::Done &)> &start)
{
    if (!ready(requestId))
        return;
    auto progress = connect(m_chat, &ChatController::replyDelta, this,
        [this, requestId](const QString &piece) { emit replyDelta(requestId, piece); });
    start(m_chat, [this, requestId, progress](const RequestResult &result) {
        disconnect(progress);
        answer(requestId, result);
    });
}

void ConsoleBackend::stopReply()
{
    if (m_chat)
        m_chat->stop();
}

void ConsoleBackend::listTickets(quint64 requestId, const TicketFilter &filter)
{
    if (ready(requestId))
        answer(requestId, m_tickets->list(filter));
}

void ConsoleBackend::loadTicket(quint64 requestId, const QString &ticketId)
{
    if (ready(requestId))
        answer(requestId, m_tickets->load(ticketId));
}

void ConsoleBackend::setTicketStatus(quint64 requestId, const QString &ticketId, const QString &status)
{
    if (ready(requestId))
        answer(requestId, m_tickets->setStatus(ticketId, status));
}

void ConsoleBackend::deleteTicket(quint64 requestId, const QString &ticketId)
{
    if (ready(requestId))
        answer(requestId, m_tickets->remove(ticketId));
}

void ConsoleBackend::replyToTicket(quint64 requestId, const QString &ticketId, const QString &text, bool note)
{
    if (ready(requestId))
        answer(requestId, m_tickets->reply(ticketId, text, note));
}

void ConsoleBackend::assignTicket(quint64 requestId, const QString &ticketId, bool toMe)
{
    if (ready(requestId))
        answer(requestId, m_tickets->assign(ticketId, toMe));
}

void ConsoleBackend::listCannedReplies(quint64 requestId)
{
    if (ready(requestId))
        answer(requestId, m_tickets->cannedReplies());
}

void ConsoleBackend::saveCannedReply(quint64 requestId, const QString &title, const QString &body)
{
    if (ready(requestId))
        answer(requestId, m_tickets->saveCannedReply(title, body));
}

void ConsoleBackend::removeCannedReply(quint64 requestId, const QString &title)
{
    if (ready(requestId))
        answer(requestId, m_tickets->removeCannedReply(title));
}

void ConsoleBackend::closeTicket()
{
    if (m_tickets)
        m_tickets->closeTicket();
}

void ConsoleBackend::loadMetrics(quint64 requestId, int days)
{
    if (ready(requestId))
        answer(requestId, m_admin->loadMetrics(days));
}

void ConsoleBackend::listAccounts(quint64 requestId)
{
    if (ready(requestId))
        answer(requestId, m_admin->listAccounts());
}

void ConsoleBackend::addAccount(
    quint64 requestId, const QString &email, const QString &name, Role role, const QString &password)
{
    if (ready(requestId))
        answer(requestId, m_admin->addAccount(email, name, role, password));
}

void ConsoleBackend::setAccountRole(quint64 requestId, const QString &userId, Role role)
{
    if (ready(requestId))
        answer(requestId, m_admin->setAccountRole(userId, role));
}

void ConsoleBackend::resetPassword(quint64 requestId, const QString &userId, const QString &password)
{
    if (ready(requestId))
        answer(requestId, m_admin->resetPassword(userId, password));
}

void ConsoleBackend::removeAccount(quint64 requestId, const QString &userId)
{
    if (ready(requestId))
        answer(requestId, m_admin->removeAccount(userId));
}

void ConsoleBackend::listAudit(quint64 requestId)
{
    if (ready(requestId))
        answer(requestId, m_admin->listAudit());
}

void ConsoleBackend::previewErasure(quint64 requestId, const QString &email)
{
    if (!ready(requestId))
        return;
    answer(requestId, m_privacy->previewErasure(email, reachableRedis()));
}

void ConsoleBackend::erasePerson(quint64 requestId, const QString &email)
{
    if (!ready(requestId))
        return;
    answer(requestId, m_privacy->erase(email, reachableRedis()));
    emit ticketsChanged();
}

void ConsoleBackend::exportPerson(quint64 requestId, const QString &email, const QString &directory)
{
    if (!ready(requestId))
        return;
    answer(requestId, m_privacy->exportData(email, directory, reachableRedis()));
}

void ConsoleBackend::loadSettings(quint64 requestId)
{
    if (ready(requestId))
        answer(requestId, m_admin->loadSettings());
}

void ConsoleBackend::saveSettings(quint64 requestId, const QVariantMap &values)
{
    if (!ready(requestId))
        return;
    auto config = m_admin->saveSettings(values);
    if (!config)
        return answer(requestId, RequestResult::from(config));
    // The turn in flight uses the services about to be rebuilt: it is answered first.
    m_chat->cancelTurn(tr("The settings changed while the assistant was answering: the reply was stopped. Your "
                          "message was saved; send it again for a new answer."));
    const bool redisChanged = config->redisUrl != m_ctx.services->config().redisUrl;
    if (redisChanged) {
        delete m_subscriber;
        m_subscriber = nullptr;
    }
    m_ctx.services->reconfigure(config.value());
    if (m_delivery)
        QMetaObject::invokeMethod(
            m_delivery, [delivery = m_delivery, c = config.value()] { delivery->reconfigure(c); },
            Qt::QueuedConnection);
    if (redisChanged) {
        m_redisReachable = -1;
        (void)ensureRedis();
    }
    answer(requestId, RequestResult::success());
}

} // namespace LearnPulse
