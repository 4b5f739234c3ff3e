#include "roles.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace LearnPulse;
using namespace LearnPulse::Test;

namespace {
TicketFilter filter(const QString &email, const QString &search, const QString &status)
{
    TicketFilter f;
    f.teacherEmail = email;
    f.search = search;
    f.status = status;
    return f;
}
} // namespace

class TestTicketService : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void idAndFileNameFormats();
    void aBareTranscriptNameIsLookedUpInThisSeatsFolder();
    void writesTranscriptAtomicallyAndPrivately();
    void indexesTranscriptForSearch();
    void keysetPagesMatchOffsetPages();
    void searchInputIsNeverFtsSyntax();
    void pageWithTotalAgreesWithCount();
    void oneTicketPerSession();
    void uniqueConstraintHoldsInTheSchema();
    void rolesAreEnforced();
    void statusChangesAreValidatedAndAudited();
    void deleteRemovesRowIndexAndFile();
    void unwritableDirectoryFailsCleanly();
    void migratesAVersion4Index();

private:
    TicketRequest request(const QString &sessionId = QStringLiteral("3f9a1c2e-1111-4222-8333-444455556666"));
    Actor actorWith(Role role) const
    {
        return Actor { QStringLiteral("u-") + roleName(role), roleName(role) + QStringLiteral("@school.example"),
            QStringLiteral("Someone"), role, false };
    }
    int ticketRows()
    {
        QSqlQuery q(m_fx->db->connection().value());
        q.exec(QStringLiteral("SELECT COUNT(*) FROM tickets"));
        return q.next() ? q.value(0).toInt() : -1;
    }
    QStringList ticketFiles() const { return QDir(m_fx->config.ticketsDir()).entryList(QDir::Files); }

    std::unique_ptr<CoreFixture> m_fx;
};

void TestTicketService::init()
{
    m_fx = std::make_unique<CoreFixture>();
    QVERIFY2(m_fx->setUp(), qPrintable(m_fx->error()));
}

void TestTicketService::cleanup()
{
    m_fx.reset();
}

TicketRequest TestTicketService::request(const QString &sessionId)
{
    TicketRequest r;
    r.session.id = sessionId;
    r.session.context = { QStringLiteral("user-42"), QStringLiteral("amira.khan@school.example"),
        QStringLiteral("Omar"), QStringLiteral("6B"), QStringLiteral("while loops") };
    r.session.dissatisfactionCount = 3;
    r.session.signalRules = { QStringLiteral("wrong"), QStringLiteral("unclear"), QStringLiteral("wrong") };
    const QDateTime t0 = QDateTime(QDate(2026, 11, 23), QTime(9, 50, 0), Qt::UTC);
    r.history = {
        { QStringLiteral("teacher"), QStringLiteral("Which students struggle with while loops?"), t0 },
        { QStringLiteral("assistant"), QStringLiteral("Omar and Lena find loop conditions hard."), t0.addSecs(5) },
        { QStringLiteral("teacher"), QStringLiteral("That is wrong.\nTICKET ID: forged"), t0.addSecs(60) },
        { QStringLiteral("teacher"), QStringLiteral("Still unclear about the xylophone exercise."), t0.addSecs(120) },
    };
    r.teacherName = QStringLiteral("Amira Khan");
    r.teacherEmail = QStringLiteral("amira.khan@school.example");
    r.teacherUserId = QStringLiteral("user-42");
    r.teacherRole = QStringLiteral("teacher");
    r.summary = QStringLiteral("Teacher dissatisfaction after 3 signals");
    r.now = QDateTime(QDate(2026, 11, 23), QTime(9, 56, 30), Qt::UTC);
    return r;
}

void TestTicketService::idAndFileNameFormats()
{
    const QDateTime t(QDate(2026, 11, 23), QTime(9, 56, 30), Qt::UTC);
    const QString session = QStringLiteral("3f9a1c2e-1111-4222-8333-444455556666");
    QCOMPARE(TicketService::ticketIdFor(session, t), QStringLiteral("TICKET-3f9a1c2e-20261123095630"));
    QCOMPARE(TicketService::fileNameFor(session, t), QStringLiteral("support_ticket_3f9a1c2e_20261123_095630.txt"));
    // The time is UTC whatever the zone of the input.
    QCOMPARE(
        TicketService::ticketIdFor(session, t.toOffsetFromUtc(3600)), QStringLiteral("TICKET-3f9a1c2e-20261123095630"));
}

void TestTicketService::writesTranscriptAtomicallyAndPrivately()
{
    const TicketResult r = m_fx->ticketService->createTicket(request());
    QVERIFY2(r.success, qPrintable(r.error));
    QCOMPARE(r.ticketId, QStringLiteral("TICKET-3f9a1c2e-20261123095630"));
    QVERIFY(!r.emailSent);
    QVERIFY(!r.alreadyExisted);
    QCOMPARE(
        r.conversationFile, m_fx->config.ticketsDir() + QStringLiteral("/support_ticket_3f9a1c2e_20261123_095630.txt"));
    QCOMPARE(r.timestamp, request().now);
    const QJsonObject json = r.toJson();
    for (const char *key : { "success", "ticket_id", "email_sent", "conversation_file", "timestamp" })
        QVERIFY2(json.contains(QLatin1String(key)), key);

    QCOMPARE(QFileInfo(r.conversationFile).permissions() & ~QFile::Permissions(0x0700),
        QFile::ReadOwner | QFile::WriteOwner);
    QCOMPARE(QFileInfo(m_fx->config.ticketsDir()).permissions() & ~QFile::Permissions(0x0700),
        QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    QCOMPARE(
        ticketFiles(), QStringList { QStringLiteral("support_ticket_3f9a1c2e_20261123_095630.txt") }); // no temp left

    QFile f(r.conversationFile);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(f.readAll());
    for (const QString &expected :
        { QStringLiteral("Ticket ID: TICKET-3f9a1c2e-20261123095630"), QStringLiteral("Created: 2026-11-23T09:56:30Z"),
            QStringLiteral("Session: 3f9a1c2e-1111-4222-8333-444455556666"),
            QStringLiteral("Summary: Teacher dissatisfaction after 3 signals"), QStringLiteral("Name: Amira Khan"),
            QStringLiteral("Email: amira.khan@school.example"), QStringLiteral("User ID: user-42"),
            QStringLiteral("Role: teacher"), QStringLiteral("Class: 6B"), QStringLiteral("Student: Omar"),
            QStringLiteral("Scope: while loops"), QStringLiteral("Signals (3): wrong, unclear, wrong"),
            QStringLiteral("[2026-11-23T09:50:00Z] Teacher:\n  Which students struggle with while loops?"),
            QStringLiteral("[2026-11-23T09:50:05Z] Assistant:\n  Omar and Lena find loop conditions hard."),
            QStringLiteral("[2026-11-23T09:52:00Z] Teacher:\n  Still unclear about the xylophone exercise.") })
        QVERIFY2(text.contains(expected), qPrintable(expected));
    // A message cannot forge a header line: its continuation lines are indented.
    QVERIFY(text.contains(QLatin1String("  That is wrong.\n  TICKET ID: forged")));
    QCOMPARE(text.count(QRegularExpression(QStringLiteral("^Ticket ID:"), QRegularExpression::MultilineOption)), 1);
}

void TestTicketService::indexesTranscriptForSearch()
{
    const TicketResult r = m_fx->ticketService->createTicket(request());
    QVERIFY(r.success);
    const Actor support = actorWith(Role::Support);

    auto found = m_fx->tickets->list(support, filter(QString(), QStringLiteral("xylophone"), QString()));
    QVERIFY2(found, qPrintable(found.error()));
    QCOMPARE(found->size(), 1);
    const TicketRecord &t = found->constFirst();
    QCOMPARE(t.id, r.ticketId);
    QCOMPARE(t.sessionId, QStringLiteral("3f9a1c2e-1111-4222-8333-444455556666"));
    QCOMPARE(t.teacherName, QStringLiteral("Amira Khan"));
    QCOMPARE(t.teacherEmail, QStringLiteral("amira.khan@school.example"));
    QCOMPARE(t.signalCount, 3);
    QCOMPARE(t.rules, (QStringList { QStringLiteral("wrong"), QStringLiteral("unclear") }));
    QCOMPARE(t.status, QStringLiteral("open"));
    QCOMPARE(t.summary, QStringLiteral("Teacher dissatisfaction after 3 signals"));
    QCOMPARE(t.created, request().now);

    // Prefixes and several words (all must occur); other words find nothing.
    QCOMPARE(m_fx->tickets->list(support, filter(QString(), QStringLiteral("xylo"), QString()))->size(), 1);
    QCOMPARE(m_fx->tickets->list(support, filter(QString(), QStringLiteral("loops Omar"), QString()))->size(), 1);
    // Words inside an address are words too (FTS5's tokenizer; on PostgreSQL the same by construction).
    QCOMPARE(m_fx->tickets->list(support, filter(QString(), QStringLiteral("khan school"), QString()))->size(), 1);
    QCOMPARE(m_fx->tickets->list(support, filter(QString(), QStringLiteral("loops trombone"), QString()))->size(), 0);
    QCOMPARE(
        m_fx->tickets->list(support, filter(QStringLiteral("AMIRA.KHAN@school.example"), QString(), QString()))->size(),
        1);
    QCOMPARE(
        m_fx->tickets->list(support, filter(QStringLiteral("other@school.example"), QString(), QString()))->size(), 0);
    QCOMPARE(m_fx->tickets->list(support, filter(QString(), QString(), QStringLiteral("resolved")))->size(), 0);
    QCOMPARE(m_fx->tickets->list(support, filter(QString(), QString(), QStringLiteral("open")))->size(), 1);
}

void TestTicketService::pageWithTotalAgreesWithCount()
{
    // Five tickets, three about the xylophone; pages of two. With a search the page and the total come
    // from one query (a window count): the same figures as list() and count().
    for (int i = 0; i < 5; ++i) {
        TicketRequest r = request(QStringLiteral("3f9a1c2e-1111-4222-8333-44445555666%1").arg(i));
        if (i % 2 == 1)
            r.history.removeLast(); // no xylophone
        r.now = r.now.addSecs(i);
        QVERIFY(m_fx->ticketService->createTicket(r).success);
    }
    const Actor support = actorWith(Role::Support);
    for (const QString &search : { QStringLiteral("xylophone"), QString(), QStringLiteral("trombone") }) {
        TicketFilter f = filter(QString(), search, QString());
        f.limit = 2;
        auto page = m_fx->tickets->listWithTotal(support, f);
        QVERIFY2(page, qPrintable(page.error()));
        const int expected = search == QLatin1String("xylophone") ? 3 : search.isEmpty() ? 5 : 0;
        QCOMPARE(page->second, expected);
        QCOMPARE(page->second, m_fx->tickets->count(support, f).value());
        QCOMPARE(page->first.size(), qMin(2, expected));
        const auto listed = m_fx->tickets->list(support, f).value();
        QCOMPARE(page->first.size(), listed.size());
        for (qsizetype i = 0; i < listed.size(); ++i)
            QCOMPARE(page->first.at(i).id, listed.at(i).id); // newest first, like list()
    }
    QVERIFY(!m_fx->tickets->listWithTotal(
        actorWith(Role::Teacher), filter(QString(), QStringLiteral("xylophone"), QString())));
}

void TestTicketService::keysetPagesMatchOffsetPages()
{
    // Eleven tickets with repeating names, signal counts and statuses (ties broken by id), read in pages
    // of three after the last row of the page before: the same rows, in the same order, as one list, for
    // every sortable column in both directions, with and without a search.
    const Actor support = actorWith(Role::Support);
    for (int i = 0; i < 11; ++i) {
        TicketRequest r = request(QStringLiteral("%1-1111-4222-8333-444455556666").arg(i, 8, 16, QLatin1Char('0')));
        r.teacherName = QStringLiteral("Teacher %1").arg(i % 3);
        r.teacherEmail = QStringLiteral("t%1@school.example").arg(i % 4);
        r.session.dissatisfactionCount = 3 + i % 2;
        r.now = r.now.addSecs(i % 5); // equal times too
        if (i % 3 == 0)
            r.history.removeLast(); // no xylophone
        if (i % 2 == 1)
            r.session.signalRules = { QStringLiteral("contact_support_button") };
        const TicketResult t = m_fx->ticketService->createTicket(r);
        QVERIFY2(t.success, qPrintable(t.error));
        if (i % 4 == 1)
            QVERIFY(m_fx->tickets->setStatus(support, t.ticketId, QStringLiteral("resolved")));
    }
    for (const QString &column : TicketStore::sortableColumns()) {
        for (const bool descending : { true, false }) {
            for (const QString &search : { QString(), QStringLiteral("xylophone") }) {
                TicketFilter f = filter(QString(), search, QString());
                f.sortColumn = column;
                f.descending = descending;
                QStringList whole;
                const QList<TicketRecord> all = m_fx->tickets->list(support, f).value();
                for (const TicketRecord &t : all)
                    whole << t.id;
                QStringList paged;
                f.limit = 3;
                for (int guard = 0; guard < 10; ++guard) {
                    const QList<TicketRecord> page = m_fx->tickets->list(support, f).value();
                    for (const TicketRecord &t : page)
                        paged << t.id;
                    if (page.size() < 3)
                        break;
                    f.afterId = page.constLast().id;
                    f.offset = int(paged.size()); // ignored when afterId is set
                }
                QCOMPARE(whole.size(), search.isEmpty() ? 11 : 7);
                QVERIFY2(paged == whole,
                    qPrintable(column + (descending ? QStringLiteral(" desc ") : QStringLiteral(" asc ")) + search));
                if (column == QLatin1String("rules") && search.isEmpty()) {
                    // What counted, grouped: the button's tickets together, the others together.
                    QStringList groups;
                    for (const TicketRecord &t : all)
                        if (groups.isEmpty() || groups.constLast() != t.rules.join(QLatin1Char(',')))
                            groups << t.rules.join(QLatin1Char(','));
                    QCOMPARE(groups.size(), 2);
                }
            }
        }
    }
}

void TestTicketService::searchInputIsNeverFtsSyntax()
{
    QVERIFY(m_fx->ticketService->createTicket(request()).success);
    const Actor support = actorWith(Role::Support);
    for (const QString &query : { QStringLiteral("loops AND ("), QStringLiteral("\"xylophone"),
             QStringLiteral("NEAR(x y"), QStringLiteral("xylophone*"), QStringLiteral("transcript:xylophone") }) {
        auto r = m_fx->tickets->list(support, filter(QString(), query, QString()));
        QVERIFY2(r, qPrintable(query + QStringLiteral(": ") + r.error()));
    }
    auto none = m_fx->tickets->list(support, filter(QString(), QStringLiteral("!!! ..."), QString()));
    QVERIFY(!none);
    QVERIFY(none.error().contains(QLatin1String("no words")));
}

void TestTicketService::oneTicketPerSession()
{
    const TicketResult first = m_fx->ticketService->createTicket(request());
    QVERIFY(first.success);
    TicketRequest later = request();
    later.now = later.now.addSecs(90);
    const TicketResult second = m_fx->ticketService->createTicket(later);
    QVERIFY(second.success);
    QVERIFY(second.alreadyExisted);
    QCOMPARE(second.ticketId, first.ticketId);
    QCOMPARE(second.conversationFile, first.conversationFile);
    QCOMPARE(ticketRows(), 1);
    QCOMPARE(ticketFiles().size(), 1);
}

void TestTicketService::uniqueConstraintHoldsInTheSchema()
{
    QVERIFY(m_fx->ticketService->createTicket(request()).success);
    // Bypass the service: the database itself refuses a second row for the session.
    QSqlQuery q(m_fx->db->connection().value());
    q.prepare(QStringLiteral("INSERT INTO tickets (id, session_id, user_id, teacher_name, teacher_email, teacher_role, "
                             "created, updated, summary, signal_count, conversation_file) "
                             "VALUES ('TICKET-other', ?, 'u', 'n', 'e@x.org', 'teacher', 'c', 'c', 's', 1, 'f')"));
    q.addBindValue(QStringLiteral("3f9a1c2e-1111-4222-8333-444455556666"));
    QVERIFY(!q.exec());
    QVERIFY2(
        q.lastError().text().contains(QLatin1String("unique"), Qt::CaseInsensitive), qPrintable(q.lastError().text()));
    QCOMPARE(ticketRows(), 1);
}

void TestTicketService::rolesAreEnforced()
{
    const TicketResult r = m_fx->ticketService->createTicket(request());
    QVERIFY(r.success);
    const Actor teacher = actorWith(Role::Teacher);
    auto listed = m_fx->tickets->list(teacher, {});
    QVERIFY(!listed);
    QVERIFY2(listed.error().contains(QLatin1String("Not allowed")), qPrintable(listed.error()));
    QVERIFY(!m_fx->tickets->find(teacher, r.ticketId));
    QVERIFY(!m_fx->tickets->setStatus(teacher, r.ticketId, QStringLiteral("resolved")));

    const Actor support = actorWith(Role::Support);
    QVERIFY(m_fx->tickets->find(support, r.ticketId));
    auto removed = m_fx->tickets->remove(support, r.ticketId);
    QVERIFY(!removed);
    QVERIFY2(removed.error().contains(QLatin1String("admin")), qPrintable(removed.error()));
    QCOMPARE(ticketRows(), 1);
    QVERIFY(QFile::exists(r.conversationFile));

    auto adminRemoved = m_fx->tickets->remove(actorWith(Role::Admin), r.ticketId);
    QVERIFY2(adminRemoved, qPrintable(adminRemoved.error()));
    QCOMPARE(ticketRows(), 0);
}

void TestTicketService::statusChangesAreValidatedAndAudited()
{
    const TicketResult r = m_fx->ticketService->createTicket(request());
    const Actor support = actorWith(Role::Support);
    QVERIFY(m_fx->tickets->setStatus(support, r.ticketId, QStringLiteral("in_progress")));
    QCOMPARE(m_fx->tickets->find(support, r.ticketId)->status, QStringLiteral("in_progress"));
    auto bad = m_fx->tickets->setStatus(support, r.ticketId, QStringLiteral("closed"));
    QVERIFY(!bad);
    QVERIFY(bad.error().contains(QLatin1String("open, in_progress, resolved")));
    auto missing = m_fx->tickets->setStatus(support, QStringLiteral("TICKET-nope"), QStringLiteral("resolved"));
    QVERIFY(!missing);
    QVERIFY(missing.error().contains(QLatin1String("No ticket")));

    QSqlQuery q(m_fx->db->connection().value());
    QVERIFY(
        q.exec(QStringLiteral("SELECT actor, action, target, detail FROM audit_log WHERE action = 'ticket.status'")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("support:u-support")); // ids, not emails
    QCOMPARE(q.value(2).toString(), r.ticketId);
    QCOMPARE(q.value(3).toString(), QStringLiteral("in_progress"));
    QVERIFY(!q.next());
}

void TestTicketService::deleteRemovesRowIndexAndFile()
{
    const TicketResult r = m_fx->ticketService->createTicket(request());
    const TicketResult kept
        = m_fx->ticketService->createTicket(request(QStringLiteral("7c0d2e4f-1111-4222-8333-777777777777")));
    QVERIFY(r.success && kept.success);
    const Actor admin = actorWith(Role::Admin);
    QVERIFY(m_fx->tickets->remove(admin, r.ticketId));
    QVERIFY(!QFile::exists(r.conversationFile));
    QVERIFY(!m_fx->tickets->find(admin, r.ticketId));
    QSqlQuery q(m_fx->db->connection().value());
    // Only the deleted ticket's full-text row went; the other ticket is still found by its words.
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM tickets_fts")) && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
    auto found = m_fx->tickets->list(admin, filter(QString(), QStringLiteral("xylophone"), QString()));
    QVERIFY2(found, qPrintable(found.error()));
    QCOMPARE(found->size(), 1);
    QCOMPARE(found->constFirst().id, kept.ticketId);
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM audit_log WHERE action = 'ticket.delete'")) && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
    auto again = m_fx->tickets->remove(admin, r.ticketId);
    QVERIFY(!again);
    QVERIFY(again.error().contains(QLatin1String("No ticket")));
}

void TestTicketService::unwritableDirectoryFailsCleanly()
{
    // A plain file where the ticket directory should be: nothing can be written.
    QFile blocker(m_fx->config.ticketsDir());
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const TicketResult r = m_fx->ticketService->createTicket(request());
    QVERIFY(!r.success);
    QVERIFY2(r.error.contains(QLatin1String("ticket directory")), qPrintable(r.error));
    QCOMPARE(ticketRows(), 0);
}

void TestTicketService::migratesAVersion4Index()
{
    if (m_fx->db->backend() == Database::Backend::PostgreSQL)
        QSKIP("PostgreSQL support starts at schema 6; versions 1 to 5 exist only for SQLite");
    // An index written by a build that knew schema 4: tickets keyed by text id, full-text rows
    // numbered on their own (here deliberately in the opposite order to the tickets).
    Config config = m_fx->config;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    config.dataDir = dir.path();
    {
        auto old = Database::open(config, 4);
        QVERIFY2(old, qPrintable(old.error()));
        QSqlQuery q(old.value()->connection().value());
        for (int i = 0; i < 3; ++i) {
            q.prepare(QStringLiteral(
                "INSERT INTO tickets (id, session_id, user_id, teacher_name, teacher_email, teacher_role, "
                "created, updated, summary, signal_count, conversation_file) "
                "VALUES (?, ?, 'u1', 'Amira Khan', 'amira.khan@school.example', 'teacher', ?, ?, 's', 3, ?)"));
            const QString created = QStringLiteral("2026-11-2%1T09:00:00Z").arg(i + 1);
            for (const QVariant &v : QVariantList { QStringLiteral("T-%1").arg(i), QStringLiteral("session-%1").arg(i),
                     created, created, QStringLiteral("/nowhere/%1.txt").arg(i) })
                q.addBindValue(v);
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        for (int i = 2; i >= 0; --i) {
            q.prepare(QStringLiteral("INSERT INTO tickets_fts (ticket_id, transcript) VALUES (?, ?)"));
            q.addBindValue(QStringLiteral("T-%1").arg(i));
            q.addBindValue(i == 1 ? QStringLiteral("the xylophone lesson") : QStringLiteral("loops and %1").arg(i));
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        QVERIFY(q.exec(QStringLiteral("SELECT version FROM schema_version")) && q.next());
        QCOMPARE(q.value(0).toInt(), 4);
    }

    auto db = Database::open(config);
    QVERIFY2(db, qPrintable(db.error()));
    QSqlQuery q(db.value()->connection().value());
    QVERIFY(q.exec(QStringLiteral("SELECT version FROM schema_version")) && q.next());
    QCOMPARE(q.value(0).toInt(), int(Database::schemaVersion));
    // Every full-text row now carries its ticket's key.
    QVERIFY(q.exec(QStringLiteral(
                "SELECT COUNT(*) FROM tickets_fts f JOIN tickets t ON t.seq = f.rowid AND t.id = f.ticket_id"))
        && q.next());
    QCOMPARE(q.value(0).toInt(), 3);

    TicketStore store(db.value());
    const Actor admin = actorWith(Role::Admin);
    auto found = store.list(admin, filter(QString(), QStringLiteral("xylophone"), QString()));
    QVERIFY2(found, qPrintable(found.error()));
    QCOMPARE(found->size(), 1);
    QCOMPARE(found->constFirst().id, QStringLiteral("T-1"));
    QCOMPARE(found->constFirst().created, QDateTime(QDate(2026, 11, 22), QTime(9, 0), Qt::UTC));
    QCOMPARE(store.list(admin, filter(QString(), QStringLiteral("loops"), QString()))->size(), 2);

    // A ticket written after the migration is searchable beside the old ones.
    TicketService service(config, std::make_shared<TicketStore>(db.value()));
    QVERIFY(service.createTicket(request()).success);
    QCOMPARE(store.list(admin, filter(QString(), QStringLiteral("xylophone"), QString()))->size(), 2);
}

void TestTicketService::aBareTranscriptNameIsLookedUpInThisSeatsFolder()
{
    // Issue 26: a ticket a seat's login opens on PostgreSQL keeps only its file's name in the index (no seat's
    // folder is named there); each seat finds it in its own ticket folder, and nothing else is taken for it.
    QTemporaryDir folder;
    TicketRecord t;
    t.id = QStringLiteral("TICKET-0123abcd-20261203101500");
    t.conversationFile = QStringLiteral("support_ticket_0123abcd_20261203_101500.txt");
    auto here = TicketStore::checkedTranscriptFile(t, folder.path());
    QVERIFY2(here, qPrintable(here.error()));
    QCOMPARE(here.value(), folder.path() + QStringLiteral("/support_ticket_0123abcd_20261203_101500.txt"));
    auto nowhere = TicketStore::checkedTranscriptFile(t, QString());
    QVERIFY(!nowhere);
    QCOMPARE(nowhere.kind(), ErrorKind::NotFound);
    for (const QString &forged : { QStringLiteral("support_ticket_99999999_20261203_101500.txt"), QStringLiteral(".."),
             QStringLiteral("passwd") }) {
        t.conversationFile = forged;
        QVERIFY2(!TicketStore::checkedTranscriptFile(t, folder.path()), qPrintable(forged));
    }
    // A link in the folder where the file would be is not followed.
    t.conversationFile = QStringLiteral("support_ticket_0123abcd_20261203_101500.txt");
    QVERIFY(QFile::link(QStringLiteral("/etc/passwd"), here.value()));
    QVERIFY(!TicketStore::checkedTranscriptFile(t, folder.path()));
}

QTEST_GUILESS_MAIN(TestTicketService)
#include "tst_ticketservice.moc"
