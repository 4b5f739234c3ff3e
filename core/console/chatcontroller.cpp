#include "chatcontroller.h"

#include "logging.h"
#include "redisclient.h"

namespace LearnPulse {

ChatController::ChatController(ConsoleContext &context, std::function<Status()> ensureRedis, QObject *parent)
    : QObject(parent)
    , m_ctx(context)
    , m_ensureRedis(std::move(ensureRedis))
{
    qRegisterMetaType<ConversationData>();
    qRegisterMetaType<TicketUpdate>();
    qRegisterMetaType<WithdrawOutcome>();
}

ChatController::~ChatController()
{
    cancelTurn(QStringLiteral("The console is closing."));
}

RequestResult ChatController::listConversations()
{
    if (!m_ctx.signedIn)
        return RequestResult::failure(tr("Sign in first."), ErrorKind::Forbidden);
    const QString away = tr("The conversation server cannot be reached, so past conversations cannot be listed now. "
                            "Try again once the connection is back.");
    if (auto redis = m_ensureRedis(); !redis)
        return RequestResult::failure(away, ErrorKind::Unavailable);
    SessionStore &sessions = *m_ctx.services->sessions();
    auto ids = sessions.sessionsOfUser(m_ctx.account.id);
    if (!ids && ids.kind() == ErrorKind::Unavailable) {
        qCWarning(lcChat).noquote() << QStringLiteral("Cannot list conversations: ") + ids.error();
        return RequestResult::failure(away, ErrorKind::Unavailable);
    }
    if (!ids)
        return RequestResult::from(ids);
    // The states (small hashes) decide the order; only the newest conversations' histories are read for
    // their first message.
    constexpr qsizetype shown = 100;
    QList<ConversationSummary> out;
    for (const QString &id : std::as_const(ids.value())) {
        auto state = sessions.state(id);
        if (!state || state->context.userId != m_ctx.account.id)
            continue; // expired, or not this teacher's (a list entry is not trusted)
        out << ConversationSummary { id, state->updated.isValid() ? state->updated : state->created,
            state->context.classId, {}, state->ticketId };
    }
    std::sort(out.begin(), out.end(), [](const ConversationSummary &a, const ConversationSummary &b) {
        return a.updated != b.updated ? a.updated > b.updated : a.sessionId < b.sessionId;
    });
    if (out.size() > shown)
        out.resize(shown);
    for (ConversationSummary &c : out) {
        auto history = sessions.history(c.sessionId);
        if (!history)
            continue;
        for (const HistoryEntry &e : std::as_const(history.value()))
            if (e.role == QLatin1String("teacher")) {
                c.firstMessage = e.content.simplified();
                if (c.firstMessage.size() > 100)
                    c.firstMessage = c.firstMessage.left(99) + QChar(0x2026);
                break;
            }
    }
    return RequestResult::success(QVariant::fromValue(out));
}

RequestResult ChatController::openConversation(const QString &sessionId, const SessionContext &context, bool forceNew)
{
    if (!m_ctx.signedIn)
        return RequestResult::failure(tr("Sign in first."), ErrorKind::Forbidden);
    const QString away = tr("Redis is not available, so the conversation cannot be opened now.");
    if (auto redis = m_ensureRedis(); !redis)
        return RequestResult::failure(away, ErrorKind::Unavailable);
    // A connection that fails on the way is said the same way (the server's words go to the log).
    auto failed = [&away](const auto &result) {
        if (result.kind() != ErrorKind::Unavailable)
            return RequestResult::from(result);
        qCWarning(lcChat).noquote() << QStringLiteral("Cannot open a conversation: ") + result.error();
        return RequestResult::failure(away, ErrorKind::Unavailable);
    };
    SessionStore &sessions = *m_ctx.services->sessions();
    const Account &me = m_ctx.account;
    QString id = sessionId;
    if (id.isEmpty() && !forceNew) {
        auto last = sessions.lastSession(me.id);
        if (last && !last->isEmpty()) {
            auto state = sessions.state(last.value());
            if (state && state->context.userId == me.id)
                id = last.value();
        }
    }
    if (id.isEmpty()) {
        SessionContext c = context;
        c.userId = me.id;
        c.teacherEmail = me.email;
        auto created = sessions.createSession(c);
        if (!created)
            return failed(created);
        id = created.value();
    }
    auto state = sessions.state(id);
    if (!state)
        return failed(state);
    auto history = sessions.history(id);
    if (!history)
        return failed(history);
    if (state->context.userId != me.id)
        return RequestResult::failure(tr("This conversation belongs to another user."), ErrorKind::Forbidden);
    // A reply still running belongs to the conversation being left: it is answered (stopped) now that the
    // other one is known to open, not before (a conversation that cannot open leaves the reply running).
    if (m_turn) {
        cancelTurn(tr("Another conversation was opened: the reply was stopped. Your message was saved."));
        if (id == m_sessionId)
            if (auto again = sessions.history(id))
                history = again; // with what the stopped reply had said
    }
    m_sessionId = id;
    m_ticket = {};
    m_lastThreadId = 0;
    if (auto remembered = sessions.setLastSession(me.id, id); !remembered)
        qCWarning(lcChat).noquote() << QStringLiteral("Cannot remember the last conversation: ") + remembered.error();
    ConversationData data { state.value(), history.value(), {} };
    if (!state->ticketId.isEmpty()) {
        // Support's replies so far go into the conversation; a ticket that cannot be read now (the index is
        // away) leaves the conversation usable, and the next look tries again.
        if (auto ticket = lookAtTicket(state->ticketId, 0))
            data.ticket = ticket.value();
        else
            qCWarning(lcChat).noquote()
                << QStringLiteral("Cannot read ticket %1: %2").arg(state->ticketId, ticket.error());
    }
    return RequestResult::success(QVariant::fromValue(data));
}

Result<TicketUpdate> ChatController::lookAtTicket(const QString &ticketId, qint64 afterId)
{
    const Actor me = m_ctx.actor();
    auto ticket = m_ctx.services->ticketStore()->find(me, ticketId);
    if (!ticket)
        return Result<TicketUpdate>::failure(ticket.error());
    TicketThread thread(m_ctx.services->database());
    auto messages = thread.messages(me, ticketId, afterId);
    if (!messages)
        return Result<TicketUpdate>::failure(messages.error());
    TicketUpdate update { m_sessionId, ticket.value(), {}, 0 };
    for (const ThreadMessage &m : messages.value()) {
        if (m.kind == QLatin1String("support")) {
            update.replies.append(m);
            if (m.id > ticket->teacherRead)
                ++update.unread;
        }
        m_lastThreadId = qMax(m_lastThreadId, m.id);
    }
    m_ticket = ticket.value();
    if (m_lastThreadId > ticket->teacherRead)
        if (auto read = thread.markRead(me, ticketId, m_lastThreadId); !read)
            qCWarning(lcChat).noquote() << QStringLiteral("Cannot mark replies read: ") + read.error();
    return update;
}

bool ChatController::refreshTicket(TicketUpdate *update)
{
    if (!m_ctx.signedIn || m_sessionId.isEmpty() || m_ticket.id.isEmpty() || m_turn)
        return false;
    const TicketRecord before = m_ticket;
    auto looked = lookAtTicket(before.id, m_lastThreadId);
    if (!looked)
        return false; // the next look tries again
    if (looked->replies.isEmpty() && looked->ticket.status == before.status && looked->ticket.rating == before.rating)
        return false;
    *update = looked.value();
    return true;
}

RequestResult ChatController::rateTicket(bool helpful, const QString &comment)
{
    if (m_ticket.id.isEmpty())
        return RequestResult::failure(tr("This conversation has no support ticket to rate."), ErrorKind::BadInput);
    const Status rated = TicketThread(m_ctx.services->database()).rate(m_ctx.actor(), m_ticket.id, helpful, comment);
    if (!rated)
        return RequestResult::from(rated);
    auto ticket = m_ctx.services->ticketStore()->find(m_ctx.actor(), m_ticket.id);
    if (!ticket)
        return RequestResult::from(ticket);
    m_ticket = ticket.value();
    return RequestResult::success(QVariant::fromValue(ticket.value()));
}

RequestResult ChatController::updateContext(const SessionContext &context)
{
    if (m_sessionId.isEmpty())
        return RequestResult::failure(tr("No conversation is open."), ErrorKind::BadInput);
    if (auto redis = m_ensureRedis(); !redis)
        return RequestResult::from(redis);
    return RequestResult::from(m_ctx.services->sessions()->setContext(m_sessionId, context));
}

void ChatController::send(const QString &text, bool supportRequested, const QString &requestRule, Done done)
{
    run(
        [this, text, supportRequested, requestRule](ChatEngine &chat) {
            return supportRequested ? chat.send(m_ctx.account, m_sessionId, text, true, requestRule)
                                    : chat.send(m_ctx.account, m_sessionId, text);
        },
        std::move(done));
}

void ChatController::vote(const QString &replyKey, bool up, Done done)
{
    run([this, replyKey, up](ChatEngine &chat) { return chat.vote(m_ctx.account, m_sessionId, replyKey, up); },
        std::move(done));
}

void ChatController::answerOffer(bool accept, Done done)
{
    run([this, accept](ChatEngine &chat) { return chat.answerOffer(m_ctx.account, m_sessionId, accept); },
        std::move(done));
}

RequestResult ChatController::withdrawSignal(const QString &messageKey)
{
    if (!m_ctx.signedIn || m_sessionId.isEmpty())
        return RequestResult::failure(tr("Open a conversation first."), ErrorKind::BadInput);
    if (auto redis = m_ensureRedis(); !redis)
        return RequestResult::from(redis);
    auto withdrawn = m_ctx.services->escalation()->withdrawSignal(m_ctx.account, m_sessionId, messageKey);
    if (!withdrawn)
        return RequestResult::failure(withdrawn.error(), withdrawn.kind());
    return RequestResult::success(QVariant::fromValue(withdrawn.value()));
}

void ChatController::run(const std::function<ChatTurn *(ChatEngine &)> &start, Done done)
{
    auto refuse = [&done](const QString &error, ErrorKind kind) {
        ChatTurnResult r;
        r.status = ChatTurnResult::Status::Failed;
        r.error = error;
        RequestResult answer = RequestResult::failure(error, kind);
        answer.value = QVariant::fromValue(r);
        done(answer);
    };
    if (!m_ctx.signedIn || m_sessionId.isEmpty())
        return refuse(tr("Open a conversation first."), ErrorKind::BadInput);
    if (m_turn)
        return refuse(tr("Wait for the current reply, or stop it, before sending again."), ErrorKind::BadInput);
    ChatEngine *chat = m_ensureRedis() ? m_ctx.services->chat() : nullptr;
    if (!chat)
        return refuse(tr("The conversation server cannot be reached: your message was not sent. It stays in the "
                         "box; send it again once the connection is back."),
            ErrorKind::Unavailable);
    m_done = std::move(done);
    m_turn = start(*chat);
    connect(m_turn, &ChatTurn::replyDelta, this, &ChatController::replyDelta);
    connect(m_turn, &ChatTurn::finished, this, &ChatController::onTurnFinished);
}

void ChatController::onTurnFinished(const ChatTurnResult &r)
{
    m_turn = nullptr;
    Done done = std::exchange(m_done, {});
    if (r.offline)
        emit redisReachable(false);
    else if (r.recorded)
        emit redisReachable(true);
    else if (r.status == ChatTurnResult::Status::Failed && m_ctx.services && m_ctx.services->redisClient()
        && !m_ctx.services->redisClient()->isConnected())
        emit redisReachable(false); // the client reconnects by itself; the watch reports when it is back
    if (r.status == ChatTurnResult::Status::Answered)
        emit assistantReachable(true, tr("Assistant ready"));
    else if (r.status == ChatTurnResult::Status::AssistantFailed && r.llmError != LlmError::Kind::Cancelled)
        emit assistantReachable(false, tr("Assistant unavailable"));
    if (!r.ticketId.isEmpty() && m_ticket.id != r.ticketId) {
        // The conversation has a ticket now: from here on its replies and status come into the conversation.
        if (auto ticket = m_ctx.services->ticketStore()->find(m_ctx.actor(), r.ticketId))
            m_ticket = ticket.value();
    }
    if (done)
        done(RequestResult::success(QVariant::fromValue(r)));
    if (r.status == ChatTurnResult::Status::Escalated)
        emit escalated();
}

void ChatController::stop()
{
    if (m_turn)
        m_turn->cancel();
}

void ChatController::cancelTurn(const QString &reason)
{
    if (m_turn)
        m_turn->cancel(reason); // answers through onTurnFinished() before this returns
}

void ChatController::signOut()
{
    cancelTurn(tr("Signed out: the reply was stopped."));
    m_sessionId.clear();
    m_ticket = {};
    m_lastThreadId = 0;
}

} // namespace LearnPulse
