#include "modeltradeoffs.h"

#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace LearnPulse {

const QList<ModelTradeoffs::Point> &ModelTradeoffs::measured()
{
    static const QList<Point> points = [] {
        QFile file(QStringLiteral(":/model/detector-tradeoffs.json"));
        return file.open(QIODevice::ReadOnly) ? parse(file.readAll()) : QList<Point> {};
    }();
    return points;
}

QList<ModelTradeoffs::Point> ModelTradeoffs::parse(const QByteArray &json)
{
    QList<Point> points;
    const QJsonArray rows = QJsonDocument::fromJson(json).object().value(QLatin1String("thresholds")).toArray();
    for (const QJsonValue &row : rows) {
        const QJsonObject o = row.toObject();
        const Point p { o.value(QLatin1String("threshold")).toInt(-1), o.value(QLatin1String("precision")).toDouble(-1),
            o.value(QLatin1String("recall")).toDouble(-1) };
        const auto inUnit = [](double v) { return v >= 0 && v <= 1; };
        if (p.threshold < 1 || p.threshold > 99 || !inUnit(p.precision) || !inUnit(p.recall))
            continue;
        if (std::any_of(points.cbegin(), points.cend(), [&p](const Point &q) { return q.threshold == p.threshold; }))
            continue;
        points << p;
    }
    std::sort(points.begin(), points.end(), [](const Point &a, const Point &b) { return a.threshold < b.threshold; });
    return points;
}

QString ModelTradeoffs::describe(const QList<Point> &points, int percent)
{
    if (points.isEmpty())
        return QCoreApplication::translate("ModelTradeoffs", "No measurement of this model's thresholds is available.");
    const auto say = [](const QString &how, double precision, double recall) {
        return QCoreApplication::translate("ModelTradeoffs",
            "%1 %2 of 100 tickets are real (precision) and %3 of 100 unhappy teachers are noticed (recall). "
            "Higher: fewer false tickets, more missed; lower: the other way.")
            .arg(how)
            .arg(std::lround(precision * 100))
            .arg(std::lround(recall * 100));
    };
    const QString measuredWhere = QCoreApplication::translate("ModelTradeoffs", "measured leave one batch out");
    if (percent <= points.constFirst().threshold || percent >= points.constLast().threshold) {
        const Point &p = percent <= points.constFirst().threshold ? points.constFirst() : points.constLast();
        const QString how = p.threshold == percent
            ? QCoreApplication::translate("ModelTradeoffs", "At %1 % (%2):").arg(percent).arg(measuredWhere)
            : QCoreApplication::translate("ModelTradeoffs", "Not measured at %1 %; at %2 % (%3):")
                  .arg(percent)
                  .arg(p.threshold)
                  .arg(measuredWhere);
        return say(how, p.precision, p.recall);
    }
    for (qsizetype i = 1; i < points.size(); ++i) {
        const Point &a = points.at(i - 1);
        const Point &b = points.at(i);
        if (percent > b.threshold)
            continue;
        if (percent == b.threshold)
            return say(QCoreApplication::translate("ModelTradeoffs", "At %1 % (%2):").arg(percent).arg(measuredWhere),
                b.precision, b.recall);
        const double t = double(percent - a.threshold) / (b.threshold - a.threshold);
        return say(QCoreApplication::translate("ModelTradeoffs", "At %1 %, about (between the %2 % and %3 % measured):")
                       .arg(percent)
                       .arg(a.threshold)
                       .arg(b.threshold),
            a.precision + t * (b.precision - a.precision), a.recall + t * (b.recall - a.recall));
    }
    return {};
}

} // namespace LearnPulse
