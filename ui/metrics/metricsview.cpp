#include "metricsview.h"

#include "detector.h"
#include "words.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <cmath>

namespace LearnPulse {

namespace {

constexpr int maxRules = 8;

QLabel *figureLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setTextFormat(Qt::RichText);
    label->setFrameShape(QFrame::StyledPanel);
    label->setMargin(8);
    label->setAlignment(Qt::AlignCenter);
    label->setWordWrap(true); // the captions wrap, so that five figures fit side by side at 800 pixels
    return label;
}

QString figure(const QString &value, const QString &caption)
{
    return QStringLiteral("<span style='font-size:large; font-weight:bold'>%1</span><br>%2").arg(value, caption);
}

QString percent(double share)
{
    return QLocale().toString(share * 100, 'f', 1) + QStringLiteral(" %");
}

// A value axis from 0 to just above the highest bar, with ticks on whole numbers (1, 2, 5, 10, ...).
QValueAxis *countAxis(double highest)
{
    const double top = qMax(1.0, std::ceil(highest));
    double step = 1;
    for (const double candidate : { 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0 })
        if ((step = candidate) * 5 >= top)
            break;
    auto *axis = new QValueAxis;
    axis->setRange(0, (std::floor(top / step) + 1) * step); // room above the longest bar
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    axis->setLabelFormat(QStringLiteral("%d"));
    return axis;
}

// Replaces everything in `chart` (series and axes) and gives it a title.
void clearChart(QChart *chart, const QString &title)
{
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    chart->setTitle(title);
}

// One bar per (label, count), in order: left to right, or, horizontal, top to bottom.
void drawCounts(QChart *chart, const QString &title, const QString &setName, const QList<std::pair<QString, int>> &bars,
    Qt::Orientation orientation)
{
    int total = 0;
    for (const auto &bar : bars)
        total += bar.second;
    // Nothing to draw: the chart says so instead of showing empty axes.
    clearChart(chart, total == 0 ? MetricsView::tr("%1 — no data yet").arg(title) : title);
    if (total == 0)
        return;
    const bool horizontal = orientation == Qt::Horizontal;
    auto *set = new QBarSet(setName);
    QStringList labels;
    double most = 0;
    for (qsizetype i = 0; i < bars.size(); ++i) {
        const auto &[label, count] = bars.at(horizontal ? bars.size() - 1 - i : i); // horizontal bars go bottom-up
        labels << label;
        *set << count;
        most = qMax(most, double(count));
    }
    QAbstractBarSeries *series = horizontal ? static_cast<QAbstractBarSeries *>(new QHorizontalBarSeries)
                                            : static_cast<QAbstractBarSeries *>(new QBarSeries);
    series->append(set);
    chart->addSeries(series);
    auto *categories = new QBarCategoryAxis;
    categories->append(labels);
    chart->addAxis(categories, horizontal ? Qt::AlignLeft : Qt::AlignBottom);
    QValueAxis *counts = countAxis(most);
    chart->addAxis(counts, horizontal ? Qt::AlignBottom : Qt::AlignLeft);
    series->attachAxis(categories);
    series->attachAxis(counts);
    chart->legend()->hide();
}

// The escalation rate per day or week (each week's point on its Monday), with the target as a dashed line.
void drawRate(QChart *rate, const QList<MetricsStore::Period> &periods, bool weekly, double target)
{
    auto *rateSeries = new QLineSeries;
    rateSeries->setName(MetricsView::tr("Escalation rate"));
    rateSeries->setPointsVisible(true);
    auto *targetLine = new QLineSeries;
    targetLine->setName(MetricsView::tr("Target %1").arg(percent(target)));
    double highest = target * 100;
    for (const MetricsStore::Period &p : periods) {
        QDate day = QDate::fromString(p.label, Qt::ISODate);
        if (weekly) { // drawn at the week's Monday; 4 January is always in week 1
            const QDate fourth(p.label.left(4).toInt(), 1, 4);
            day = fourth.addDays(1 - fourth.dayOfWeek() + 7 * (p.label.mid(6).toInt() - 1));
        }
        // The axis shows local time: noon keeps each point on its own day in any time zone.
        const qreal x = qreal(QDateTime(day, QTime(12, 0)).toMSecsSinceEpoch());
        rateSeries->append(x, p.rate() * 100);
        targetLine->append(x, target * 100);
        highest = qMax(highest, p.rate() * 100);
    }
    rate->addSeries(rateSeries);
    rate->addSeries(targetLine);
    QPen pen(QColor(0xb3, 0x26, 0x1e));
    pen.setStyle(Qt::DashLine);
    pen.setWidth(2);
    targetLine->setPen(pen);
    auto *periodAxis = new QDateTimeAxis;
    periodAxis->setFormat(QStringLiteral("d MMM"));
    periodAxis->setTickCount(qBound(2, int(periods.size()), 8));
    auto *percentAxis = new QValueAxis;
    percentAxis->setRange(0, qMin(100.0, qMax(10.0, highest * 1.15))); // a rate never goes past 100 %
    percentAxis->setLabelFormat(QStringLiteral("%.0f %%"));
    percentAxis->applyNiceNumbers();
    rate->addAxis(periodAxis, Qt::AlignBottom);
    rate->addAxis(percentAxis, Qt::AlignLeft);
    for (QAbstractSeries *series :
        { static_cast<QAbstractSeries *>(rateSeries), static_cast<QAbstractSeries *>(targetLine) }) {
        series->attachAxis(periodAxis);
        series->attachAxis(percentAxis);
    }
}

} // namespace

MetricsView::MetricsView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *controls = new QHBoxLayout;
    m_range = new QComboBox(this);
    m_range->setObjectName(QStringLiteral("metricsRange"));
    m_range->addItem(tr("Last 7 days"), 7);
    m_range->addItem(tr("Last 30 days"), 30);
    m_range->addItem(tr("Last 90 days"), 90);
    m_range->addItem(tr("Last 365 days"), 365);
    m_range->setCurrentIndex(1);
    m_grouping = new QComboBox(this);
    m_grouping->setObjectName(QStringLiteral("metricsGrouping"));
    m_grouping->addItem(tr("Per day"));
    m_grouping->addItem(tr("Per week"));
    auto *refreshButton = new QPushButton(tr("&Refresh"), this);
    refreshButton->setObjectName(QStringLiteral("metricsRefresh"));
    m_state = new QLabel(this);
    m_state->setObjectName(QStringLiteral("metricsState"));
    controls->addWidget(new QLabel(tr("Period:"), this));
    controls->addWidget(m_range);
    controls->addWidget(m_grouping);
    controls->addWidget(refreshButton);
    controls->addWidget(m_state, 1);
    layout->addLayout(controls);

    auto *figures = new QHBoxLayout;
    m_sessions = figureLabel(QStringLiteral("metricsSessions"), this);
    m_rate = figureLabel(QStringLiteral("metricsRate"), this);
    m_median = figureLabel(QStringLiteral("metricsMedian"), this);
    m_guard = figureLabel(QStringLiteral("metricsGuard"), this);
    m_csat = figureLabel(QStringLiteral("metricsCsat"), this);
    for (QLabel *label : { m_sessions, m_rate, m_median, m_guard, m_csat })
        figures->addWidget(label, 1);
    layout->addLayout(figures);
    m_csatWeeks = new QLabel(this);
    m_csatWeeks->setObjectName(QStringLiteral("metricsCsatWeeks"));
    m_csatWeeks->setWordWrap(true);
    layout->addWidget(m_csatWeeks);
    m_feedbackWeeks = new QLabel(this);
    m_feedbackWeeks->setObjectName(QStringLiteral("metricsFeedbackWeeks"));
    m_feedbackWeeks->setWordWrap(true);
    layout->addWidget(m_feedbackWeeks);

    auto *charts = new QGridLayout;
    m_rateChart = addChart(QStringLiteral("rateChart"));
    m_messagesChart = addChart(QStringLiteral("messagesChart"));
    m_rulesChart = addChart(QStringLiteral("rulesChart"));
    m_guardChart = addChart(QStringLiteral("guardChart"));
    m_kindsChart = addChart(QStringLiteral("signalKindsChart"));
    charts->addWidget(m_rateChart, 0, 0, 1, 2);
    charts->addWidget(m_messagesChart, 1, 0);
    charts->addWidget(m_rulesChart, 1, 1);
    charts->addWidget(m_kindsChart, 2, 0);
    charts->addWidget(m_guardChart, 2, 1);
    charts->setRowStretch(0, 3);
    charts->setRowStretch(1, 3);
    charts->setRowStretch(2, 2);
    layout->addLayout(charts, 1);

    connect(m_range, &QComboBox::currentIndexChanged, this, &MetricsView::refresh);
    connect(m_grouping, &QComboBox::currentIndexChanged, this, &MetricsView::redraw);
    connect(refreshButton, &QPushButton::clicked, this, &MetricsView::refresh);
    redraw();
}

QChartView *MetricsView::addChart(const QString &objectName)
{
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    auto *view = new QChartView(chart, this);
    view->setObjectName(objectName);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(110); // three rows of charts fit a window of 800x600
    return view;
}

int MetricsView::days() const
{
    return m_range->currentData().toInt();
}

void MetricsView::refresh()
{
    m_state->setText(tr("Loading…"));
    emit metricsRequested(days());
}

void MetricsView::showSummary(const MetricsStore::Summary &summary, const QString &error)
{
    if (!error.isEmpty()) {
        m_state->setText(tr("Cannot load the metrics: %1").arg(error));
        return;
    }
    m_summary = summary;
    m_state->setText(tr("%1 to %2 (UTC)")
                         .arg(QLocale().toString(summary.from, QLocale::ShortFormat),
                             QLocale().toString(summary.to, QLocale::ShortFormat)));
    redraw();
}

void MetricsView::redraw()
{
    const MetricsStore::Summary &s = m_summary;
    const double target = MetricsStore::targetEscalationRate;
    m_sessions->setText(figure(tr("%1 / %2").arg(s.escalations).arg(s.sessions), tr("escalated / conversations")));
    const bool overTarget = s.sessions > 0 && s.escalationRate() > target;
    m_rate->setText(figure(s.sessions > 0 ? percent(s.escalationRate()) : tr("–"),
        tr("escalation rate (target ≤ %1)").arg(percent(target))));
    m_rate->setStyleSheet(s.sessions == 0 ? QString()
            : overTarget                  ? QStringLiteral("QLabel { color: #b3261e; }")
                                          : QStringLiteral("QLabel { color: #1b6e20; }"));
    m_median->setText(
        figure(s.medianMessagesToEscalation < 0 ? tr("–") : QLocale().toString(s.medianMessagesToEscalation),
            tr("median teacher messages before escalation")));
    int guardTotal = 0;
    for (int n : s.guardHits)
        guardTotal += n;
    m_guard->setText(figure(QString::number(guardTotal), tr("false claims replaced by the guard")));
    m_csat->setText(figure(s.ratings > 0 ? percent(s.csat()) : tr("–"),
        Words::counted(s.ratings, tr("rated helpful (%1 rating of a resolved ticket)"),
            tr("rated helpful (%1 ratings of resolved tickets)"))));
    QStringList weeks;
    for (const MetricsStore::Period &w : s.weeks)
        weeks << (w.ratings > 0 ? tr("%1: %2 of %n rated helpful", nullptr, w.ratings).arg(w.label).arg(w.helpful)
                                : tr("%1: no ratings").arg(w.label));
    m_csatWeeks->setText(tr("Satisfaction per week — %1").arg(weeks.join(QStringLiteral(" · "))));
    // Teachers' feedback in the chat: votes on replies, and the offers of a ticket after a vague ask (weeks
    // without any left out).
    QStringList feedback;
    for (const MetricsStore::Period &w : s.weeks) {
        if (w.thumbsUp + w.thumbsDown + w.offersMade + w.offersAccepted + w.offersDeclined == 0)
            continue;
        feedback << tr("%1: %2 helpful, %3 not helpful; %4 (%5 accepted, %6 declined)")
                        .arg(w.label)
                        .arg(w.thumbsUp)
                        .arg(w.thumbsDown)
                        .arg(Words::counted(w.offersMade, tr("%1 offer of a ticket"), tr("%1 offers of a ticket")))
                        .arg(w.offersAccepted)
                        .arg(w.offersDeclined);
    }
    m_feedbackWeeks->setText(
        (feedback.isEmpty() ? tr("Replies rated per week: none yet.")
                            : tr("Replies rated per week — %1.").arg(feedback.join(QStringLiteral(" · "))))
        + QLatin1Char(' ') + tr("Signals withdrawn by teachers: %1.").arg(s.withdrawnTotal));

    // The escalation rate per day or week, with the target as a line.
    const bool weekly = m_grouping->currentIndex() == 1;
    const QList<MetricsStore::Period> &periods = weekly ? s.weeks : s.days;
    QChart *rate = m_rateChart->chart();
    const QString rateTitle
        = weekly ? tr("Escalation rate per week (each point on its Monday)") : tr("Escalation rate per day");
    clearChart(rate, s.sessions == 0 ? tr("%1 — no data yet").arg(rateTitle) : rateTitle);
    if (s.sessions > 0) // with nothing to draw the title says so, without axes of nothing
        drawRate(rate, periods, weekly, target);

    // How many teacher messages it took before a conversation escalated.
    QList<std::pair<QString, int>> messageBars;
    for (auto it = s.messagesToEscalation.cbegin(); it != s.messagesToEscalation.cend(); ++it)
        messageBars.append({ QString::number(it.key()), it.value() });
    drawCounts(m_messagesChart->chart(), tr("Teacher messages before escalation"), tr("Escalations"), messageBars,
        Qt::Vertical);

    // The rules behind escalations, most frequent first.
    QList<std::pair<QString, int>> ruleBars;
    for (const MetricsStore::RuleCount &r : s.topRules.mid(0, maxRules))
        ruleBars.append({ Detection::ruleInWords(r.rule), r.escalations }); // in words, as the teacher is told
    drawCounts(m_rulesChart->chart(), tr("Rules that led to escalations"), tr("Escalations"), ruleBars, Qt::Horizontal);

    // What counted in escalations: asked in words, the button, the offer, a message, repetition, a thumbs-down.
    static const QList<std::pair<QString, QString>> kindWords {
        { QStringLiteral("request"), tr("asked for a person") },
        { QStringLiteral("button"), tr("pressed Contact support") },
        { QStringLiteral("offer"), tr("accepted the offer") },
        { QStringLiteral("message"), tr("what a message said") },
        { QStringLiteral("repetition"), tr("asked the same again") },
        { QStringLiteral("feedback"), tr("marked a reply not helpful") },
    };
    QList<std::pair<QString, int>> kindBars;
    for (const auto &[kind, words] : kindWords)
        if (const int n = s.escalationsBySignalKind.value(kind); n > 0)
            kindBars.append({ words, n });
    drawCounts(m_kindsChart->chart(), tr("Escalations by what counted"), tr("Escalations"), kindBars, Qt::Horizontal);

    // False claims the guard took out of the assistant's replies, by kind.
    static const QHash<QString, QString> guardWords {
        { QStringLiteral("ticket_id"), tr("a ticket ID it made up") },
        { QStringLiteral("ticket_claim"), tr("said a ticket was opened") },
        { QStringLiteral("contact_claim"), tr("said support was told") },
    };
    QList<std::pair<QString, int>> guardBars;
    for (auto it = s.guardHits.cbegin(); it != s.guardHits.cend(); ++it)
        guardBars.append({ guardWords.value(it.key(), it.key()), it.value() });
    drawCounts(m_guardChart->chart(), tr("Guard: false claims replaced, by kind"), tr("Replaced claims"), guardBars,
        Qt::Horizontal);
}

} // namespace LearnPulse
