#include "privacyservice.h"

#include "accountstore.h"
#include "config.h"
#include "database.h"
#include "logging.h"
#include "redisclient.h"
#include "roles.h"
#include "sessionstore.h"
#include "ticketstore.h"
#include "ticketthread.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QSqlQuery>
#include <QThread>

#include <algorithm>
#include <sys/stat.h>
#include <unistd.h>

namespace LearnPulse {

namespace {

QString placeholders(qsizetype n)
{
    QStringList marks;
    for (qsizetype i = 0; i < n; ++i)
        marks << QStringLiteral("?");
    return marks.join(QLatin1String(", "));
}

Status writeJson(const QString &path, const QJsonDocument &doc)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return Status::failure(QStringLiteral("Cannot write %1: %2").arg(path, f.errorString()));
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    f.write(doc.toJson(QJsonDocument::Indented));
    if (!f.commit())
        return Status::failure(QStringLiteral("Cannot write %1: %2").arg(path, f.errorString()));
    return {};
}

// Whether `path` is, beyond doubt, the transcript of ticket `id` written by this user: its own name in a
// support_tickets folder (checked by the caller), a plain file of this user's, whose header names the ticket. A
// row another seat wrote cannot point an erasure at any other file.
bool isTranscriptOf(const QString &path, const QString &id)
{
    struct stat st
    {
    };
    if (::lstat(QFile::encodeName(path).constData(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid())
        return false;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return false;
    const QByteArray head = f.read(4096);
    const QByteArray line = QByteArray("Ticket ID: ") + id.toUtf8() + '\n';
    return head.startsWith(line) || head.contains(QByteArray(QByteArray("\n") + line));
}

struct TicketFiles
{
    QStringList ids;
    QStringList files; // checked: each ticket's own transcript, in this seat's folder or another it can reach
    QStringList left; // transcripts written at other seats that this one cannot reach (or prove): their paths

    void add(const QString &id, const QString &file, const QString &ticketsDir)
    {
        ids << id;
        if (file.isEmpty())
            return;
        TicketRecord ticket;
        ticket.id = id;
        ticket.conversationFile = file;
        const bool bare = !file.contains(QLatin1Char('/')); // a seat login's ticket on PostgreSQL: written where?
        if (auto own = TicketStore::checkedTranscriptFile(ticket, ticketsDir);
            own && (!bare || QFileInfo::exists(own.value()))) {
            files << own.value();
        } else if (bare) {
            // Not in this seat's folder: at the seat that wrote it, which removes it at its next start.
            left << file;
            qCInfo(lcTickets).noquote() << QStringLiteral("Transcript left at another seat ticket=") + id;
        } else if (auto shaped = TicketStore::checkedTranscriptFile(ticket, QString());
                   shaped && isTranscriptOf(shaped.value(), id)) {
            files << shaped.value(); // another seat's folder that this one reaches (the same computer, a share)
        } else {
            // Another seat's, out of reach: reported with its path for an admin; never counted as deleted.
            left << file;
            qCInfo(lcTickets).noquote() << QStringLiteral("Transcript left at another seat ticket=") + id;
        }
    }
};

// Deletes the index rows of `ids` (full-text entries, outbox entries, tickets) inside the caller's
// transaction; adds what it removed to the counters given. False on the first failure.
bool deleteTicketRows(
    QSqlQuery &q, const QStringList &ids, int *outboxCount, int *ticketCount, int *threadCount = nullptr)
{
    if (ids.isEmpty())
        return true;
    const std::pair<QString, int *> statements[] = {
        { QStringLiteral("DELETE FROM tickets_fts WHERE rowid IN (SELECT seq FROM tickets WHERE id IN (%1))"),
            nullptr },
        { QStringLiteral("DELETE FROM outbox WHERE ticket_id IN (%1)"), outboxCount },
        { QStringLiteral("DELETE FROM ticket_messages WHERE ticket_id IN (%1)"), threadCount },
        { QStringLiteral("DELETE FROM tickets WHERE id IN (%1)"), ticketCount },
    };
    for (const auto &[sql, count] : statements) {
        q.prepare(sql.arg(placeholders(ids.size())));
        for (const QString &id : ids)
            q.addBindValue(id);
        if (!q.exec())
            return false;
        if (count)
            *count += q.numRowsAffected();
    }
    return TicketStore::recordDeleted(q, ids);
}

} // namespace

QJsonObject ErasureReport::toJson() const
{
    return QJsonObject { { QStringLiteral("accounts"), accounts }, { QStringLiteral("tickets"), tickets },
        { QStringLiteral("transcripts"), transcripts },
        { QStringLiteral("transcripts_left"), QJsonArray::fromStringList(transcriptsLeft) },
        { QStringLiteral("outbox_entries"), outboxEntries }, { QStringLiteral("thread_messages"), threadMessages },
        { QStringLiteral("authored_elsewhere"), authoredElsewhere }, { QStringLiteral("sessions"), sessions },
        { QStringLiteral("redis_keys"), redisKeys }, { QStringLiteral("emails_already_sent"), emailsAlreadySent },
        { QStringLiteral("emails_sent_to"), QJsonArray::fromStringList(sentTo) },
        { QStringLiteral("redis_reached"), redisReached }, { QStringLiteral("redis_pending"), redisPending },
        { QStringLiteral("mentioned_in_other_tickets"), QJsonArray::fromStringList(mentionedIn) },
        { QStringLiteral("exported_before_at"), QJsonArray::fromStringList(exportedAt) } };
}

PrivacyService::PrivacyService(const Config &config, std::shared_ptr<Database> database, RedisClient *redis)
    : m_config(config)
    , m_db(std::move(database))
    , m_redis(redis)
{ }

Result<QStringList> PrivacyService::userIdsFor(const QString &email)
{
    auto conn = m_db->connection();
    if (!conn)
        return Result<QStringList>::failure(conn.error());
    QSqlQuery q(conn.value());
    // The account with this email now, one that had it (removed accounts keep its hash), the tickets written
    // under it, and an erasure by it that is still waiting for Redis.
    q.prepare(
        m_db->sql(QStringLiteral("SELECT id FROM users WHERE email = ? COLLATE NOCASE "
                                 "UNION SELECT DISTINCT user_id FROM tickets WHERE teacher_email = ? COLLATE NOCASE "
                                 "UNION SELECT user_id FROM account_emails WHERE email_hash = ? "
                                 "UNION SELECT user_id FROM erase_pending WHERE email_hash = ?")));
    const QString hash = AccountStore::emailHash(email);
    for (const QString &v : { email, email, hash, hash })
        q.addBindValue(v);
    if (!q.exec())
        return Result<QStringList>::failure(QStringLiteral("Cannot read the index: %1").arg(Database::errorOf(q)));
    QStringList ids;
    while (q.next())
        if (!q.value(0).toString().isEmpty() && !ids.contains(q.value(0).toString()))
            ids << q.value(0).toString();
    return ids;
}

Result<QStringList> PrivacyService::subject(const Actor &actor, Permission permission, const QString &email)
{
    if (const QString refused = refusal(actor, permission); !refused.isEmpty())
        return Result<QStringList>::failure(refused);
    if (auto valid = AccountStore::validateEmail(email); !valid)
        return Result<QStringList>::failure(valid.error());
    return userIdsFor(email);
}

Result<ErasureReport> PrivacyService::erase(const Actor &actor, const QString &rawEmail)
{
    const QString email = rawEmail.trimmed();
    auto ids = subject(actor, Permission::EraseData, email);
    if (!ids)
        return Result<ErasureReport>::failure(ids.error());
    return eraseSubject(actor, { email }, ids.value(), AccountStore::emailHash(email));
}

int ErasurePreview::tickets() const
{
    int n = 0;
    for (const int count : ticketsByStatus)
        n += count;
    return n;
}

Result<ErasurePreview> PrivacyService::preview(const Actor &actor, const QString &rawEmail)
{
    using R = Result<ErasurePreview>;
    const QString email = rawEmail.trimmed();
    auto ids = subject(actor, Permission::EraseData, email);
    if (!ids)
        return R::failure(ids.error());
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    ErasurePreview out;
    QSqlQuery q(conn.value());
    q.prepare(m_db->sql(QStringLiteral("SELECT display_name FROM users WHERE email = ? COLLATE NOCASE")));
    q.addBindValue(email);
    if (q.exec() && q.next())
        out.name = q.value(0).toString();
    q.finish();
    // The same tickets erase() finds: by the email, or by any of the person's user ids.
    const auto [where, values] = ticketsOf({ email }, ids.value());
    q.prepare(QStringLiteral("SELECT status, COUNT(*) FROM tickets WHERE %1 GROUP BY status").arg(where));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return R::failure(QStringLiteral("Cannot read the index: %1").arg(Database::errorOf(q)));
    while (q.next())
        out.ticketsByStatus.insert(q.value(0).toString(), q.value(1).toInt());
    q.finish();
    q.prepare(QStringLiteral("SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND state = 'sent' AND ticket_id IN "
                             "(SELECT id FROM tickets WHERE %1)")
                  .arg(where));
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (q.exec() && q.next())
        out.emailsAlreadySent = q.value(0).toInt();
    q.finish();
    if (m_redis) {
        SessionStore sessions(*m_redis, m_config);
        int n = 0;
        bool reached = true;
        for (const QString &id : std::as_const(ids.value())) {
            auto owned = sessions.sessionsOfUser(id);
            reached = reached && owned.ok();
            if (owned)
                n += int(owned->size());
        }
        out.conversations = reached ? n : -1;
    }
    return out;
}

Result<ErasureReport> PrivacyService::eraseUserId(const Actor &actor, const QString &rawUserId)
{
    using R = Result<ErasureReport>;
    if (const QString refused = refusal(actor, Permission::EraseData); !refused.isEmpty())
        return R::failure(refused);
    const QString userId = rawUserId.trimmed();
    static const QRegularExpression shape(QStringLiteral("\\A[A-Za-z0-9._:@-]{1,100}\\z"));
    if (!shape.match(userId).hasMatch())
        return R::failure(QStringLiteral("\"%1\" is not a user id.").arg(userId), ErrorKind::BadInput);
    // Every email the person is known by: the account's (unless it is a removed account's placeholder) and
    // their tickets'.
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(QStringLiteral("SELECT email FROM users WHERE id = ? UNION SELECT teacher_email FROM tickets WHERE "
                             "user_id = ?"));
    q.addBindValue(userId);
    q.addBindValue(userId);
    if (!q.exec())
        return R::failure(QStringLiteral("Cannot read the index: %1").arg(Database::errorOf(q)));
    QStringList emails;
    while (q.next()) {
        const QString e = q.value(0).toString();
        if (!e.isEmpty() && !e.endsWith(QLatin1String("@removed.invalid")) && !emails.contains(e, Qt::CaseInsensitive))
            emails << e;
    }
    return eraseSubject(actor, emails, { userId }, QString());
}

namespace {

// A LIKE pattern that finds `text` anywhere, its own % and _ taken literally (ESCAPE '\').
QString containsPattern(const QString &text)
{
    QString t = text.toLower();
    t.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('%'), QLatin1String("\\%"));
    t.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + t + QLatin1Char('%');
}

} // namespace

bool PrivacyService::eraseFromRedis(
    const QStringList &ids, const QStringList &emails, ErasureReport *report, const QStringList &emailHashes)
{
    if (!m_redis)
        return false;
    QSet<QByteArray> sessions;
    QList<QByteArray> keys { "DEL" };
    for (const QString &uid : ids) {
        auto listed = m_redis->command({ "SMEMBERS", SessionStore::userSessionsKey(uid) });
        if (!listed)
            return false;
        for (const RedisReply &id : listed->elements)
            sessions.insert(id.string);
        keys << SessionStore::userSessionsKey(uid) << SessionStore::lastSessionKey(uid);
        if (auto rate = m_redis->command({ "KEYS", "lp:user:" + uid.toUtf8() + ":rate:*" }))
            for (const RedisReply &k : rate->elements)
                keys << k.string;
    }
    // Conversations the per-user lists do not name (a list that expired first, an account that was renamed):
    // every session state is looked at, by its user id and its teacher's email.
    QSet<QByteArray> wantedIds;
    for (const QString &uid : ids)
        wantedIds.insert(uid.toUtf8());
    QSet<QString> wantedEmails;
    for (const QString &e : emails)
        wantedEmails.insert(e.toLower());
    QByteArray cursor = "0";
    do {
        auto page = m_redis->command({ "SCAN", cursor, "MATCH", "lp:{*}:state", "COUNT", "1000" });
        if (!page || page->elements.size() != 2)
            return false;
        cursor = page->elements.at(0).string;
        for (const RedisReply &key : page->elements.at(1).elements) {
            auto owner = m_redis->command({ "HMGET", key.string, "user_id", "teacher_email" });
            if (!owner || owner->elements.size() != 2)
                continue;
            const QString email = QString::fromUtf8(owner->elements.at(1).string);
            if (wantedIds.contains(owner->elements.at(0).string) || wantedEmails.contains(email.toLower())
                || (!emailHashes.isEmpty() && emailHashes.contains(AccountStore::emailHash(email)))) {
                const QByteArray &k = key.string; // lp:{<session>}:state
                sessions.insert(k.mid(4, k.size() - 4 - 7));
            }
        }
    } while (cursor != "0");
    for (const QByteArray &id : std::as_const(sessions)) {
        keys << SessionStore::stateKey(QString::fromUtf8(id)) << SessionStore::historyKey(QString::fromUtf8(id));
        ++report->sessions;
    }
    // An agent's name in the "who has this ticket open" sets.
    if (auto presence = m_redis->command({ "KEYS", "lp:presence:*" })) {
        for (const RedisReply &k : presence->elements) {
            auto members = m_redis->command({ "ZRANGE", k.string, "0", "-1" });
            if (!members)
                continue;
            for (const RedisReply &m : members->elements)
                for (const QString &uid : ids)
                    if (m.string.startsWith(QByteArray(uid.toUtf8() + '\x1f')))
                        (void)m_redis->command({ "ZREM", k.string, m.string });
        }
    }
    if (keys.size() > 1) {
        auto deleted = m_redis->command(keys);
        if (!deleted)
            return false;
        report->redisKeys += int(deleted->integer);
    }
    // Consoles that kept a conversation of the person in memory must not write it back (ids only).
    for (const QString &uid : ids)
        if (!m_redis->command({ "SET", SessionStore::erasedKey(uid), "1", "EX",
                QByteArray::number(m_config.sessionTtlSeconds + 86400) }))
            return false;
    // An append-only file keeps deleted values until it is rewritten.
    auto aof = m_redis->command({ "CONFIG", "GET", "appendonly" });
    if (aof && aof->elements.size() == 2 && aof->elements.at(1).string == "yes"
        && m_redis->command({ "BGREWRITEAOF" })) {
        const QDeadlineTimer deadline(30000);
        while (!deadline.hasExpired()) {
            auto info = m_redis->command({ "INFO", "persistence" });
            if (!info
                || (!info->string.contains("aof_rewrite_in_progress:1")
                    && !info->string.contains("aof_rewrite_scheduled:1")))
                break;
            QThread::msleep(50);
        }
    }
    return true;
}

Result<int> PrivacyService::finishPendingErasures()
{
    auto conn = m_db->connection();
    if (!conn)
        return Result<int>::failure(conn.error());
    QSqlQuery q(conn.value());
    if (!q.exec(QStringLiteral("SELECT user_id, email_hash FROM erase_pending")))
        return Result<int>::failure(QStringLiteral("Cannot read the index: %1").arg(Database::errorOf(q)));
    // By user id; and by the hash of the email asked for when no account or ticket named the person (their
    // conversations are found by the hash of the email they hold).
    QStringList ids;
    QStringList hashes;
    int rows = 0;
    while (q.next()) {
        ++rows;
        if (!q.value(0).toString().isEmpty() && !ids.contains(q.value(0).toString()))
            ids << q.value(0).toString();
        if (q.value(0).toString().isEmpty() && !q.value(1).toString().isEmpty())
            hashes << q.value(1).toString();
    }
    if (rows == 0)
        return 0;
    ErasureReport report;
    if (!eraseFromRedis(ids, {}, &report, hashes))
        return Result<int>::failure(
            QStringLiteral("Redis is not reachable: %1 erasures still wait for it.").arg(rows), ErrorKind::Unavailable);
    // Only what was read (another seat may have added an erasure meanwhile).
    QStringList which;
    if (!ids.isEmpty())
        which << QStringLiteral("user_id IN (%1)").arg(placeholders(ids.size()));
    if (!hashes.isEmpty())
        which << QStringLiteral("(user_id = '' AND email_hash IN (%1))").arg(placeholders(hashes.size()));
    q.prepare(QStringLiteral("DELETE FROM erase_pending WHERE ") + which.join(QLatin1String(" OR ")));
    for (const QString &v : ids + hashes)
        q.addBindValue(v);
    if (!which.isEmpty() && !q.exec())
        return Result<int>::failure(QStringLiteral("Cannot update the index: %1").arg(Database::errorOf(q)));
    qCInfo(lcDatabase).noquote() << QStringLiteral("Pending erasures finished users=%1 sessions=%2")
                                        .arg(ids.join(QLatin1Char(',')))
                                        .arg(report.sessions);
    return rows;
}

std::pair<QString, QVariantList> PrivacyService::ticketsOf(const QStringList &emails, const QStringList &ids) const
{
    QStringList where;
    QVariantList values;
    for (const QString &e : emails) {
        where << m_db->sql(QStringLiteral("teacher_email = ? COLLATE NOCASE"));
        values << e;
    }
    if (!ids.isEmpty())
        where << QStringLiteral("user_id IN (%1)").arg(placeholders(ids.size()));
    for (const QString &id : ids)
        values << id;
    return { where.join(QLatin1String(" OR ")), values };
}

Result<ErasureReport> PrivacyService::eraseSubject(
    const Actor &actor, const QStringList &emails, const QStringList &ids, const QString &requestedHash)
{
    using R = Result<ErasureReport>;
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());

    // The person's tickets, by any of their emails or by user id.
    TicketFiles tickets;
    if (const auto [where, values] = ticketsOf(emails, ids); !where.isEmpty()) {
        q.prepare(QStringLiteral("SELECT id, conversation_file FROM tickets WHERE ") + where);
        for (const QVariant &v : values)
            q.addBindValue(v);
        if (!q.exec())
            return R::failure(QStringLiteral("Cannot read the index: %1").arg(Database::errorOf(q)));
        while (q.next())
            tickets.add(q.value(0).toString(), q.value(1).toString(), m_config.ticketsDir());
    }

    ErasureReport report;
    // Ticket emails that name the person: of their tickets, and rows left by tickets deleted earlier. Those
    // delivered cannot be recalled: say how many and where they went; all of them go from the outbox.
    QSet<qint64> outboxRows;
    {
        QStringList conditions;
        if (!tickets.ids.isEmpty())
            conditions << QStringLiteral("ticket_id IN (%1)").arg(placeholders(tickets.ids.size()));
        for (qsizetype i = 0; i < emails.size(); ++i)
            conditions << QStringLiteral("lower(payload) LIKE ? ESCAPE '\\'");
        if (!conditions.isEmpty()) {
            q.prepare(QStringLiteral("SELECT id, state, payload, ticket_id FROM outbox WHERE kind = 'email' AND (%1)")
                          .arg(conditions.join(QLatin1String(" OR "))));
            for (const QString &id : std::as_const(tickets.ids))
                q.addBindValue(id);
            for (const QString &e : emails)
                q.addBindValue(containsPattern(e));
            if (!q.exec())
                return R::failure(QStringLiteral("Cannot read the outbox: %1").arg(Database::errorOf(q)));
            QSet<QString> to;
            while (q.next()) {
                // A row of the person's tickets, or one whose reply-to is exactly one of their emails (the LIKE
                // only narrows: "ann@x" is in "joann@x" too).
                const QJsonObject payload = QJsonDocument::fromJson(q.value(2).toString().toUtf8()).object();
                const QString replyTo = payload.value(QLatin1String("reply_to")).toString();
                if (!tickets.ids.contains(q.value(3).toString())
                    && std::none_of(emails.cbegin(), emails.cend(),
                        [&](const QString &e) { return e.compare(replyTo, Qt::CaseInsensitive) == 0; }))
                    continue;
                outboxRows.insert(q.value(0).toLongLong());
                if (q.value(1).toString() != QLatin1String("sent"))
                    continue;
                ++report.emailsAlreadySent;
                if (const QString address = payload.value(QLatin1String("to")).toString().trimmed(); !address.isEmpty())
                    to.insert(address); // a row that never said where it went adds no empty address
            }
            report.sentTo = QStringList(to.begin(), to.end());
            report.sentTo.sort();
        }
    }

    // Other people's tickets that mention the person (their email or name) in the transcript: listed by id for
    // an admin to decide, never changed or shown here.
    {
        QStringList names;
        if (!ids.isEmpty()) {
            q.prepare(QStringLiteral("SELECT display_name FROM users WHERE id IN (%1)").arg(placeholders(ids.size())));
            for (const QString &id : ids)
                q.addBindValue(id);
            if (q.exec())
                while (q.next())
                    if (q.value(0).toString().trimmed().size() >= 3)
                        names << q.value(0).toString().trimmed();
        }
        TicketStore store(m_db);
        QSet<QString> mentioned;
        for (const QString &words : emails + names) {
            TicketFilter filter;
            filter.search = QLatin1Char('"') + QString(words).remove(QLatin1Char('"')) + QLatin1Char('"');
            filter.limit = 1000;
            if (auto found = store.list(Actor::commandLine(), filter))
                for (const TicketRecord &t : found.value())
                    if (!tickets.ids.contains(t.id))
                        mentioned.insert(t.id);
        }
        report.mentionedIn = QStringList(mentioned.begin(), mentioned.end());
        report.mentionedIn.sort();
    }

    // Exports made earlier are copies outside the app: the audit log says when (ids and times, no paths).
    for (const QString &id : ids) {
        q.prepare(QStringLiteral("SELECT ts FROM audit_log WHERE action = 'privacy.export' AND (target = ? OR target "
                                 "LIKE ? OR target LIKE ? OR target LIKE ?) ORDER BY id"));
        q.addBindValue(id);
        q.addBindValue(QString(id + QStringLiteral(",%")));
        q.addBindValue(QString(QStringLiteral("%,") + id));
        q.addBindValue(QString(QStringLiteral("%,") + id + QStringLiteral(",%")));
        if (q.exec())
            while (q.next())
                if (!report.exportedAt.contains(q.value(0).toString()))
                    report.exportedAt << q.value(0).toString();
    }

    // 1. Redis: sessions and per-user keys. Done first: it needs the user ids the database still holds. When
    // Redis cannot be reached, the ids wait in erase_pending until a re-run or the console's next start.
    report.redisReached = eraseFromRedis(ids, emails, &report);

    // 2. Transcript files (before their rows: a crash here leaves rows that a re-run finds again).
    for (const QString &file : std::as_const(tickets.files)) {
        if (QFile::exists(file)) {
            if (!QFile::remove(file))
                return R::failure(
                    QStringLiteral("Cannot delete the transcript %1; nothing else was changed in the index.")
                        .arg(file));
            ++report.transcripts;
        }
    }

    report.transcriptsLeft = tickets.left;
    report.transcriptsLeft.sort();

    // 3. Database rows, all in one transaction.
    if (!m_db->beginWrite(q))
        return R::failure(QStringLiteral("Cannot lock the index: %1").arg(Database::errorOf(q)));
    bool ok = deleteTicketRows(q, tickets.ids, &report.outboxEntries, &report.tickets, &report.threadMessages);
    if (ok && !outboxRows.isEmpty()) { // rows of tickets deleted before (their own went with their tickets)
        QStringList rowIds;
        for (qint64 id : std::as_const(outboxRows))
            rowIds << QString::number(id);
        ok = q.exec(QStringLiteral("DELETE FROM outbox WHERE id IN (%1)").arg(rowIds.join(QLatin1Char(','))));
        if (ok)
            report.outboxEntries += q.numRowsAffected();
    }
    if (ok && !ids.isEmpty()) {
        // What the person wrote or held on other people's tickets (an agent's replies, an assignment) stays
        // with those tickets, without their name.
        for (const QString &sql :
            { QStringLiteral("UPDATE ticket_messages SET author_id = '', author_name = '' "
                             "WHERE author_id IN (%1)"),
                QStringLiteral("UPDATE tickets SET assignee_id = '', assignee_name = '' WHERE assignee_id IN (%1)") }) {
            q.prepare(sql.arg(placeholders(ids.size())));
            for (const QString &id : ids)
                q.addBindValue(id);
            ok = ok && q.exec();
            if (ok)
                report.authoredElsewhere += q.numRowsAffected();
        }
    }
    if (ok && !ids.isEmpty()) {
        q.prepare(QStringLiteral("DELETE FROM users WHERE id IN (%1)").arg(placeholders(ids.size())));
        for (const QString &id : ids)
            q.addBindValue(id);
        ok = q.exec();
        if (ok)
            report.accounts += q.numRowsAffected();
    }
    if (ok && !ids.isEmpty()) {
        q.prepare(QStringLiteral("DELETE FROM account_emails WHERE user_id IN (%1)").arg(placeholders(ids.size())));
        for (const QString &id : ids)
            q.addBindValue(id);
        ok = q.exec();
    }
    // What Redis still holds waits in erase_pending (ids and the asked email's hash, no address); done: gone.
    if (ok) {
        q.prepare(QStringLiteral("DELETE FROM erase_pending WHERE email_hash = ?")
            + (ids.isEmpty() ? QString() : QStringLiteral(" OR user_id IN (%1)").arg(placeholders(ids.size()))));
        q.addBindValue(requestedHash.isEmpty() ? QStringLiteral("-") : requestedHash);
        for (const QString &id : ids)
            q.addBindValue(id);
        ok = q.exec();
    }
    if (ok && !report.redisReached) {
        const QString now = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
        for (const QString &id : ids) {
            q.prepare(QStringLiteral("INSERT INTO erase_pending (user_id, email_hash, created) VALUES (?, ?, ?)"));
            q.addBindValue(id);
            q.addBindValue(requestedHash);
            q.addBindValue(now);
            ok = ok && q.exec();
        }
        report.redisPending = int(ids.size());
        if (ids.isEmpty() && !requestedHash.isEmpty()) {
            // Nobody known by id: the conversations are found later by the email's hash.
            q.prepare(QStringLiteral("INSERT INTO erase_pending (user_id, email_hash, created) VALUES ('', ?, ?)"));
            q.addBindValue(requestedHash);
            q.addBindValue(now);
            ok = ok && q.exec();
            report.redisPending = 1;
        }
    }
    if (!ok || !q.exec(QStringLiteral("COMMIT"))) {
        const QString error = Database::errorOf(q);
        q.exec(QStringLiteral("ROLLBACK"));
        return R::failure(QStringLiteral("Cannot erase from the index: %1. Run the erasure again.").arg(error));
    }

    // Every console drops what it shows of the person at once: agents' lists and open tickets, the person's own
    // open console (which signs out), other admins' account lists.
    announceErasure(tickets.ids, ids);

    // The audit names user ids only: an erased person's email is nowhere in it.
    if (auto audited = m_db->audit(actor, QStringLiteral("privacy.erase"), ids.join(QLatin1Char(',')),
            QStringLiteral("tickets=%1 sessions=%2 redis_pending=%3")
                .arg(report.tickets)
                .arg(report.sessions)
                .arg(report.redisPending));
        !audited)
        return R::failure(audited.error());
    if (auto scrubbed = scrubDatabase(); !scrubbed)
        return R::failure(scrubbed.error());
    qCInfo(lcDatabase).noquote()
        << QStringLiteral("Erasure done users=%1 tickets=%2").arg(ids.join(QLatin1Char(','))).arg(report.tickets);
    return report;
}

void PrivacyService::announceErasure(const QStringList &ticketIds, const QStringList &userIds)
{
    if (!m_redis)
        return; // consoles learn it at their next look (the account check, the list's next load)
    auto publish = [this](const QByteArray &channel, const QString &ticketId) {
        if (auto sent
            = m_redis->command({ "PUBLISH", channel, SessionStore::changePayload(ticketId, QStringLiteral("erased")) });
            !sent)
            qCWarning(lcSession).noquote() << QStringLiteral("Cannot announce an erasure: ") + sent.error();
    };
    for (const QString &id : ticketIds)
        publish(SessionStore::ticketsChannel(), id);
    for (const QString &id : userIds) {
        publish(SessionStore::userChannel(id), QString());
        publish(SessionStore::ticketsChannel(), QString()); // account lists, once per person
    }
}

Status PrivacyService::scrubDatabase()
{
    auto conn = m_db->connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    if (m_db->backend() == Database::Backend::PostgreSQL) {
        // The rows are gone for every seat; VACUUM makes the server reuse their space (outside a
        // transaction). The server's own write-ahead log and backups are its administrator's to manage.
        if (!q.exec(QStringLiteral("VACUUM tickets, tickets_fts, ticket_messages, users, outbox")))
            return Status::failure(
                QStringLiteral("Cannot clear deleted data from the index: %1").arg(Database::errorOf(q)));
        return {};
    }
    // secure_delete (set on every connection) zeroes what is deleted, in the file and in its free
    // pages, so no VACUUM is needed (it would rebuild the whole file: most of an erasure's time at
    // 100,000 tickets); merging the full-text index drops the deleted entries' terms from its
    // segments; the checkpoint moves the WAL into the file and empties it.
    for (const char *sql :
        { "INSERT INTO tickets_fts (tickets_fts) VALUES ('optimize')", "PRAGMA wal_checkpoint(TRUNCATE)" }) {
        if (!q.exec(QLatin1String(sql)))
            return Status::failure(
                QStringLiteral("Cannot clear deleted data from the index: %1").arg(Database::errorOf(q)));
    }
    return {};
}

Result<QJsonObject> PrivacyService::exportData(const Actor &actor, const QString &rawEmail, const QString &directory)
{
    using R = Result<QJsonObject>;
    const QString email = rawEmail.trimmed();
    auto ids = subject(actor, Permission::ExportData, email);
    if (!ids)
        return R::failure(ids.error());
    // A person's data: every folder the export makes is its owner's alone (0700), every file 0600.
    constexpr auto ownerDir = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
    const bool existed = QFileInfo(directory).isDir();
    if (!QDir().mkpath(directory + QStringLiteral("/tickets")))
        return R::failure(QStringLiteral("Cannot create %1").arg(directory));
    if ((!existed && !QFile::setPermissions(directory, ownerDir))
        || !QFile::setPermissions(directory + QStringLiteral("/tickets"), ownerDir))
        return R::failure(QStringLiteral("Cannot make %1 private to its owner").arg(directory));

    AccountStore accounts(m_db);
    QJsonObject account;
    if (auto a = accounts.findByEmail(email))
        account = a->toJson();

    TicketStore store(m_db, m_config.ticketsDir());
    TicketFilter filter;
    filter.teacherEmail = email;
    auto tickets = store.list(actor, filter);
    if (!tickets)
        return R::failure(tickets.error());
    QJsonArray ticketArray;
    int copied = 0;
    TicketThread thread(m_db);
    for (const TicketRecord &t : tickets.value()) {
        QJsonObject o = t.toJson();
        o.insert(QStringLiteral("rating_comment"), t.ratingComment);
        // The thread as the teacher sees it: internal notes are support's, not the person's data.
        auto all = thread.messages(actor, t.id);
        if (!all)
            return R::failure(all.error());
        QList<ThreadMessage> messages;
        for (const ThreadMessage &m : all.value())
            if (!m.isNote())
                messages << m;
        QJsonArray threadArray;
        for (const ThreadMessage &m : std::as_const(messages))
            threadArray.append(m.toJson());
        o.insert(QStringLiteral("thread"), threadArray);
        const QString name = QFileInfo(t.conversationFile).fileName();
        // The file, or the index's copy when the file is on another seat.
        if (auto text = store.transcript(actor, t); text) {
            QSaveFile target(directory + QStringLiteral("/tickets/") + name);
            const QByteArray bytes = (text.value() + TicketThread::render(messages)).toUtf8();
            if (!target.open(QIODevice::WriteOnly) || !target.setPermissions(QFile::ReadOwner | QFile::WriteOwner)
                || target.write(bytes) < 0 || !target.commit())
                return R::failure(QStringLiteral("Cannot write %1: %2").arg(target.fileName(), target.errorString()));
            ++copied;
            o.insert(QStringLiteral("transcript_file"), QString(QStringLiteral("tickets/") + name));
        }
        ticketArray.append(o);
    }

    QJsonArray sessions;
    if (m_redis) {
        SessionStore sessionStore(*m_redis, m_config);
        for (const QString &uid : ids.value()) {
            auto list = sessionStore.sessionsOfUser(uid);
            if (!list)
                continue;
            for (const QString &sid : list.value()) {
                auto state = sessionStore.state(sid);
                auto history = sessionStore.history(sid);
                if (!state || !history)
                    continue; // expired
                QJsonArray messages;
                for (const HistoryEntry &e : history.value())
                    messages.append(QJsonDocument::fromJson(e.toJson()).object());
                sessions.append(QJsonObject { { QStringLiteral("session"), sid },
                    { QStringLiteral("class_id"), state->context.classId },
                    { QStringLiteral("student"), state->context.student },
                    { QStringLiteral("scope"), state->context.scope },
                    { QStringLiteral("dissatisfaction_count"), state->dissatisfactionCount },
                    { QStringLiteral("ticket_id"), state->ticketId }, { QStringLiteral("messages"), messages } });
            }
        }
    }

    for (const auto &[name, doc] : { std::pair { QStringLiteral("account.json"), QJsonDocument(account) },
             std::pair { QStringLiteral("tickets.json"), QJsonDocument(ticketArray) },
             std::pair { QStringLiteral("sessions.json"), QJsonDocument(sessions) } })
        if (auto written = writeJson(directory + QLatin1Char('/') + name, doc); !written)
            return R::failure(written.error());
    if (auto audited = m_db->audit(actor, QStringLiteral("privacy.export"), ids->join(QLatin1Char(',')),
            QStringLiteral("tickets=%1 sessions=%2").arg(ticketArray.size()).arg(sessions.size()));
        !audited)
        return R::failure(audited.error());
    return QJsonObject { { QStringLiteral("directory"), directory }, { QStringLiteral("account"), !account.isEmpty() },
        { QStringLiteral("tickets"), int(ticketArray.size()) }, { QStringLiteral("transcripts"), copied },
        { QStringLiteral("sessions"), int(sessions.size()) }, { QStringLiteral("redis_reached"), m_redis != nullptr } };
}

Result<int> PrivacyService::applyRetention(const Actor &actor, int days)
{
    if (days <= 0)
        return 0;
    if (const QString refused = refusal(actor, Permission::DeleteTicket); !refused.isEmpty())
        return Result<int>::failure(refused);
    auto conn = m_db->connection();
    if (!conn)
        return Result<int>::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(QStringLiteral("SELECT id, conversation_file FROM tickets WHERE created < ?"));
    q.addBindValue(QDateTime::currentDateTimeUtc().addDays(-days).toString(Qt::ISODate));
    if (!q.exec())
        return Result<int>::failure(Database::errorOf(q));
    TicketFiles old;
    while (q.next())
        old.add(q.value(0).toString(), q.value(1).toString(), m_config.ticketsDir());
    if (old.ids.isEmpty())
        return 0;
    for (const QString &f : std::as_const(old.files))
        QFile::remove(f);
    if (!m_db->beginWrite(q))
        return Result<int>::failure(Database::errorOf(q));
    const bool ok = deleteTicketRows(q, old.ids, nullptr, nullptr);
    if (!ok || !q.exec(QStringLiteral("COMMIT"))) {
        const QString error = Database::errorOf(q);
        q.exec(QStringLiteral("ROLLBACK"));
        return Result<int>::failure(error);
    }
    if (auto audited = m_db->audit(actor, QStringLiteral("retention.erase"), QString(),
            QStringLiteral("tickets=%1 older_than_days=%2").arg(old.ids.size()).arg(days));
        !audited)
        return Result<int>::failure(audited.error());
    if (auto scrubbed = scrubDatabase(); !scrubbed)
        return Result<int>::failure(scrubbed.error());
    return int(old.ids.size());
}

} // namespace LearnPulse
