#include "ticketcontroller.h"

namespace LearnPulse {

TicketController::TicketController(ConsoleContext &context, Announce announce)
    : m_ctx(context)
    , m_announce(std::move(announce))
{
    qRegisterMetaType<TicketPage>();
    qRegisterMetaType<TicketView>();
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
    return RequestResult::success(QVariant::fromValue(TicketView {
        ticket.value(), transcript ? transcript.value() : QString(), transcript ? QString() : transcript.error() }));
}

RequestResult TicketController::setStatus(const QString &ticketId, const QString &status)
{
    const Status done = m_ctx.services->ticketStore()->setStatus(m_ctx.actor(), ticketId, status);
    if (done)
        m_announce(ticketId, QStringLiteral("status"));
    return RequestResult::from(done);
}

RequestResult TicketController::remove(const QString &ticketId)
{
    const Status done = m_ctx.services->ticketStore()->remove(m_ctx.actor(), ticketId);
    if (done)
        m_announce(ticketId, QStringLiteral("deleted"));
    return RequestResult::from(done);
}

} // namespace LearnPulse
