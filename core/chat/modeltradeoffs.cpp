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

namespace {

// Precision and recall at `percent`: a measured point, the nearest end, or between the two nearest.
struct Estimate
{
    enum Kind
    {
        Measured,
        Outside,
        Between
    } kind
        = Measured;
    int from = 0; // the measured threshold used (Outside), or the lower one (Between)
    int to = 0; // the upper one (Between)
    double precision = 0;
    double recall = 0;
};

Estimate estimate(const QList<ModelTradeoffs::Point> &points, int percent)
{
    if (percent <= points.constFirst().threshold || percent >= points.constLast().threshold) {
        const auto &p = percent <= points.constFirst().threshold ? points.constFirst() : points.constLast();
        return { p.threshold == percent ? Estimate::Measured : Estimate::Outside, p.threshold, p.threshold, p.precision,
            p.recall };
    }
    for (qsizetype i = 1; i < points.size(); ++i) {
        const auto &a = points.at(i - 1);
        const auto &b = points.at(i);
        if (percent > b.threshold)
            continue;
        if (percent == b.threshold)
            return { Estimate::Measured, b.threshold, b.threshold, b.precision, b.recall };
        const double t = double(percent - a.threshold) / (b.threshold - a.threshold);
        return { Estimate::Between, a.threshold, b.threshold, a.precision + t * (b.precision - a.precision),
            a.recall + t * (b.recall - a.recall) };
    }
    return {};
}

} // namespace

QString ModelTradeoffs::describe(const QList<Point> &points, int percent)
{
    if (points.isEmpty())
        return QCoreApplication::translate("ModelTradeoffs", "No measurement of this model's thresholds is available.");
    const Estimate e = estimate(points, percent);
    const QString measuredWhere = QCoreApplication::translate("ModelTradeoffs", "measured leave one batch out");
    QString how;
    switch (e.kind) {
    case Estimate::Measured:
        how = QCoreApplication::translate("ModelTradeoffs", "At %1 % (%2):").arg(percent).arg(measuredWhere);
        break;
    case Estimate::Outside:
        how = QCoreApplication::translate("ModelTradeoffs", "Not measured at %1 %; at %2 % (%3):")
                  .arg(percent)
                  .arg(e.from)
                  .arg(measuredWhere);
        break;
    case Estimate::Between:
        how = QCoreApplication::translate("ModelTradeoffs", "At %1 %, about (between the %2 % and %3 % measured):")
                  .arg(percent)
                  .arg(e.from)
                  .arg(e.to);
        break;
    }
    return QCoreApplication::translate("ModelTradeoffs",
        "%1 %2 of 100 messages it counts are real complaints (precision) and it notices %3 of 100 unhappy messages "
        "(recall). Higher: fewer false signals, more missed; lower: the other way.")
        .arg(how)
        .arg(std::lround(e.precision * 100))
        .arg(std::lround(e.recall * 100));
}

QString ModelTradeoffs::brief(const QList<Point> &points, int percent)
{
    if (points.isEmpty())
        return QCoreApplication::translate("ModelTradeoffs", "Not measured.");
    const Estimate e = estimate(points, percent);
    return QCoreApplication::translate(
        "ModelTradeoffs", "%1: %2 of 100 signals real,\n%3 of 100 unhappy messages noticed.")
        .arg(e.kind == Estimate::Measured
                ? QCoreApplication::translate("ModelTradeoffs", "At %1 %").arg(percent)
                : QCoreApplication::translate("ModelTradeoffs", "At %1 %, about").arg(percent))
        .arg(std::lround(e.precision * 100))
        .arg(std::lround(e.recall * 100));
}

} // namespace LearnPulse
