#include "accountstore.h"
#include "chatengine.h"
#include "ctlcommon.h"
#include "detector.h"
#include "messagevalidator.h"
#include "outbox.h"
#include "sessionstore.h"
#include "ticketthread.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QStringDecoder>

#include <cstdio>

namespace LearnPulse::Ctl {

namespace {

QJsonObject detectionJson(const QString &text, const Detection &d, bool explain)
{
    QJsonObject o { { QStringLiteral("text"), text }, { QStringLiteral("dissatisfied"), d.dissatisfied },
        { QStringLiteral("explicit_request"), d.explicitRequest },
        { QStringLiteral("rules"), QJsonArray::fromStringList(d.rules) } };
    if (explain) {
        QJsonArray why;
        for (qsizetype i = 0; i < d.rules.size(); ++i)
            why.append(QJsonObject { { QStringLiteral("rule"), d.rules.at(i) },
                { QStringLiteral("phrase"), d.phrases.value(i) },
                { QStringLiteral("meaning"), Detection::ruleInWords(d.rules.at(i)) } });
        o.insert(QStringLiteral("explanation"), why);
    }
    return o;
}

} // namespace

int cmdDetect(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
            { { QStringLiteral("explain"),
                QStringLiteral("Also print the words each rule matched, and what it means.") } }))
        return *code;
    const bool explain = inv.isSet(QStringLiteral("explain"));
    auto ctx = openContext(inv, false);
    if (!ctx)
        return fail(exitError, ctx.error());

    // The same rules as every conversation (Services): a broken admin file is reported, not fatal.
    const Services::Rules rules = Services::loadRules(ctx->config);
    if (!rules.warning.isEmpty())
        fail(exitOk, rules.warning);
    const Detector &detector = *rules.detector;

    auto report = [&](const QString &text) {
        const Detection d = detector.detect(text);
        if (inv.json) {
            printJson(detectionJson(text, d, explain));
        } else {
            writeOut(QStringLiteral("%1\t%2\t%3\t%4\n")
                         .arg(d.dissatisfied ? QStringLiteral("dissatisfied") : QStringLiteral("ok"),
                             d.explicitRequest ? QStringLiteral("explicit") : QStringLiteral("-"),
                             d.rules.isEmpty() ? QStringLiteral("-") : d.rules.join(QLatin1Char(',')), text));
            if (explain)
                for (qsizetype i = 0; i < d.rules.size(); ++i)
                    writeOut(QStringLiteral("  %1: \"%2\" (%3)\n")
                                 .arg(d.rules.at(i), d.phrases.value(i), Detection::ruleInWords(d.rules.at(i))));
        }
    };

    if (!inv.positional.isEmpty()) {
        for (const QString &text : inv.positional)
            report(text);
        return exitOk;
    }

    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return fail(exitError, QStringLiteral("cannot read standard input"));
    int status = exitOk;
    int lineNumber = 0;
    for (;;) {
        QByteArray line = in.readLine();
        if (line.isEmpty() && in.atEnd())
            break;
        ++lineNumber;
        if (line.endsWith('\n'))
            line.chop(1);
        if (line.endsWith('\r'))
            line.chop(1);
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = decoder.decode(line);
        if (decoder.hasError()) {
            // Keep one result per input line, so that results still line up with the input.
            const QString error = QStringLiteral("line %1 is not valid UTF-8").arg(lineNumber);
            if (inv.json)
                printJson({ { QStringLiteral("text"), QJsonValue() }, { QStringLiteral("error"), error } });
            else
                writeOut(QStringLiteral("error\t-\t-\t%1\n").arg(error));
            status = exitError;
            continue;
        }
        report(text);
    }
    std::fflush(stdout);
    if (status != exitOk)
        return fail(status, QStringLiteral("some input lines were not valid UTF-8"));
    return status;
}

int cmdChat(const QStringList &args)
{
    Invocation inv;
    if (auto code = parse(inv, args,
            { { QStringLiteral("user"), QStringLiteral("The teacher's email."), QStringLiteral("EMAIL") },
                { QStringLiteral("session"), QStringLiteral("Continue this conversation."), QStringLiteral("ID") },
                { QStringLiteral("class"), QStringLiteral("Class of a new conversation."), QStringLiteral("C") },
                { QStringLiteral("student"), QStringLiteral("Student of a new conversation."), QStringLiteral("S") },
                { QStringLiteral("scope"), QStringLiteral("Scope of a new conversation."), QStringLiteral("X") },
                { QStringLiteral("to-support"),
                    QStringLiteral(
                        "Write to support: opens the ticket, or adds to it; the assistant is not asked.") } }))
        return *code;
    if (!inv.isSet(QStringLiteral("user")))
        return usage(QStringLiteral("chat needs --user EMAIL"));
    if (inv.positional.isEmpty())
        return usage(QStringLiteral("chat needs the message TEXT"));
    const QString text = inv.positional.join(QLatin1Char(' '));
    const QString sessionOption = inv.value(QStringLiteral("session"));
    if (inv.isSet(QStringLiteral("session")) && !MessageValidator::isValidSessionId(sessionOption))
        return usage(MessageValidator::checkSessionId(sessionOption).error());

    auto ctx = openContext(inv, true);
    if (!ctx)
        return fail(exitError, ctx.error());
    Services &services = *ctx->services;
    auto teacher = services.accounts().findByEmail(inv.value(QStringLiteral("user")));
    if (!teacher)
        return fail(exitError, teacher.error() + QStringLiteral(" Add it with: learnpulsectl users add"));
    if (auto redis = services.connectRedis(); !redis)
        return fail(exitError, redis.error());
    if (!services.rulesWarning().isEmpty())
        fail(exitOk, services.rulesWarning());

    SessionStore &sessions = *services.sessions();
    QString sessionId = sessionOption;
    if (sessionId.isEmpty()) {
        auto created = sessions.createSession({ teacher->id, teacher->email, inv.value(QStringLiteral("student")),
            inv.value(QStringLiteral("class")), inv.value(QStringLiteral("scope")) });
        if (!created)
            return fail(exitError, created.error());
        sessionId = created.value();
    }
    ChatEngine &engine = *services.chat();

    ChatTurnResult result;
    QEventLoop loop;
    ChatTurn *turn = engine.send(teacher.value(), sessionId, text, inv.isSet(QStringLiteral("to-support")));
    bool streamed = false;
    if (!inv.json)
        QObject::connect(turn, &ChatTurn::replyDelta, &loop, [&streamed](const QString &piece) {
            writeOut(piece);
            std::fflush(stdout);
            streamed = true;
        });
    QObject::connect(turn, &ChatTurn::finished, &loop, [&](const ChatTurnResult &r) {
        result = r;
        loop.quit();
    });
    loop.exec();

    // A ticket made from the shell is mailed without a console running: one delivery attempt now.
    if (result.status == ChatTurnResult::Status::Escalated) {
        const Outbox::Report report = services.outbox().deliverDue(10, result.ticketId);
        for (const QString &error : report.errors)
            fail(exitOk, QStringLiteral("delivery will be retried: ") + error);
    }

    // Support replies the teacher has not seen yet (since their last message, or since the console showed
    // them); from now on they count as seen.
    QList<ThreadMessage> replies;
    if (!result.ticketId.isEmpty()) {
        TicketThread thread(ctx->db);
        const Actor me = teacher->actor();
        if (auto ticket = ctx->services->ticketStore()->find(me, result.ticketId)) {
            if (auto messages = thread.messages(me, result.ticketId, ticket->teacherRead)) {
                for (const ThreadMessage &m : messages.value())
                    if (m.kind == QLatin1String("support"))
                        replies.append(m);
                if (!messages->isEmpty())
                    (void)thread.markRead(me, result.ticketId, messages->constLast().id);
            }
        }
    }

    if (inv.json) {
        QJsonObject o = result.toJson();
        QJsonArray supportReplies;
        for (const ThreadMessage &m : std::as_const(replies))
            supportReplies.append(QJsonObject { { QStringLiteral("time"), m.time.toUTC().toString(Qt::ISODate) },
                { QStringLiteral("author"), m.authorName }, { QStringLiteral("text"), m.body } });
        o.insert(QStringLiteral("support_replies"), supportReplies);
        printJson(o);
    } else {
        for (const ThreadMessage &m : std::as_const(replies))
            writeOut(QStringLiteral("[%1] %2\n%3\n").arg(m.time.toUTC().toString(Qt::ISODate), m.speaker(), m.body));
        if (streamed)
            writeOut(QStringLiteral("\n"));
        writeOut(
            QStringLiteral("[session %1%2]\n")
                .arg(result.sessionId,
                    result.ticketId.isEmpty() ? QString() : QStringLiteral(", support ticket ") + result.ticketId));
    }
    if (!result.ok())
        return fail(exitError, result.error);
    return exitOk;
}

} // namespace LearnPulse::Ctl
