#pragma once

#include <QList>
#include <QString>

namespace LearnPulse {

// What the detector's model threshold trades (issue 25): precision and recall of the whole detector at each
// threshold scripts/evaluate-models.sh measured, leave one batch out (resources/model/detector-tradeoffs.json,
// shipped as a resource). The settings dialog says it in words beside the threshold.
class ModelTradeoffs final
{
public:
    struct Point
    {
        int threshold = 0; // percent
        double precision = 0;
        double recall = 0;
        friend bool operator==(const Point &, const Point &) = default;
    };

    // The measured points, by threshold; empty when the resource is missing or not valid.
    static const QList<Point> &measured();
    // From JSON bytes as the script writes them; points that are not valid are left out.
    static QList<Point> parse(const QByteArray &json);
    // In words, for `percent`: the measured point itself, or between the two nearest (interpolated, "about").
    static QString describe(const QList<Point> &points, int percent);
    // The same in two short lines: "At 90 %: 95 of 100 signals real, 86 of 100 unhappy messages noticed."
    static QString brief(const QList<Point> &points, int percent);
};

} // namespace LearnPulse
