#include "accountstore.h"
#include "ctlcommon.h"
#include "outbox.h"
#include "roles.h"
#include "sessionstore.h"
#include "ticketstore.h"
#include "ticketthread.h"

#include <QFile>
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

// Tells the consoles (support: lp:tickets; the ticket's teacher: their own channel) that a ticket changed.
// Best effort: a console that misses it sees the change at its next look (within seconds).
void announce(Context &ctx, const TicketRecord &ticket, const QString &change)
{
    if (!ctx.config.redisUrlExplicit)
        return; // a private Redis belongs to the console of this seat, which looks by itself
    if (auto connected = ctx.services->connectRedis(); !connected) {
        fail(exitOk,
            QStringLiteral("the consoles were not told at once (%1); they see it within seconds")
                .arg(connected.error()));
        return;
    }
    SessionStore *sessions = ctx.services->sessions();
    (void)sessions->publishTicketChange(ticket.id, change);
    (void)sessions->publishUserEvent(ticket.userId, ticket.id, change);
}

// The text of a reply or note: the argument, or standard input when it is "-" or missing.
Result<QString> bodyFrom(const Invocation &inv)
{
    if (inv.positional.size() >= 2 && inv.positional.at(1) != QLatin1String("-"))
        return inv.positional.mid(1).join(QLatin1Char(' '));
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return Result<QString>::failure(QStringLiteral("cannot read standard input"));
    return QString::fromUtf8(in.readAll());
}

// Who writes: a support or admin account (--as EMAIL: its name is what the teacher sees), or the local
// administrator running the tool.
Result<Actor> writerFrom(const Invocation &inv, Context &ctx)
{
    if (!inv.isSet(QStringLiteral("as")))
        return Actor::commandLine();
    auto account = ctx.services->accounts().findByEmail(inv.value(QStringLiteral("as")));
    if (!account)
        return Result<Actor>::failure(account.error());
    if (account->role == Role::Teacher)
        return Result<Actor>::failure(
            QStringLiteral("%1 is a teacher account: replies come from support").arg(account->email));
    return account->actor();
}

int threadCommand(const QStringList &args, bool note)
{
    const QString name = note ? QStringLiteral("tickets note") : QStringLiteral("tickets reply");
    Invocation inv;
    if (auto code = parse(inv, args,
            { { QStringLiteral("as"), QStringLiteral("Write as this support or admin account."),
                QStringLiteral("EMAIL") } }))
        return *code;
    if (inv.positional.isEmpty())
        return usage(QStringLiteral("%1 takes a ticket ID and the text (or - for standard input)").arg(name));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    auto writer = writerFrom(inv, ctx.value());
    if (!writer)
        return fail(exitError, writer.error());
    auto body = bodyFrom(inv);
    if (!body)
        return fail(exitError, body.error());
    TicketThread thread(ctx->db);
    const QString id = inv.positional.constFirst();
    auto change = note ? thread.note(writer.value(), id, body.value()) : thread.reply(writer.value(), id, body.value());
    if (!change)
        return fail(exitError, change.error());
    if (!note)
        announce(ctx.value(), change->ticket, QStringLiteral("reply"));
    if (inv.json)
        printJson(change->message.toJson());
    else
        writeOut(QStringLiteral("%1: %2 %3 added\n")
                     .arg(id, note ? QStringLiteral("note") : QStringLiteral("reply"))
                     .arg(change->message.id));
    return exitOk;
}

// The thread below the transcript; internal notes marked as such (this tool acts for an administrator).
QString threadText(const QList<ThreadMessage> &messages)
{
    return TicketThread::render(messages);
}

} // namespace

int cmdTicketsReply(const QStringList &args)
{
    return threadCommand(args, false);
}

int cmdTicketsNote(const QStringList &args)
{
    return threadCommand(args, true);
}

int cmdTicketsAssign(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args, {}))
        return *code;
    if (inv.positional.size() != 2)
        return usage(QStringLiteral("tickets assign takes a ticket ID and an email (or \"none\")"));
    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    QString assigneeId;
    const QString who = inv.positional.at(1);
    if (who != QLatin1String("none")) {
        auto account = ctx->services->accounts().findByEmail(who);
        if (!account)
            return fail(exitError, account.error());
        assigneeId = account->id;
    }
    TicketThread thread(ctx->db);
    const QString id = inv.positional.constFirst();
    auto ticket = thread.assign(Actor::commandLine(), id, assigneeId);
    if (!ticket)
        return fail(exitError, ticket.error());
    announce(ctx.value(), ticket.value(), QStringLiteral("assigned"));
    if (inv.json)
        printJson({ { QStringLiteral("ticket_id"), id }, { QStringLiteral("assignee_id"), ticket->assigneeId },
            { QStringLiteral("assignee_name"), ticket->assigneeName } });
    else
        writeOut(QStringLiteral("%1: %2\n")
                     .arg(id,
                         ticket->assigneeName.isEmpty() ? QStringLiteral("unassigned")
                                                        : QStringLiteral("assigned to ") + ticket->assigneeName));
    return exitOk;
}

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
    TicketStore &store = *ctx->services->ticketStore();
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
    TicketStore &store = *ctx->services->ticketStore();
    auto ticket = store.find(Actor::commandLine(), inv.positional.constFirst());
    if (!ticket)
        return fail(exitError, ticket.error());
    auto read = store.transcript(Actor::commandLine(), ticket.value());
    if (!read)
        return fail(exitError, read.error());
    const QString transcript = read.value();
    auto messages = TicketThread(ctx->db).messages(Actor::commandLine(), ticket->id);
    if (!messages)
        return fail(exitError, messages.error());
    if (inv.json) {
        QJsonObject o = ticket->toJson();
        o.insert(QStringLiteral("transcript"), transcript);
        QJsonArray thread;
        for (const ThreadMessage &m : messages.value())
            thread.append(m.toJson());
        o.insert(QStringLiteral("thread"), thread);
        printJson(o);
    } else {
        writeOut(QStringLiteral("Status: %1\nAssignee: %2\nEmail: %3\nFile: %4\n\n%5%6")
                     .arg(ticket->status, ticket->assigneeName.isEmpty() ? QStringLiteral("-") : ticket->assigneeName,
                         ticket->emailStatus, ticket->conversationFile, transcript, threadText(messages.value())));
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
    TicketStore &store = *ctx->services->ticketStore();
    if (auto done = store.setStatus(Actor::commandLine(), id, status); !done)
        return fail(exitError, done.error());
    if (auto ticket = store.find(Actor::commandLine(), id))
        announce(ctx.value(), ticket.value(), QStringLiteral("status"));
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
    TicketStore &store = *ctx->services->ticketStore();
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
