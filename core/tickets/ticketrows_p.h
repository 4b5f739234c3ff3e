#pragma once

// What the ticket store's files share: the columns of a ticket row and how a row is read.

#include "messagevalidator.h"
#include "ticketstore.h"

#include <QSqlQuery>

namespace LearnPulse::TicketRows {

inline const QString columns = QStringLiteral(
    "t.id, t.session_id, t.user_id, t.teacher_name, t.teacher_email, t.teacher_role, t.class_id, t.student, t.scope, "
    "t.created, t.updated, t.summary, t.signal_count, t.rules, t.status, t.email_status, t.conversation_file, "
    "t.integrity, t.assignee_id, t.assignee_name, t.waiting_since, t.teacher_read, t.rating, t.rating_comment");

inline constexpr int columnCount = 24;

// A row may come from any seat (or anybody with the database): its text is neutralised as it is read, so that no
// view, mail or terminal shows a control character, a line of its own making or a change of direction.
inline QString oneLine(const QString &text)
{
    return MessageValidator::neutralise(text).replace(QLatin1Char('\n'), QLatin1Char(' '));
}

inline TicketRecord fromQuery(const QSqlQuery &q)
{
    TicketRecord r;
    int i = 0;
    r.id = q.value(i++).toString();
    r.sessionId = q.value(i++).toString();
    r.userId = q.value(i++).toString();
    r.teacherName = oneLine(q.value(i++).toString());
    r.teacherEmail = q.value(i++).toString();
    r.teacherRole = q.value(i++).toString();
    r.classId = oneLine(q.value(i++).toString());
    r.student = oneLine(q.value(i++).toString());
    r.scope = oneLine(q.value(i++).toString());
    r.created = QDateTime::fromString(q.value(i++).toString(), Qt::ISODate);
    r.updated = QDateTime::fromString(q.value(i++).toString(), Qt::ISODate);
    r.summary = oneLine(q.value(i++).toString());
    r.signalCount = q.value(i++).toInt();
    r.rules = q.value(i++).toString().split(QLatin1Char(','), Qt::SkipEmptyParts);
    r.status = q.value(i++).toString();
    r.emailStatus = q.value(i++).toString();
    r.conversationFile = q.value(i++).toString();
    r.integrity = q.value(i++).toString();
    r.assigneeId = q.value(i++).toString();
    r.assigneeName = oneLine(q.value(i++).toString());
    r.waitingSince = QDateTime::fromString(q.value(i++).toString(), Qt::ISODate);
    if (r.waitingSince.isValid() && r.waitingSince.date().year() >= 9999)
        r.waitingSince = {}; // nobody waits (schema version 8)
    r.teacherRead = q.value(i++).toLongLong();
    r.rating = q.value(i++).toString();
    r.ratingComment = MessageValidator::neutralise(q.value(i++).toString());
    return r;
}

} // namespace LearnPulse::TicketRows
