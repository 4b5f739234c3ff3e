#include "accountstore.h"
#include "chatengine.h"
#include "ctlcommon.h"
#include "database.h"
#include "detector.h"
#include "messageclassifier.h"
#include "messagevalidator.h"
#include "outbox.h"
#include "sessionstore.h"
#include "textmodel.h"
#include "ticketthread.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QStringDecoder>

#include <cstdio>

namespace LearnPulse::Ctl {

namespace {

QJsonObject detectionJson(const QString &text, const Detection &d, bool explain)
{
    QJsonObject o { { QStringLiteral("text"), text }, { QStringLiteral("dissatisfied"), d.dissatisfied },
        { QStringLiteral("explicit_request"), d.explicitRequest }, { QStringLiteral("vague_request"), d.vagueRequest },
        { QStringLiteral("rules"), QJsonArray::fromStringList(d.rules) } };
    if (d.modelScore >= 0) {
        o.insert(QStringLiteral("model_score"), d.modelScore);
        o.insert(QStringLiteral("model_label"), d.modelLabel);
        o.insert(QStringLiteral("correction"), d.correction);
    }
    if (explain && !d.overruled.isEmpty())
        o.insert(QStringLiteral("overruled_rules"), QJsonArray::fromStringList(d.overruled));
    if (explain) {
        QJsonArray why;
        for (qsizetype i = 0; i < d.rules.size(); ++i)
            why.append(QJsonObject { { QStringLiteral("rule"), d.rules.at(i) },
                { QStringLiteral("phrase"), d.phrases.value(i) },
                { QStringLiteral("meaning"), Detection::ruleInWords(d.rules.at(i)) } });
        o.insert(QStringLiteral("explanation"), why);
        if (d.vagueRequest)
            o.insert(QStringLiteral("offer_phrase"), d.vaguePhrase);
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

    // The same detector as every conversation (Services: the rules and the trained model): a broken admin file
    // or a missing or damaged model is reported once, not fatal.
    const Services::Classifier loaded = Services::loadClassifier(ctx->config);
    if (!loaded.warning.isEmpty())
        fail(exitOk, loaded.warning);
    const MessageClassifier &detector = *loaded.classifier;

    auto report = [&](const QString &text) {
        const Detection d = detector.classify(text, true, explain);
        if (inv.json) {
            QJsonObject o = detectionJson(text, d, explain);
            if (explain && detector.model()) { // what the model read, label by label
                QJsonObject probabilities;
                const QHash<QString, float> p = detector.model()->predict(text);
                for (auto it = p.cbegin(); it != p.cend(); ++it)
                    probabilities.insert(it.key(), double(it.value()));
                o.insert(QStringLiteral("model_probabilities"), probabilities);
            }
            printJson(o);
        } else {
            writeOut(QStringLiteral("%1\t%2\t%3\t%4\n")
                         .arg(d.dissatisfied ? QStringLiteral("dissatisfied") : QStringLiteral("ok"),
                             d.explicitRequest    ? QStringLiteral("explicit")
                                 : d.vagueRequest ? QStringLiteral("offer")
                                                  : QStringLiteral("-"),
                             d.rules.isEmpty() ? QStringLiteral("-") : d.rules.join(QLatin1Char(',')), text));
            if (explain)
                for (qsizetype i = 0; i < d.rules.size(); ++i)
                    writeOut(QStringLiteral("  %1: \"%2\" (%3)\n")
                                 .arg(d.rules.at(i), d.phrases.value(i), Detection::ruleInWords(d.rules.at(i))));
            if (explain && d.modelScore >= 0)
                writeOut(QStringLiteral("  model: %1 (%2), %3\n")
                             .arg(d.modelScore >= detector.policy().threshold ? QStringLiteral("counts")
                                                                              : QStringLiteral("does not count"),
                                 QString::number(d.modelScore, 'f', 2), d.modelLabel));
            if (explain && !d.overruled.isEmpty())
                writeOut(QStringLiteral("  overruled by the model (it reads the message as about something else): %1\n")
                             .arg(d.overruled.join(QLatin1String(", "))));
            if (explain && d.vagueRequest)
                writeOut(QStringLiteral("  offer: \"%1\" (asked vaguely for a person: a ticket is offered once)\n")
                             .arg(d.vaguePhrase));
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
                    QStringLiteral("Write to support: opens the ticket, or adds to it; the assistant is not asked.") },
                { QStringLiteral("feedback"),
                    QStringLiteral("Rate the assistant's newest reply (or --reply TS): up or down."),
                    QStringLiteral("up|down") },
                { QStringLiteral("reply"), QStringLiteral("The reply to rate, by its reply_ts."),
                    QStringLiteral("TS") },
                { QStringLiteral("withdraw"),
                    QStringLiteral("Say the newest message that counted (or --message TS) was not a complaint.") },
                { QStringLiteral("message"), QStringLiteral("The message to withdraw, by its message_ts."),
                    QStringLiteral("TS") },
                { QStringLiteral("offer"), QStringLiteral("Answer the offer of a support ticket: yes or no."),
                    QStringLiteral("yes|no") } }))
        return *code;
    if (!inv.isSet(QStringLiteral("user")))
        return usage(QStringLiteral("chat needs --user EMAIL"));
    enum class Action
    {
        Message,
        Feedback,
        Withdraw,
        Offer,
    };
    Action action = Action::Message;
    int actions = 0;
    for (const auto &[name, a] : { std::pair { "feedback", Action::Feedback },
             std::pair { "withdraw", Action::Withdraw }, std::pair { "offer", Action::Offer } })
        if (inv.isSet(QLatin1String(name))) {
            action = a;
            ++actions;
        }
    if (actions > 1)
        return usage(QStringLiteral("chat takes one of --feedback, --withdraw and --offer"));
    const QString feedback = inv.value(QStringLiteral("feedback"));
    const QString offer = inv.value(QStringLiteral("offer"));
    if (action == Action::Feedback && feedback != QLatin1String("up") && feedback != QLatin1String("down"))
        return usage(QStringLiteral("--feedback is up or down"));
    if (action == Action::Offer && offer != QLatin1String("yes") && offer != QLatin1String("no"))
        return usage(QStringLiteral("--offer is yes or no"));
    if (action != Action::Message && !inv.isSet(QStringLiteral("session")))
        return usage(QStringLiteral("--feedback, --withdraw and --offer need --session ID"));
    if (action == Action::Message && inv.positional.isEmpty())
        return usage(QStringLiteral("chat needs the message TEXT"));
    if (action != Action::Message && !inv.positional.isEmpty())
        return usage(QStringLiteral("--feedback, --withdraw and --offer take no message TEXT"));
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
    if (ctx->db->seatLogin() && ctx->db->seatLogin()->userId != teacher->id)
        return fail(exitError, QStringLiteral("This seat's database login chats as its own account only."));
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
    if (action == Action::Withdraw) {
        auto withdrawn
            = services.escalation()->withdrawSignal(teacher.value(), sessionId, inv.value(QStringLiteral("message")));
        if (!withdrawn)
            return fail(exitError, withdrawn.error());
        if (inv.json) {
            printJson(
                { { QStringLiteral("session"), sessionId }, { QStringLiteral("status"), QStringLiteral("withdrawn") },
                    { QStringLiteral("message_ts"), withdrawn->key },
                    { QStringLiteral("rules"), QJsonArray::fromStringList(withdrawn->rules) },
                    { QStringLiteral("dissatisfaction_count"), withdrawn->dissatisfactionCount } });
        } else {
            QStringList words;
            for (const QString &rule : std::as_const(withdrawn->rules))
                words << Detection::ruleInWords(rule);
            writeOut(QStringLiteral("Withdrawn: the message of %1 (you %2) no longer counts; %3 signal(s) now.\n")
                         .arg(withdrawn->key, words.join(QLatin1String("; ")))
                         .arg(withdrawn->dissatisfactionCount));
        }
        return exitOk;
    }
    ChatTurn *turn = action == Action::Feedback
        ? engine.vote(teacher.value(), sessionId, inv.value(QStringLiteral("reply")), feedback == QLatin1String("up"))
        : action == Action::Offer ? engine.answerOffer(teacher.value(), sessionId, offer == QLatin1String("yes"))
                                  : engine.send(teacher.value(), sessionId, text,
                                      inv.isSet(QStringLiteral("to-support")), QStringLiteral("to_support"));
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

    // A ticket made from the shell is mailed without a console running: one delivery attempt now (a teacher's
    // seat login cannot read the outbox: a support seat delivers it).
    if (result.status == ChatTurnResult::Status::Escalated && ctx->db->actsForEverySeatAs(Role::Support)) {
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
        if (result.status == ChatTurnResult::Status::Rated)
            writeOut(result.signalChange > 0 ? QStringLiteral(
                         "Noted: this reply was not helpful (it counts as a sign you are unhappy; %1 so far).\n")
                                                   .arg(result.dissatisfactionCount)
                                             : QStringLiteral("Noted, thank you.\n"));
        if (result.status == ChatTurnResult::Status::Offered)
            writeOut(QStringLiteral("[answer with: learnpulsectl chat --user %1 --session %2 --offer yes|no]\n")
                         .arg(teacher->email, result.sessionId));
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
