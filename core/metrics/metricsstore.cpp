#include "metricsstore.h"

#include "database.h"
#include "roles.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSet>
#include <QSqlQuery>

#include <algorithm>
#include <functional>

namespace LearnPulse {

namespace {

// Events keep the hour only: enough for days and weeks, and too coarse to tie one to a ticket.
QString hourStamp(const QDateTime &t)
{
    const QDateTime utc = t.toUTC();
    return QDateTime(utc.date(), QTime(utc.time().hour(), 0), Qt::UTC).toString(Qt::ISODate);
}

QString weekLabel(QDate day)
{
    int year = 0;
    const int week = day.weekNumber(&year);
    return QStringLiteral("%1-W%2").arg(year).arg(week, 2, 10, QLatin1Char('0'));
}

QJsonObject periodJson(const MetricsStore::Period &p, const QString &key)
{
    return QJsonObject { { key, p.label }, { QStringLiteral("days"), p.days },
        { QStringLiteral("sessions"), p.sessions }, { QStringLiteral("escalations"), p.escalations },
        { QStringLiteral("escalation_rate"), p.rate() } };
}

} // namespace

MetricsStore::MetricsStore(std::shared_ptr<Database> db)
    : m_db(std::move(db))
{ }

Status MetricsStore::recordSession()
{
    return record(QStringLiteral("session"), 0, QString());
}

Status MetricsStore::recordEscalation(int teacherMessages, const QStringList &rules)
{
    QStringList distinct = rules;
    distinct.removeDuplicates();
    return record(QStringLiteral("escalation"), teacherMessages, distinct.join(QLatin1Char(',')));
}

Status MetricsStore::recordGuardHit(const QString &kind)
{
    return record(QStringLiteral("guard"), 0, kind);
}

Status MetricsStore::recordFeedback(const QString &kind, const QString &detail)
{
    auto conn = m_db->connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(QStringLiteral("INSERT INTO feedback_events (ts, kind, detail) VALUES (?, ?, ?)"));
    q.addBindValue(hourStamp(QDateTime::currentDateTimeUtc()));
    q.addBindValue(kind);
    q.addBindValue(detail.isNull() ? QStringLiteral("") : detail);
    if (!q.exec())
        return Status::failure(QStringLiteral("Cannot record a feedback event: %1").arg(Database::errorOf(q)));
    return {};
}

QString MetricsStore::signalKind(const QString &rule)
{
    static const QSet<QString> asked { QStringLiteral("talk_to_person"), QStringLiteral("contact_support"),
        QStringLiteral("ask_for_human"), QStringLiteral("escape_word"), QStringLiteral("real_person"),
        QStringLiteral("put_through"), QStringLiteral("support_staff"), QStringLiteral("someone_help_me"),
        QStringLiteral("open_ticket"), QStringLiteral("escalate"), QStringLiteral("contact_me"),
        QStringLiteral("to_support"), QStringLiteral("model_person") };
    if (rule == QLatin1String("contact_support_button"))
        return QStringLiteral("button");
    if (rule == QLatin1String("offer_accepted"))
        return QStringLiteral("offer");
    if (rule == QLatin1String("repetition"))
        return QStringLiteral("repetition");
    if (rule == QLatin1String("thumbs_down"))
        return QStringLiteral("feedback");
    return asked.contains(rule) ? QStringLiteral("request") : QStringLiteral("message");
}

Status MetricsStore::record(const QString &kind, int messages, const QString &detail)
{
    auto conn = m_db->connection();
    if (!conn)
        return Status::failure(conn.error());
    QSqlQuery q(conn.value());
    q.prepare(QStringLiteral("INSERT INTO metric_events (ts, kind, messages, detail) VALUES (?, ?, ?, ?)"));
    q.addBindValue(hourStamp(QDateTime::currentDateTimeUtc()));
    q.addBindValue(kind);
    q.addBindValue(messages);
    q.addBindValue(detail.isNull() ? QStringLiteral("") : detail);
    if (!q.exec())
        return Status::failure(QStringLiteral("Cannot record a metric event: %1").arg(Database::errorOf(q)));
    return {};
}

Result<MetricsStore::Summary> MetricsStore::summary(const Actor &actor, QDate from, QDate to)
{
    using R = Result<Summary>;
    if (const QString refused = refusal(actor, Permission::ViewMetrics); !refused.isEmpty())
        return R::failure(refused);
    if (!from.isValid() || !to.isValid() || from > to)
        return R::failure(QStringLiteral("The metrics need a valid range of days (from %1 to %2).")
                              .arg(from.toString(Qt::ISODate), to.toString(Qt::ISODate)));
    auto conn = m_db->connection();
    if (!conn)
        return R::failure(conn.error());
    QSqlQuery q(conn.value());
    q.setForwardOnly(true);
    const QString lower = from.startOfDay(Qt::UTC).toString(Qt::ISODate);
    const QString upper = to.addDays(1).startOfDay(Qt::UTC).toString(Qt::ISODate);
    auto run = [&](const QString &sql) {
        q.prepare(sql);
        q.addBindValue(lower);
        q.addBindValue(upper);
        return q.exec();
    };
    auto failed = [&] { return R::failure(QStringLiteral("Cannot read the metrics: %1").arg(Database::errorOf(q))); };

    Summary s;
    s.from = from;
    s.to = to;
    QMap<QDate, Period> days;
    for (QDate d = from; d <= to; d = d.addDays(1))
        days.insert(d, Period { d.toString(Qt::ISODate) });

    // Counts per day: `add` gets the day's period, the grouping value and the count of each row.
    auto perDay = [&](const QString &sql, const std::function<void(Period &, const QVariant &, int)> &add) {
        if (!run(sql))
            return false;
        while (q.next()) {
            const QDate day = QDate::fromString(q.value(0).toString(), Qt::ISODate);
            if (days.contains(day))
                add(days[day], q.value(1), q.value(2).toInt());
        }
        return true;
    };
    if (!perDay(QStringLiteral("SELECT substr(ts, 1, 10), kind, COUNT(*) FROM metric_events WHERE ts >= ? AND ts < ? "
                               "AND kind IN ('session', 'escalation') GROUP BY substr(ts, 1, 10), kind"),
            [&s](Period &p, const QVariant &kind, int n) {
                if (kind.toString() == QLatin1String("session")) {
                    p.sessions += n;
                    s.sessions += n;
                } else {
                    p.escalations += n;
                    s.escalations += n;
                }
            }))
        return failed();
    // Ratings of resolved tickets (csat_events: the hour and the verdict only).
    if (!perDay(QStringLiteral("SELECT substr(ts, 1, 10), helpful, COUNT(*) FROM csat_events WHERE ts >= ? AND ts < ? "
                               "GROUP BY substr(ts, 1, 10), helpful"),
            [&s](Period &p, const QVariant &helpful, int n) {
                p.ratings += n;
                s.ratings += n;
                if (helpful.toInt() != 0) {
                    p.helpful += n;
                    s.helpfulRatings += n;
                }
            }))
        return failed();
    // Teachers' feedback (feedback_events: the hour, the kind and what it was).
    if (!perDay(QStringLiteral("SELECT substr(ts, 1, 10), kind || ':' || detail, COUNT(*) FROM feedback_events "
                               "WHERE ts >= ? AND ts < ? AND kind IN ('thumbs', 'offer') "
                               "GROUP BY substr(ts, 1, 10), kind || ':' || detail"),
            [&s](Period &p, const QVariant &what, int n) {
                const QString w = what.toString();
                int *day = w == QLatin1String("thumbs:up") ? &p.thumbsUp
                    : w == QLatin1String("thumbs:down")    ? &p.thumbsDown
                    : w == QLatin1String("offer:made")     ? &p.offersMade
                    : w == QLatin1String("offer:accepted") ? &p.offersAccepted
                    : w == QLatin1String("offer:declined") ? &p.offersDeclined
                                                           : nullptr;
                int *total = w == QLatin1String("thumbs:up") ? &s.thumbsUp
                    : w == QLatin1String("thumbs:down")      ? &s.thumbsDown
                    : w == QLatin1String("offer:made")       ? &s.offersMade
                    : w == QLatin1String("offer:accepted")   ? &s.offersAccepted
                    : w == QLatin1String("offer:declined")   ? &s.offersDeclined
                                                             : nullptr;
                if (day && total) {
                    *day += n;
                    *total += n;
                }
            }))
        return failed();
    QMap<QString, Period> weeks; // "yyyy-Www" sorts by time
    for (auto it = days.cbegin(); it != days.cend(); ++it) {
        s.days << it.value();
        const bool first = !weeks.contains(weekLabel(it.key()));
        Period &w = weeks[weekLabel(it.key())];
        w.days = first ? 1 : w.days + 1;
        w.label = weekLabel(it.key());
        w.sessions += it->sessions;
        w.escalations += it->escalations;
        w.ratings += it->ratings;
        w.helpful += it->helpful;
        w.thumbsUp += it->thumbsUp;
        w.thumbsDown += it->thumbsDown;
        w.offersMade += it->offersMade;
        w.offersAccepted += it->offersAccepted;
        w.offersDeclined += it->offersDeclined;
    }
    s.weeks = weeks.values();

    if (!run(QStringLiteral(
            "SELECT messages, detail FROM metric_events WHERE ts >= ? AND ts < ? AND kind = 'escalation'")))
        return failed();
    QList<int> messages;
    QMap<QString, int> rules;
    while (q.next()) {
        const int n = q.value(0).toInt();
        messages << n;
        s.messagesToEscalation[n] += 1;
        QSet<QString> kinds;
        for (const QString &rule : q.value(1).toString().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            rules[rule] += 1;
            kinds.insert(signalKind(rule));
        }
        for (const QString &kind : std::as_const(kinds))
            s.escalationsBySignalKind[kind] += 1;
    }
    if (!messages.isEmpty()) {
        std::sort(messages.begin(), messages.end());
        const qsizetype mid = messages.size() / 2;
        s.medianMessagesToEscalation
            = messages.size() % 2 ? messages.at(mid) : (messages.at(mid - 1) + messages.at(mid)) / 2.0;
    }
    for (auto it = rules.cbegin(); it != rules.cend(); ++it)
        s.topRules << RuleCount { it.key(), it.value() };
    std::stable_sort(s.topRules.begin(), s.topRules.end(),
        [](const RuleCount &a, const RuleCount &b) { return a.escalations > b.escalations; });

    if (!run(QStringLiteral("SELECT detail, COUNT(*) FROM metric_events WHERE ts >= ? AND ts < ? AND kind = 'guard' "
                            "GROUP BY detail")))
        return failed();
    while (q.next())
        s.guardHits.insert(q.value(0).toString(), q.value(1).toInt());

    if (!run(QStringLiteral("SELECT detail, COUNT(*) FROM feedback_events WHERE ts >= ? AND ts < ? AND "
                            "kind = 'withdrawn' GROUP BY detail")))
        return failed();
    while (q.next()) {
        s.withdrawnSignals.insert(q.value(0).toString(), q.value(1).toInt());
        s.withdrawnTotal += q.value(1).toInt();
    }
    return s;
}

Result<MetricsStore::Summary> MetricsStore::lastDays(const Actor &actor, int days)
{
    const QDate today = QDateTime::currentDateTimeUtc().date();
    return summary(actor, today.addDays(1 - qBound(1, days, 3660)), today);
}

QJsonObject MetricsStore::Summary::toJson() const
{
    QJsonArray distribution;
    for (auto it = messagesToEscalation.cbegin(); it != messagesToEscalation.cend(); ++it)
        distribution.append(
            QJsonObject { { QStringLiteral("messages"), it.key() }, { QStringLiteral("escalations"), it.value() } });
    QJsonArray rules;
    for (const RuleCount &r : topRules)
        rules.append(
            QJsonObject { { QStringLiteral("rule"), r.rule }, { QStringLiteral("escalations"), r.escalations } });
    QJsonObject guard;
    int guardTotal = 0;
    for (auto it = guardHits.cbegin(); it != guardHits.cend(); ++it) {
        guard.insert(it.key(), it.value());
        guardTotal += it.value();
    }
    QJsonArray dayList;
    for (const Period &p : days)
        dayList.append(periodJson(p, QStringLiteral("day")));
    QJsonArray weekList;
    QJsonArray csatWeeks;
    QJsonArray feedbackWeeks;
    auto csatValue = [](double v) { return v < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(v); };
    for (const Period &p : weeks) {
        weekList.append(periodJson(p, QStringLiteral("week")));
        csatWeeks.append(QJsonObject { { QStringLiteral("week"), p.label }, { QStringLiteral("ratings"), p.ratings },
            { QStringLiteral("helpful"), p.helpful }, { QStringLiteral("csat"), csatValue(p.csat()) } });
        feedbackWeeks.append(QJsonObject { { QStringLiteral("week"), p.label },
            { QStringLiteral("thumbs_up"), p.thumbsUp }, { QStringLiteral("thumbs_down"), p.thumbsDown },
            { QStringLiteral("offers"), p.offersMade }, { QStringLiteral("offers_accepted"), p.offersAccepted },
            { QStringLiteral("offers_declined"), p.offersDeclined } });
    }
    QJsonObject byKind;
    for (auto it = escalationsBySignalKind.cbegin(); it != escalationsBySignalKind.cend(); ++it)
        byKind.insert(it.key(), it.value());
    QJsonObject withdrawn;
    for (auto it = withdrawnSignals.cbegin(); it != withdrawnSignals.cend(); ++it)
        withdrawn.insert(it.key(), it.value());
    return QJsonObject {
        { QStringLiteral("from"), from.toString(Qt::ISODate) },
        { QStringLiteral("to"), to.toString(Qt::ISODate) },
        { QStringLiteral("sessions"), sessions },
        { QStringLiteral("escalations"), escalations },
        { QStringLiteral("escalation_rate"), escalationRate() },
        { QStringLiteral("target_escalation_rate"), targetEscalationRate },
        { QStringLiteral("median_messages_to_escalation"),
            medianMessagesToEscalation < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(medianMessagesToEscalation) },
        { QStringLiteral("messages_to_escalation"), distribution },
        { QStringLiteral("top_rules"), rules },
        { QStringLiteral("guard_hits"), guard },
        { QStringLiteral("guard_hits_total"), guardTotal },
        { QStringLiteral("daily"), dayList },
        { QStringLiteral("weekly"), weekList },
        // Satisfaction: the share of "helpful" among teachers' ratings of resolved tickets, and per week.
        { QStringLiteral("csat"),
            QJsonObject { { QStringLiteral("ratings"), ratings }, { QStringLiteral("helpful"), helpfulRatings },
                { QStringLiteral("rate"), csatValue(csat()) }, { QStringLiteral("weekly"), csatWeeks } } },
        // Escalations by what counted: "request" (asked in words), "button" (Contact support), "offer" (said
        // yes to the offer of a ticket), "message" (what a message said), "repetition", "feedback" (a
        // thumbs-down); an escalation with several kinds counts under each.
        { QStringLiteral("escalations_by_signal_kind"), byKind },
        { QStringLiteral("feedback"),
            QJsonObject { { QStringLiteral("thumbs_up"), thumbsUp }, { QStringLiteral("thumbs_down"), thumbsDown },
                { QStringLiteral("offers"), offersMade }, { QStringLiteral("offers_accepted"), offersAccepted },
                { QStringLiteral("offers_declined"), offersDeclined },
                { QStringLiteral("signals_withdrawn"), withdrawnTotal },
                { QStringLiteral("signals_withdrawn_by_rule"), withdrawn },
                { QStringLiteral("weekly"), feedbackWeeks } } },
    };
}

} // namespace LearnPulse
