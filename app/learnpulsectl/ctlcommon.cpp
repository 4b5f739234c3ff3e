#include "ctlcommon.h"

#include "database.h"
#include "messagevalidator.h"

#include <QJsonDocument>

#include <cstdio>

namespace LearnPulse::Ctl {

extern const char usageText[];
const char usageText[] = R"(Usage: learnpulsectl COMMAND [OPTIONS]

The LearnPulse Support Console core from a shell. Every command takes --data-dir DIR (default:
$LEARNPULSE_DATA_DIR, else the per-user data directory) and --json (one JSON object per result line).

Commands:
  detect [--json] [--explain] [TEXT...]   classify each TEXT; no TEXT: one message per stdin line;
                                     --explain: the words each rule matched and what it means
  chat --user EMAIL [--session ID] [--json] [--class C] [--student S] [--scope X] [--to-support] TEXT
                                     one teacher message through the whole turn; without --session
                                     a new conversation starts (its id is in the output); support
                                     replies not seen yet come with it ("support_replies" in JSON);
                                     --to-support writes to support instead of the assistant
  chat --user EMAIL --session ID --feedback up|down [--reply TS]
                                     rate the assistant's newest reply (or the one with reply_ts TS);
                                     a thumbs-down counts as a sign the teacher is unhappy
  chat --user EMAIL --session ID --withdraw [--message TS]
                                     the newest message that counted (or message_ts TS) was not a
                                     complaint: its signal goes (before the ticket)
  chat --user EMAIL --session ID --offer yes|no
                                     answer the offer of a support ticket (made once, after a vague
                                     ask such as "is there someone I can email about this?")
  tickets list [--json] [--user EMAIL] [--search QUERY] [--status open|in_progress|resolved]
  tickets show [--json] ID           the ticket, its transcript and its thread (replies, notes)
  tickets reply [--as EMAIL] ID TEXT|-   a reply to the teacher (- : read standard input)
  tickets note [--as EMAIL] ID TEXT|-    an internal note, never shown to the teacher
  tickets assign ID EMAIL|none       give the ticket to a support or admin account
  tickets status ID open|in_progress|resolved
  tickets delete ID --yes
  users add --email E --name N --role teacher|support|admin [--password-stdin]
  users list                         the accounts (not removed), as the Administration view lists them
  users remove EMAIL|ID              remove an account (it can no longer sign in; its tickets stay);
                                     on PostgreSQL its database login loses its groups at once
  users role EMAIL|ID teacher|support|admin
                                     change an account's role (its open consoles sign out)
  users disable|enable EMAIL|ID       disable an account for a while (no sign-in, its consoles sign out,
                                     its database logins lose their groups) or enable it again
  privacy erase --user EMAIL|--user-id ID --yes
                                     erase everything stored about a person (found by any email they
                                     had); prints what was removed, emails already sent, and other
                                     people's tickets that mention them
  privacy export --user EMAIL --out DIR
                                     a person's account, tickets, transcripts and sessions as JSON and .txt
  db setup-roles                     PostgreSQL: the roles lp_teacher, lp_support, lp_admin with their
                                     grants and row-level security (run with the owner's URL)
  db add-login --user EMAIL --login NAME [--password-stdin]
                                     a database login of its own for one account, in its role's group
  audit [--json]                     the audit log, newest first
  metrics [--json] [--days N]        escalation rate against the 5 % target, messages before
                                     escalation, top rules, guard hits, satisfaction, escalations by
                                     signal kind, rated replies, offers, withdrawn signals (the last
                                     N days, default 30)
  outbox list [--json]               ticket emails and webhook posts, with their delivery state
  outbox retry                       make pending and failed deliveries due now and try them once
  evaluate detect|conversations|guard FILE [--json] [--model FILE|none] [--threshold PERCENT]
          [--misses]                 precision, recall and F1 of the detector (and the rules' and the
                                     model's share), of the conversation logic (through the real turn,
                                     on a private redis-server and a throw-away index), or of the guard,
                                     on a labelled file: messages label<TAB>explicit<TAB>text,
                                     conversations {"id","escalate","turns"} per line, guard
                                     claim|honest<TAB>reply; # lines and a header line are skipped;
                                     --misses (detect, guard): also each line it got wrong ("miss",
                                     the label, what counted, the text)
  model prepare messages|guard DIR [--except BATCH]... [--only BATCH] [--exclude FILE]...
          [--conversations DIR]      the training batches in DIR as the model's training lines
                                     (scripts/train-models.sh); duplicates and texts of --exclude
                                     files are left out; --conversations: messages also learn from
                                     the labelled teacher turns of the c*.jsonl batches there

Exit status: 0 success, 2 bad usage, 1 any other error (one line on stderr).
)";

void writeOut(const QString &text)
{
    // Text from rows, servers and people goes to a terminal: no escape sequence or stray carriage return.
    const QByteArray bytes = MessageValidator::neutralise(text).toUtf8();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
}

void printJson(const QJsonObject &o)
{
    const QByteArray bytes = QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
}

int fail(int code, const QString &message)
{
    std::fflush(stdout);
    // The message may carry a server's words (an LLM error, a database's): no escape sequence reaches the terminal,
    // and it stays one line.
    const QString line = MessageValidator::neutralise(message).replace(QLatin1Char('\n'), QLatin1Char(' '));
    const QByteArray bytes = (QStringLiteral("learnpulsectl: ") + line).toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stderr);
    return code;
}

int usage(const QString &message)
{
    return fail(exitUsage, message + QStringLiteral(" (see learnpulsectl --help)"));
}

std::optional<int> parse(Invocation &inv, const QStringList &args, const QList<QCommandLineOption> &options)
{
    inv.parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    inv.parser.addOption({ QStringLiteral("data-dir"), QStringLiteral("Data directory."), QStringLiteral("DIR") });
    inv.parser.addOption({ QStringLiteral("json"), QStringLiteral("One JSON object per result line.") });
    inv.parser.addOptions(options);
    if (!inv.parser.parse(QStringList { QStringLiteral("learnpulsectl") } + args))
        return usage(inv.parser.errorText());
    inv.positional = inv.parser.positionalArguments();
    inv.json = inv.parser.isSet(QStringLiteral("json"));
    return std::nullopt;
}

Result<Context> openContext(const Invocation &inv, bool needDatabase)
{
    auto config = Config::load(inv.value(QStringLiteral("data-dir")));
    if (!config)
        return Result<Context>::failure(config.error());
    Context ctx { config.value(), nullptr, nullptr };
    // A value of the settings file that is not valid is said once, and its default used.
    for (const QString &problem : std::as_const(ctx.config.settingsProblems))
        fail(exitOk, QStringLiteral("%1: %2").arg(ctx.config.configFile, problem));
    if (needDatabase) {
        auto services = Services::open(ctx.config);
        if (!services)
            return Result<Context>::failure(services.error(), services.kind());
        ctx.services = std::move(services).value();
        ctx.db = ctx.services->database();
    }
    return ctx;
}

std::optional<int> openWithoutArguments(
    Invocation &inv, const QStringList &args, const QString &command, std::optional<Context> &ctx)
{
    if (auto code = parse(inv, args, {}))
        return code;
    if (!inv.positional.isEmpty())
        return usage(QStringLiteral("%1 takes no arguments").arg(command));
    auto opened = openContext(inv, true);
    if (!opened)
        return fail(exitError, opened.error());
    ctx = std::move(opened).value();
    return std::nullopt;
}

} // namespace LearnPulse::Ctl
