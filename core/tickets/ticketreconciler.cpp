#include "ticketreconciler.h"

#include "config.h"
#include "database.h"
#include "logging.h"
#include "outbox.h"
#include "ticketstore.h"
#include "transcriptreader.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QSet>
#include <QSqlQuery>

namespace LearnPulse {

TicketReconciler::TicketReconciler(const Config &config, std::shared_ptr<Database> database)
    : m_config(config)
    , m_db(std::move(database))
{ }

Result<TicketReconciler::Report> TicketReconciler::run()
{
    using R = Result<Report>;
    Report report;
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    // The tickets directory's transcripts by name (one readdir, no stat each): a row's file is looked up
    // here and taken out; what is left afterwards has no row. The query is forward-only, so that 100,000
    // rows are never held in memory at once (docs/BENCHMARKS.md).
    const QString ticketsDir = QDir(m_config.ticketsDir()).absolutePath();
    const QStringList pattern { QStringLiteral("support_ticket_*.txt") };
    QSet<QString> unindexed;
    for (QDirIterator it(ticketsDir, pattern, QDir::Files); it.hasNext();) {
        it.next();
        unindexed.insert(it.fileName());
    }

    QSqlQuery q(conn.value());
    q.setForwardOnly(true);
    // On PostgreSQL the index is shared by several seats, each with transcripts of its own on its own
    // disk: a file that is not here may well be on another seat, so rows are not flagged, and files
    // are only matched by name. (The index keeps every transcript's text for the other seats.)
    const bool shared = m_db->backend() == Database::Backend::PostgreSQL;
    if (!q.exec(QStringLiteral("SELECT id, conversation_file, integrity FROM tickets")))
        return R::failure(Database::errorOf(q));
    QStringList missing;
    QStringList back;
    while (q.next()) {
        const QString file = q.value(1).toString();
        const QFileInfo info(file);
        const QString name = info.fileName();
        // Found by name without a stat; otherwise (another directory, a name outside the pattern, a file
        // that two rows name) asked of the file system. A row's file name counts as indexed wherever the
        // row says the file is (as before).
        const bool found = unindexed.remove(name);
        if (shared)
            continue;
        const bool exists = (found && info.absolutePath() == ticketsDir) || info.exists();
        if (!exists && q.value(2).toString().isEmpty())
            missing << q.value(0).toString();
        else if (exists && !q.value(2).toString().isEmpty())
            back << q.value(0).toString();
    }
    q.finish();
    for (const auto &[ids, flag, counter] :
        { std::tuple { missing, QStringLiteral("transcript missing"), &report.flaggedMissing },
            std::tuple { back, QStringLiteral(""), &report.unflagged } }) {
        for (const QString &id : ids) {
            q.prepare(QStringLiteral("UPDATE tickets SET integrity = ? WHERE id = ?"));
            q.addBindValue(flag);
            q.addBindValue(id);
            if (q.exec())
                ++*counter;
        }
    }
    if (unindexed.isEmpty())
        return report;

    const QDir dir(ticketsDir);
    QStringList files(unindexed.cbegin(), unindexed.cend());
    files.sort();
    TicketStore store(m_db);
    for (const QString &name : std::as_const(files)) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly)) {
            report.unreadable << name;
            continue;
        }
        const QByteArray bytes = f.read(TranscriptReader::maxBytes + 1);
        auto record = TranscriptReader::parse(bytes);
        if (!record) {
            report.unreadable << name;
            qCWarning(lcTickets).noquote() << QStringLiteral("Reconciliation skipped %1: %2").arg(name, record.error());
            continue;
        }
        TicketRecord r = record.value();
        r.conversationFile = f.fileName();
        auto deleted = store.wasDeleted(r.id);
        if (!deleted)
            return R::failure(deleted.error());
        if (deleted.value()) {
            // Deleted or erased (perhaps on another seat, perhaps by a run a crash cut short): its file goes too.
            f.close();
            if (QFile::remove(f.fileName())) {
                ++report.removedDeleted;
                qCWarning(lcTickets).noquote()
                    << QStringLiteral("Reconciliation removed the transcript of deleted ticket=") + r.id;
            }
            continue;
        }
        QList<OutboxItem> outbox;
        if (m_config.smtpConfigured() || !m_db->actsForEverySeatAs(Role::Support)) { // as TicketService decides
            r.emailStatus = QStringLiteral("pending");
            outbox << Outbox::emailFor(m_config, r.id, r.summary, r.teacherName, r.teacherEmail, r.conversationFile);
        } else {
            r.emailStatus = QStringLiteral("not_configured");
        }
        if (!m_config.webhookUrl.isEmpty())
            outbox << Outbox::webhookFor(r.id, r.summary);
        auto inserted = store.insert(r, QString::fromUtf8(bytes), outbox);
        if (!inserted && m_db->seatLogin()) {
            // A seat's login indexes only its own account's tickets: another's file stays, and the rest go on.
            report.notIndexed << name;
            qCWarning(lcTickets).noquote() << QStringLiteral("Reconciliation cannot index ticket=") + r.id;
            continue;
        }
        if (!inserted)
            return R::failure(inserted.error());
        if (inserted->outcome == TicketStore::InsertOutcome::Inserted) {
            ++report.indexed;
            qCWarning(lcTickets).noquote() << QStringLiteral("Reconciliation indexed ticket=") + r.id;
        } else {
            // The session has another ticket: this file is the leftover of a crashed duplicate attempt.
            f.close();
            QFile::remove(f.fileName());
        }
    }
    return report;
}

} // namespace LearnPulse
