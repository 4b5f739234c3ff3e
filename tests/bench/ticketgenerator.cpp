#include "ticketgenerator.h"

#include "config.h"
#include "database.h"
#include "ticketservice.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QUuid>

namespace LearnPulse::Bench {

qint64 residentKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    return -1;
}

void generateIndex(const Config &config, std::shared_ptr<Database> db, int n, int forTeacher)
{
    QDir().mkpath(config.ticketsDir());
    QSqlQuery q(db->connection().value());
    q.exec(QStringLiteral("BEGIN"));
    const QStringList words { QStringLiteral("loops"), QStringLiteral("fractions"), QStringLiteral("essay"),
        QStringLiteral("quiz"), QStringLiteral("attendance"), QStringLiteral("photosynthesis"),
        QStringLiteral("algebra") };
    auto *rng = QRandomGenerator::global();
    const QDateTime base = QDateTime::currentDateTimeUtc().addDays(-300);
    for (int i = 0; i < n; ++i) {
        const QString session = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QDateTime created = base.addSecs(i * 60);
        const QString id = TicketService::ticketIdFor(session, created);
        const QString path = config.ticketsDir() + QLatin1Char('/') + TicketService::fileNameFor(session, created);
        const QString email = i < forTeacher ? QStringLiteral("erase.me@school.example")
                                             : QStringLiteral("teacher%1@school.example").arg(i % 5000);
        TicketRequest r;
        r.session.id = session;
        r.session.dissatisfactionCount = 3;
        r.teacherName = QStringLiteral("Teacher %1").arg(i % 5000);
        r.teacherEmail = email;
        r.teacherUserId = QStringLiteral("u%1").arg(i < forTeacher ? -1 : i % 5000);
        r.teacherRole = QStringLiteral("teacher");
        r.summary = QStringLiteral("Teacher dissatisfaction after 3 signals");
        r.history = { { QStringLiteral("teacher"),
            QStringLiteral("The %1 answer about %2 is wrong, ticket %3")
                .arg(words.at(rng->bounded(int(words.size()))), words.at(rng->bounded(int(words.size()))))
                .arg(i),
            created } };
        const QString text = TicketService::transcriptText(id, created, r);
        QFile f(path);
        f.open(QIODevice::WriteOnly);
        f.write(text.toUtf8());
        f.close();
        q.prepare(QStringLiteral(
            "INSERT INTO tickets (id, session_id, user_id, teacher_name, teacher_email, teacher_role, created, "
            "updated, summary, signal_count, conversation_file, email_status) VALUES "
            "(?, ?, ?, ?, ?, 'teacher', ?, ?, ?, 3, ?, 'not_configured') RETURNING seq"));
        for (const QVariant &v : QVariantList { id, session, r.teacherUserId, r.teacherName, email,
                 created.toString(Qt::ISODate), created.toString(Qt::ISODate), r.summary, path })
            q.addBindValue(v);
        q.exec();
        const QVariant seq = q.next() ? q.value(0) : QVariant();
        q.prepare(QStringLiteral("INSERT INTO tickets_fts (rowid, ticket_id, transcript) VALUES (?, ?, ?)"));
        q.addBindValue(seq);
        q.addBindValue(id);
        q.addBindValue(text);
        q.exec();
    }
    q.exec(QStringLiteral("COMMIT"));
}

} // namespace LearnPulse::Bench
