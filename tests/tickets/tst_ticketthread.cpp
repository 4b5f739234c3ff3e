// The ticket thread (issue 15): replies, notes, follow-ups, assignment, reading, rating and canned
// replies, against the real index (SQLite, or PostgreSQL with LP_TEST_DATABASE=postgres) and Redis.
#include "database.h"
#include "escalationengine.h"
#include "roles.h"
#include "testsupport.h"
#include "ticketthread.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace LearnPulse;
using namespace LearnPulse::Test;

class TestTicketThread : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void repliesAndNotesWithRoles();
    void followUpsGoIntoTheThreadAndReopen();
    void assignmentAndItsFilters();
    void unreadCountAndRatingOncePerResolution();
    void waitingCountsWorkingDaysOnly();
    void waitingStartsAndEndsWithTheThread();
    void renderIndentsEveryKindOfLineBreak();
    void cannedRepliesAreAdminsToKeep();
    void auditNamesIdsButNoText();
    void migratesAVersion7Index();

private:
    // A teacher's conversation escalated through the engine, as the console does it.
    QString escalate();
    Account addAccount(const QString &email, const QString &name, Role role)
    {
        auto added = m_fx->accounts->add(Actor::commandLine(), email, name, role);
        if (!added)
            qFatal("%s", qPrintable(added.error()));
        return added.value();
    }
    QString scalar(const QString &sql)
    {
        QSqlQuery q(m_fx->db->connection().value());
        if (!q.exec(sql) || !q.next())
            return QStringLiteral("<error>");
        return q.value(0).toString();
    }

    std::unique_ptr<CoreFixture> m_fx;
    std::unique_ptr<TicketThread> m_thread;
    Account m_teacher;
    Account m_agent;
    Account m_admin;
    QString m_session;
};

void TestTicketThread::init()
{
    m_fx = std::make_unique<CoreFixture>();
    QVERIFY2(m_fx->setUp(), qPrintable(m_fx->error()));
    m_thread = std::make_unique<TicketThread>(m_fx->db);
    m_teacher = m_fx->addTeacher();
    m_agent = addAccount(QStringLiteral("sam.lee@learnpulse.example"), QStringLiteral("Sam Lee"), Role::Support);
    m_admin = addAccount(QStringLiteral("root@learnpulse.example"), QStringLiteral("Ada Admin"), Role::Admin);
}

void TestTicketThread::cleanup()
{
    m_thread.reset();
    m_fx.reset();
}

QString TestTicketThread::escalate()
{
    SessionContext c;
    c.userId = m_teacher.id;
    c.teacherEmail = m_teacher.email;
    m_session = m_fx->sessions->createSession(c).value();
    const TurnOutcome o = m_fx->services->escalation()->handleTeacherMessage(
        m_teacher, m_session, QStringLiteral("The attendance figures are wrong."), true);
    if (!o.newlyEscalated)
        qFatal("no ticket: %s", qPrintable(o.error));
    return o.ticketId;
}

void TestTicketThread::repliesAndNotesWithRoles()
{
    const QString id = escalate();
    auto reply = m_thread->reply(m_agent.actor(), id, QStringLiteral("Hello, I am looking at the figures now."));
    QVERIFY2(reply, qPrintable(reply.error()));
    QCOMPARE(reply->message.kind, QStringLiteral("support"));
    QCOMPARE(reply->message.authorName, QStringLiteral("Sam Lee"));
    QCOMPARE(reply->message.speaker(), QStringLiteral("Support — Sam Lee"));
    QCOMPARE(reply->ticket.status, QStringLiteral("in_progress")); // a reply takes an open ticket into work
    auto note = m_thread->note(m_agent.actor(), id, QStringLiteral("Gradebook sync was down on Monday."));
    QVERIFY2(note, qPrintable(note.error()));
    QVERIFY(note->message.id > reply->message.id);

    // Support sees everything, in order; the teacher never sees the note.
    auto all = m_thread->messages(m_agent.actor(), id);
    QVERIFY2(all, qPrintable(all.error()));
    QCOMPARE(all->size(), 2);
    QCOMPARE(all->at(1).kind, QStringLiteral("note"));
    auto teacherView = m_thread->messages(m_teacher.actor(), id);
    QVERIFY2(teacherView, qPrintable(teacherView.error()));
    QCOMPARE(teacherView->size(), 1);
    QCOMPARE(teacherView->at(0).body, QStringLiteral("Hello, I am looking at the figures now."));
    // After an id: only what is newer.
    QCOMPARE(m_thread->messages(m_agent.actor(), id, reply->message.id)->size(), 1);

    // Another teacher finds nothing; a teacher cannot reply, note or assign.
    const Account other = m_fx->addTeacher(QStringLiteral("mr.other@school.example"), QStringLiteral("Other"));
    auto foreign = m_thread->messages(other.actor(), id);
    QVERIFY(!foreign);
    QVERIFY2(foreign.error().contains(QLatin1String("No ticket")), qPrintable(foreign.error()));
    QVERIFY(!m_thread->reply(m_teacher.actor(), id, QStringLiteral("I am support now")));
    QVERIFY(!m_thread->note(m_teacher.actor(), id, QStringLiteral("secret")));
    QVERIFY(!m_thread->assign(m_teacher.actor(), id, m_teacher.id));
    QVERIFY(!m_thread->addTeacherMessage(other.actor(), id, QStringLiteral("let me in")));

    // Bad input is refused and writes nothing.
    QVERIFY(!m_thread->reply(m_agent.actor(), id, QStringLiteral("   ")));
    QVERIFY(!m_thread->reply(m_agent.actor(), QStringLiteral("TICKET-nope"), QStringLiteral("hello")));
    QCOMPARE(m_thread->messages(m_agent.actor(), id)->size(), 2);
    // A control character is kept as a visible U+FFFD, never stored as it came (issue 17).
    QVERIFY(m_thread->reply(m_agent.actor(), id, QStringLiteral("bell \a in text\r\nnext")));
    QCOMPARE(m_thread->messages(m_agent.actor(), id)->constLast().body, QStringLiteral("bell \ufffd in text\nnext"));
}

void TestTicketThread::followUpsGoIntoTheThreadAndReopen()
{
    const QString id = escalate();
    EscalationEngine &engine = *m_fx->services->escalation();
    const TurnOutcome followUp
        = engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("Also, the June column is empty."));
    QCOMPARE(followUp.status, TurnOutcome::Status::Recorded);
    QVERIFY(followUp.addedToThread);
    QVERIFY(!followUp.reopened);
    QVERIFY(!followUp.newlyEscalated);
    auto thread = m_thread->messages(m_agent.actor(), id);
    QCOMPARE(thread->size(), 1);
    QCOMPARE(thread->at(0).kind, QStringLiteral("teacher"));
    QCOMPARE(thread->at(0).body, QStringLiteral("Also, the June column is empty."));

    QVERIFY(m_fx->tickets->setStatus(m_agent.actor(), id, QStringLiteral("resolved")));
    const TurnOutcome afterResolve
        = engine.handleTeacherMessage(m_teacher, m_session, QStringLiteral("It is broken again."));
    QVERIFY(afterResolve.addedToThread);
    QVERIFY(afterResolve.reopened);
    QCOMPARE(afterResolve.ticketId, id); // the same ticket, never a second one
    QCOMPARE(m_fx->tickets->find(m_agent.actor(), id)->status, QStringLiteral("open"));
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM tickets")), QStringLiteral("1"));
    QCOMPARE(m_thread->messages(m_agent.actor(), id)->size(), 2);
}

void TestTicketThread::assignmentAndItsFilters()
{
    const QString id = escalate();
    TicketFilter mine;
    mine.assignment = TicketFilter::Assignment::Mine;
    mine.viewerId = m_agent.id;
    TicketFilter unassigned;
    unassigned.assignment = TicketFilter::Assignment::Unassigned;
    QCOMPARE(m_fx->tickets->list(m_agent.actor(), mine)->size(), 0);
    QCOMPARE(m_fx->tickets->list(m_agent.actor(), unassigned)->size(), 1);

    auto assigned = m_thread->assign(m_agent.actor(), id, m_agent.id);
    QVERIFY2(assigned, qPrintable(assigned.error()));
    QCOMPARE(assigned->assigneeName, QStringLiteral("Sam Lee"));
    QCOMPARE(m_fx->tickets->list(m_agent.actor(), mine)->size(), 1);
    QCOMPARE(m_fx->tickets->list(m_agent.actor(), unassigned)->size(), 0);
    TicketFilter adminsOwn = mine;
    adminsOwn.viewerId = m_admin.id;
    QCOMPARE(m_fx->tickets->list(m_admin.actor(), adminsOwn)->size(), 0);

    // Only support and admin accounts take tickets; "Mine" needs someone.
    auto toTeacher = m_thread->assign(m_agent.actor(), id, m_teacher.id);
    QVERIFY(!toTeacher);
    QVERIFY2(toTeacher.error().contains(QLatin1String("not an active support account")), qPrintable(toTeacher.error()));
    QVERIFY(!m_thread->assign(m_agent.actor(), id, QStringLiteral("no-such-user")));
    mine.viewerId.clear();
    QVERIFY(!m_fx->tickets->list(m_agent.actor(), mine));

    // Unassigning; the assignee sorts.
    QVERIFY(m_thread->assign(m_admin.actor(), id, QString()));
    QCOMPARE(m_fx->tickets->find(m_admin.actor(), id)->assigneeId, QString());
    TicketFilter byAssignee;
    byAssignee.sortColumn = QStringLiteral("assignee_name");
    QVERIFY(m_fx->tickets->list(m_agent.actor(), byAssignee));
}

void TestTicketThread::unreadCountAndRatingOncePerResolution()
{
    const QString id = escalate();
    QCOMPARE(m_thread->unreadCount(m_teacher.actor(), id).value(), 0);
    auto first = m_thread->reply(m_agent.actor(), id, QStringLiteral("First answer."));
    QVERIFY(first);
    QVERIFY(m_thread->note(m_agent.actor(), id, QStringLiteral("not for the teacher")));
    auto second = m_thread->reply(m_agent.actor(), id, QStringLiteral("Second answer."));
    QVERIFY(second);
    QCOMPARE(m_thread->unreadCount(m_teacher.actor(), id).value(), 2); // the note does not count
    QVERIFY(m_thread->markRead(m_teacher.actor(), id, first->message.id));
    QCOMPARE(m_thread->unreadCount(m_teacher.actor(), id).value(), 1);
    QVERIFY(m_thread->markRead(m_teacher.actor(), id, 0)); // never moves back
    QCOMPARE(m_thread->unreadCount(m_teacher.actor(), id).value(), 1);

    // Rating: only when resolved, only by the ticket's teacher, once per resolution.
    auto early = m_thread->rate(m_teacher.actor(), id, true, {});
    QVERIFY(!early);
    QVERIFY2(early.error().contains(QLatin1String("once it is resolved")), qPrintable(early.error()));
    QVERIFY(m_fx->tickets->setStatus(m_agent.actor(), id, QStringLiteral("resolved")));
    const Account other = m_fx->addTeacher(QStringLiteral("mr.other@school.example"), QStringLiteral("Other"));
    QVERIFY(!m_thread->rate(other.actor(), id, false, {}));
    QVERIFY(!m_thread->rate(m_agent.actor(), id, false, {}));
    auto rated = m_thread->rate(m_teacher.actor(), id, false, QStringLiteral("Took two days."));
    QVERIFY2(rated, qPrintable(rated.error()));
    QCOMPARE(m_fx->tickets->find(m_agent.actor(), id)->rating, QStringLiteral("not_helpful"));
    QCOMPARE(m_fx->tickets->find(m_agent.actor(), id)->ratingComment, QStringLiteral("Took two days."));
    auto again = m_thread->rate(m_teacher.actor(), id, true, {});
    QVERIFY(!again);
    QVERIFY2(again.error().contains(QLatin1String("rated already")), qPrintable(again.error()));
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM csat_events")), QStringLiteral("1"));
    QCOMPARE(scalar(QStringLiteral("SELECT helpful FROM csat_events")), QStringLiteral("0"));

    // A teacher message reopens the ticket and clears the rating; the next resolution is rated anew.
    QVERIFY(m_thread->addTeacherMessage(m_teacher.actor(), id, QStringLiteral("Back again.")));
    QCOMPARE(m_fx->tickets->find(m_agent.actor(), id)->rating, QString());
    QVERIFY(m_fx->tickets->setStatus(m_agent.actor(), id, QStringLiteral("resolved")));
    QVERIFY(m_thread->rate(m_teacher.actor(), id, true, {}));
    QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM csat_events")), QStringLiteral("2"));
}

void TestTicketThread::waitingCountsWorkingDaysOnly()
{
    TicketRecord t;
    QCOMPARE(t.waitingHours(QDateTime::currentDateTimeUtc()), -1.0);
    // Friday 2026-11-27 15:00 UTC to Monday 2026-11-30 10:00: 9 hours on Friday, 10 on Monday.
    t.waitingSince = QDateTime(QDate(2026, 11, 27), QTime(15, 0), Qt::UTC);
    QCOMPARE(t.waitingHours(QDateTime(QDate(2026, 11, 30), QTime(10, 0), Qt::UTC)), 19.0);
    // Within one weekday.
    QCOMPARE(t.waitingHours(QDateTime(QDate(2026, 11, 27), QTime(16, 30), Qt::UTC)), 1.5);
    // A message from Saturday waits from Monday on.
    t.waitingSince = QDateTime(QDate(2026, 11, 28), QTime(9, 0), Qt::UTC);
    QCOMPARE(t.waitingHours(QDateTime(QDate(2026, 11, 30), QTime(4, 0), Qt::UTC)), 4.0);
    QCOMPARE(t.waitingHours(t.waitingSince.addSecs(-60)), 0.0);
}

void TestTicketThread::waitingStartsAndEndsWithTheThread()
{
    const QString id = escalate();
    const TicketRecord opened = m_fx->tickets->find(m_agent.actor(), id).value();
    QCOMPARE(opened.waitingSince, opened.created); // the escalation itself waits for a first response
    QVERIFY(m_thread->reply(m_agent.actor(), id, QStringLiteral("On it.")));
    QVERIFY(!m_fx->tickets->find(m_agent.actor(), id)->waitingSince.isValid());
    QVERIFY(m_thread->note(m_agent.actor(), id, QStringLiteral("a note is no reply")));
    QVERIFY(!m_fx->tickets->find(m_agent.actor(), id)->waitingSince.isValid());
    auto asked = m_thread->addTeacherMessage(m_teacher.actor(), id, QStringLiteral("Any news?"));
    QVERIFY(asked);
    QCOMPARE(m_fx->tickets->find(m_agent.actor(), id)->waitingSince, asked->message.time);
    QVERIFY(m_thread->addTeacherMessage(m_teacher.actor(), id, QStringLiteral("Hello?")));
    QCOMPARE(m_fx->tickets->find(m_agent.actor(), id)->waitingSince, asked->message.time); // the oldest counts

    // Sorting by the wait puts the longest first, tickets nobody waits on last (both back ends).
    QVERIFY(m_fx->tickets->setStatus(m_agent.actor(), id, QStringLiteral("resolved")));
    QVERIFY(!m_fx->tickets->find(m_agent.actor(), id)->waitingSince.isValid());
    TicketFilter f;
    f.sortColumn = QStringLiteral("waiting_since");
    f.descending = false;
    QCOMPARE(m_fx->tickets->list(m_agent.actor(), f)->size(), 1);
}

void TestTicketThread::renderIndentsEveryKindOfLineBreak()
{
    ThreadMessage m;
    m.time = QDateTime(QDate(2026, 12, 1), QTime(10, 0), Qt::UTC);
    m.kind = QStringLiteral("teacher");
    m.body = QStringLiteral("one\ntwo\r\nthree\rfour") + QChar(0x2028) + QStringLiteral("LearnPulse: closed")
        + QChar(0x2029) + QStringLiteral("six") + QChar(0x85) + QStringLiteral("seven");
    const QString text = TicketThread::render({ m });
    QVERIFY2(
        text.contains(QLatin1String("[2026-12-01T10:00:00Z] Teacher:\n  one\n  two\n  three\n  four\n  LearnPulse: "
                                    "closed\n  six\n  seven\n")),
        qPrintable(text));
    for (const QString &line : text.split(QLatin1Char('\n')))
        QVERIFY2(line.isEmpty() || line.startsWith(QLatin1String("  ")) || line.startsWith(QLatin1Char('['))
                || line.startsWith(QLatin1String("After the escalation")),
            qPrintable(line));
    QVERIFY(!text.contains(QChar(0x2028)) && !text.contains(QLatin1Char('\r')));
    QCOMPARE(TicketThread::render({}), QString());
}

void TestTicketThread::cannedRepliesAreAdminsToKeep()
{
    QVERIFY(!m_thread->saveCannedReply(m_agent.actor(), QStringLiteral("Thanks"), QStringLiteral("Thank you!")));
    QVERIFY(m_thread->saveCannedReply(m_admin.actor(), QStringLiteral("Thanks"), QStringLiteral("Thank you!")));
    QVERIFY(m_thread->saveCannedReply(
        m_admin.actor(), QStringLiteral("Sync"), QStringLiteral("The gradebook sync runs every night.")));
    QVERIFY(m_thread->saveCannedReply(m_admin.actor(), QStringLiteral("Thanks"), QStringLiteral("Thanks a lot!")));
    QVERIFY(!m_thread->saveCannedReply(m_admin.actor(), QStringLiteral("  "), QStringLiteral("body")));
    auto list = m_thread->cannedReplies(m_agent.actor());
    QVERIFY2(list, qPrintable(list.error()));
    QCOMPARE(list->size(), 2);
    QCOMPARE(list->at(1).title, QStringLiteral("Thanks"));
    QCOMPARE(list->at(1).body, QStringLiteral("Thanks a lot!"));
    QVERIFY(!m_thread->cannedReplies(m_teacher.actor()));
    QVERIFY(!m_thread->removeCannedReply(m_agent.actor(), QStringLiteral("Sync")));
    QVERIFY(m_thread->removeCannedReply(m_admin.actor(), QStringLiteral("Sync")));
    QVERIFY(!m_thread->removeCannedReply(m_admin.actor(), QStringLiteral("Sync")));
    QCOMPARE(m_thread->cannedReplies(m_admin.actor())->size(), 1);
}

void TestTicketThread::auditNamesIdsButNoText()
{
    const QString id = escalate();
    QVERIFY(m_thread->reply(m_agent.actor(), id, QStringLiteral("Zanzibar reply")));
    QVERIFY(m_thread->note(m_agent.actor(), id, QStringLiteral("Zanzibar note")));
    QVERIFY(m_thread->assign(m_agent.actor(), id, m_agent.id));
    auto entries = m_fx->db->auditEntries(m_admin.actor());
    QVERIFY2(entries, qPrintable(entries.error()));
    QStringList actions;
    for (const Database::AuditEntry &e : entries.value()) {
        actions << e.action;
        QVERIFY2(!e.detail.contains(QLatin1String("Zanzibar")) && !e.target.contains(QLatin1String("Zanzibar")),
            qPrintable(e.detail));
    }
    QVERIFY2(actions.contains(QLatin1String("ticket.support")), qPrintable(actions.join(u',')));
    QVERIFY(actions.contains(QLatin1String("ticket.note")));
    QVERIFY(actions.contains(QLatin1String("ticket.assign")));
}

void TestTicketThread::migratesAVersion7Index()
{
    if (m_fx->db->backend() == Database::Backend::PostgreSQL)
        QSKIP("a PostgreSQL index is created at the newest version; the steps are the same statements");
    // An index of the build before the thread: an open and a resolved ticket.
    Config config = m_fx->config;
    QTemporaryDir dir;
    config.dataDir = dir.path();
    {
        auto old = Database::open(config, 7);
        QVERIFY2(old, qPrintable(old.error()));
        QSqlQuery q(old.value()->connection().value());
        for (const QString &status : { QStringLiteral("open"), QStringLiteral("resolved") }) {
            q.prepare(QStringLiteral(
                "INSERT INTO tickets (id, session_id, user_id, teacher_name, teacher_email, teacher_role, created, "
                "updated, summary, signal_count, status, conversation_file) VALUES (?, ?, 'u1', 'Amira', "
                "'amira@school.example', 'teacher', '2026-11-27T15:00:00Z', '2026-11-27T15:00:00Z', 's', 3, ?, '/x')"));
            q.addBindValue(QString(QStringLiteral("T-") + status));
            q.addBindValue(QString(QStringLiteral("session-") + status));
            q.addBindValue(status);
            QVERIFY(q.exec());
        }
    }
    auto db = Database::open(config);
    QVERIFY2(db, qPrintable(db.error()));
    TicketStore store(db.value());
    const TicketRecord open = store.find(Actor::commandLine(), QStringLiteral("T-open")).value();
    QCOMPARE(open.waitingSince, QDateTime(QDate(2026, 11, 27), QTime(15, 0), Qt::UTC)); // waiting since it opened
    QCOMPARE(open.assigneeId, QString());
    QVERIFY(!store.find(Actor::commandLine(), QStringLiteral("T-resolved"))->waitingSince.isValid());
    TicketThread thread(db.value());
    QCOMPARE(thread.messages(Actor::commandLine(), QStringLiteral("T-open"))->size(), 0);
    QVERIFY(thread.reply(m_agent.actor(), QStringLiteral("T-open"), QStringLiteral("Hello")));
}

QTEST_GUILESS_MAIN(TestTicketThread)
#include "tst_ticketthread.moc"
