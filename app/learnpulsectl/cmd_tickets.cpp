#include "accountstore.h"
#include "ctlcommon.h"
#include "outbox.h"
#include "roles.h"
#include "ticketstore.h"

#include <QJsonArray>

namespace LearnPulse::Ctl {

namespace {

QString ticketLine(const TicketRecord &t)
{
    return QStringLiteral("%1  %2  %3  %4  %5 signals  %6\n")
        .arg(t.id, -31)
        .arg(t.status, -11)
        .arg(t.created.toUTC().toString(Qt::ISODate), -20)
        .arg(t.teacherEmail)
        .arg(t.signalCount)
        .arg(t.summary);
}

} // namespace

int cmdOutboxList(const QStringList &args)
{
    Invocation inv;
    std::optional<Context> ctx;
    if (auto code = openWithoutArguments(inv, args, QStringLiteral("outbox list"), ctx))
        return *code;
    Outbox outbox(ctx->db, ctx->config);
    auto entries = outbox.list();
    if (!entries)
        return fail(exitError, entries.error());
    for (const OutboxEntry &e : entries.value()) {
        if (inv.json)
            printJson(e.toJson());
        else
            writeOut(QStringLiteral("%1  %2  %3  %4  tries %5%6%7\n")
                         .arg(e.id)
                         .arg(e.kind, -7)
                         .arg(e.ticketId, -31)
                         .arg(e.state, -7)
                         .arg(e.tries)
                         .arg(e.state == QLatin1String("pending")
                                 ? QStringLiteral("  next ") + Outbox::timestamp(e.nextAttempt)
                                 : QString())
                         .arg(e.lastError.isEmpty() ? QString() : QStringLiteral("  last error: ") + e.lastError));
    }
    return exitOk;
}

int cmdOutboxRetry(const QStringList &args)
{
    Invocation inv;
    std::optional<Context> ctx;
    if (auto code = openWithoutArguments(inv, args, QStringLiteral("outbox retry"), ctx))
        return *code;
    Outbox outbox(ctx->db, ctx->config);
    auto reset = outbox.retryAll();
    if (!reset)
        return fail(exitError, reset.error());
    const Outbox::Report report = outbox.deliverDue(1000);
    if (inv.json)
        printJson({ { QStringLiteral("attempted"), report.attempted }, { QStringLiteral("sent"), report.sent },
            { QStringLiteral("failed"), report.failed } });
    else
        writeOut(QStringLiteral("attempted %1, sent %2, failed %3\n")
                     .arg(report.attempted)
                     .arg(report.sent)
                     .arg(report.failed));
    if (report.failed > 0)
        return fail(exitError, report.errors.join(QLatin1String("; ")));
    return exitOk;
}

int cmdTicketsList(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
            { { QStringLiteral("user"), QStringLiteral("Only this teacher's tickets."), QStringLiteral("EMAIL") },
                { QStringLiteral("search"), QStringLiteral("Words in the transcript."), QStringLiteral("QUERY") },
                { QStringLiteral("status"), QStringLiteral("Only this status."), QStringLiteral("S") } }))
        return *code;
    if (!inv.positional.isEmpty())
        return usage(QStringLiteral("tickets list takes no arguments"));
    if (inv.isSet(QStringLiteral("status")) && !TicketStore::isValidStatus(inv.value(QStringLiteral("status"))))
        return usage(QStringLiteral("--status must be one of open, in_progress, resolved"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    TicketStore store(ctx->db);
    TicketFilter filter;
    filter.teacherEmail = inv.value(QStringLiteral("user"));
    filter.search = inv.value(QStringLiteral("search"));
    filter.status = inv.value(QStringLiteral("status"));
    if (inv.isSet(QStringLiteral("search")) && filter.search.trimmed().isEmpty())
        return usage(QStringLiteral("--search needs words to look for"));
    auto rows = store.list(Actor::commandLine(), filter);
    if (!rows)
        return fail(exitError, rows.error());
    for (const TicketRecord &t : rows.value()) {
        if (inv.json)
            printJson(t.toJson());
        else
            writeOut(ticketLine(t));
    }
    return exitOk;
}

int cmdTicketsShow(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args, {}))
        return *code;
    if (inv.positional.size() != 1)
        return usage(QStringLiteral("tickets show takes one ticket ID"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    TicketStore store(ctx->db);
    auto ticket = store.find(Actor::commandLine(), inv.positional.constFirst());
    if (!ticket)
        return fail(exitError, ticket.error());
    auto read = store.transcript(Actor::commandLine(), ticket.value());
    if (!read)
        return fail(exitError, read.error());
    const QString transcript = read.value();
    if (inv.json) {
        QJsonObject o = ticket->toJson();
        o.insert(QStringLiteral("transcript"), transcript);
        printJson(o);
    } else {
        writeOut(QStringLiteral("Status: %1\nEmail: %2\nFile: %3\n\n%4")
                     .arg(ticket->status, ticket->emailStatus, ticket->conversationFile, transcript));
    }
    return exitOk;
}

int cmdTicketsStatus(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args, {}))
        return *code;
    if (inv.positional.size() != 2)
        return usage(QStringLiteral("tickets status takes a ticket ID and a status"));
    const QString id = inv.positional.at(0);
    const QString status = inv.positional.at(1);
    if (!TicketStore::isValidStatus(status))
        return usage(QStringLiteral("the status must be one of open, in_progress, resolved"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    TicketStore store(ctx->db);
    if (auto done = store.setStatus(Actor::commandLine(), id, status); !done)
        return fail(exitError, done.error());
    if (inv.json)
        printJson({ { QStringLiteral("ticket_id"), id }, { QStringLiteral("status"), status } });
    else
        writeOut(QStringLiteral("%1: %2\n").arg(id, status));
    return exitOk;
}

int cmdTicketsDelete(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args, { { QStringLiteral("yes"), QStringLiteral("Confirm the deletion.") } }))
        return *code;
    if (inv.positional.size() != 1)
        return usage(QStringLiteral("tickets delete takes one ticket ID"));
    if (!inv.isSet(QStringLiteral("yes")))
        return usage(QStringLiteral("deleting a ticket cannot be undone: add --yes to confirm"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    TicketStore store(ctx->db);
    const QString id = inv.positional.constFirst();
    if (auto done = store.remove(Actor::commandLine(), id); !done)
        return fail(exitError, done.error());
    if (inv.json)
        printJson({ { QStringLiteral("ticket_id"), id }, { QStringLiteral("deleted"), true } });
    else
        writeOut(QStringLiteral("%1: deleted\n").arg(id));
    return exitOk;
}

} // namespace LearnPulse::Ctl
