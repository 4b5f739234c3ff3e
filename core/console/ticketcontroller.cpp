#include "ticketcontroller.h"

#include "logging.h"
#include "redisclient.h"
#include "sessionstore.h"

namespace LearnPulse {

TicketController::TicketController(ConsoleContext &context, Announce announce)
    : m_ctx(context)
    , m_announce(std::move(announce))
{
    qRegisterMetaType<TicketPage>();
    qRegisterMetaType<TicketView>();
    qRegisterMetaType<CannedReply>();
    qRegisterMetaType<QList<CannedReply>>();
}

SessionStore *TicketController::sessions() const
{
    // Only when Redis is there now: presence is a courtesy and never waits for a reconnect.
    Services *services = m_ctx.services.get();
    return services && services->hasRedis() && services->redisClient()->isConnected() ? services->sessions() : nullptr;
}

RequestResult TicketController::list(const TicketFilter &filter)
{
    TicketStore &store = *m_ctx.services->ticketStore();
    if (filter.offset > 0) {
        auto rows = store.list(m_ctx.actor(), filter);
        return rows ? RequestResult::success(QVariant::fromValue(TicketPage { rows.value(), -1 }))
                    : RequestResult::from(rows);
    }
    auto page = store.listWithTotal(m_ctx.actor(), filter);
    if (!page)
        return RequestResult::from(page);
    return RequestResult::success(QVariant::fromValue(TicketPage { page->first, page->second }));
}

RequestResult TicketController::load(const QString &ticketId)
{
    TicketStore &store = *m_ctx.services->ticketStore();
    auto ticket = store.find(m_ctx.actor(), ticketId);
    if (!ticket)
        return RequestResult::from(ticket);
    auto transcript = store.transcript(m_ctx.actor(), ticket.value());
    TicketView view { ticket.value(), transcript ? transcript.value() : QString(),
        transcript ? QString() : transcript.error(), {}, {} };
    auto thread = TicketThread(m_ctx.services->database()).messages(m_ctx.actor(), ticketId);
    if (!thread)
        return RequestResult::from(thread);
    view.thread = thread.value();
    if (m_viewing != ticketId)
        closeTicket();
    m_viewing = ticketId;
    if (SessionStore *s = sessions()) {
        (void)s->markViewing(ticketId, m_ctx.account.id, m_ctx.account.displayName);
        if (auto others = s->viewers(ticketId, m_ctx.account.id))
            view.otherViewers = others.value();
    }
    m_viewers = view.otherViewers;
    return RequestResult::success(QVariant::fromValue(view));
}

RequestResult TicketController::reply(const QString &ticketId, const QString &text, bool note)
{
    TicketThread thread(m_ctx.services->database());
    auto change = note ? thread.note(m_ctx.actor(), ticketId, text) : thread.reply(m_ctx.actor(), ticketId, text);
    if (!change)
        return RequestResult::from(change);
    m_announce(
        ticketId, note ? QStringLiteral("note") : QStringLiteral("reply"), note ? QString() : change->ticket.userId);
    return load(ticketId);
}

RequestResult TicketController::assign(const QString &ticketId, bool toMe)
{
    auto ticket
        = TicketThread(m_ctx.services->database()).assign(m_ctx.actor(), ticketId, toMe ? m_ctx.account.id : QString());
    if (!ticket)
        return RequestResult::from(ticket);
    m_announce(ticketId, QStringLiteral("assigned"), QString());
    return RequestResult::success(QVariant::fromValue(ticket.value()));
}

RequestResult TicketController::cannedReplies()
{
    auto list = TicketThread(m_ctx.services->database()).cannedReplies(m_ctx.actor());
    return list ? RequestResult::success(QVariant::fromValue(list.value())) : RequestResult::from(list);
}

RequestResult TicketController::saveCannedReply(const QString &title, const QString &body)
{
    const Status saved = TicketThread(m_ctx.services->database()).saveCannedReply(m_ctx.actor(), title, body);
    return saved ? cannedReplies() : RequestResult::from(saved);
}

RequestResult TicketController::removeCannedReply(const QString &title)
{
    const Status removed = TicketThread(m_ctx.services->database()).removeCannedReply(m_ctx.actor(), title);
    return removed ? cannedReplies() : RequestResult::from(removed);
}

void TicketController::closeTicket()
{
    if (!m_viewing.isEmpty())
        if (SessionStore *s = sessions())
            (void)s->stopViewing(m_viewing, m_ctx.account.id, m_ctx.account.displayName);
    m_viewing.clear();
    m_viewers.clear();
}

bool TicketController::refreshPresence(QString *ticketId, QStringList *viewers)
{
    SessionStore *s = sessions();
    if (m_viewing.isEmpty() || !s)
        return false;
    (void)s->markViewing(m_viewing, m_ctx.account.id, m_ctx.account.displayName);
    auto others = s->viewers(m_viewing, m_ctx.account.id);
    if (!others || others.value() == m_viewers)
        return false;
    m_viewers = others.value();
    *ticketId = m_viewing;
    *viewers = m_viewers;
    return true;
}

RequestResult TicketController::setStatus(const QString &ticketId, const QString &status)
{
    TicketStore &store = *m_ctx.services->ticketStore();
    const Status done = store.setStatus(m_ctx.actor(), ticketId, status);
    if (done) {
        auto ticket = store.find(m_ctx.actor(), ticketId);
        m_announce(ticketId, QStringLiteral("status"), ticket ? ticket->userId : QString());
    }
    return RequestResult::from(done);
}

RequestResult TicketController::remove(const QString &ticketId)
{
    const Status done = m_ctx.services->ticketStore()->remove(m_ctx.actor(), ticketId);
    if (done)
        m_announce(ticketId, QStringLiteral("deleted"), QString());
    return RequestResult::from(done);
}

} // namespace LearnPulse
