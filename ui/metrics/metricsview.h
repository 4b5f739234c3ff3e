#pragma once

#include "metricsstore.h"

#include <QWidget>

class QBarCategoryAxis;
class QChart;
class QChartView;
class QComboBox;
class QLabel;

namespace LearnPulse {

// Support's and admins' view of the anonymous metrics: the escalation rate per day or week against
// the 5 % target, messages before escalation, the rules behind escalations, and hallucination-guard
// hits. The figures come from the worker thread (metricsRequested -> showSummary).
class MetricsView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricsView)

public:
    explicit MetricsView(QWidget *parent = nullptr);

    int days() const;
    void showSummary(const MetricsStore::Summary &summary, const QString &error);
    const MetricsStore::Summary &summary() const { return m_summary; }

signals:
    void metricsRequested(int days);

public slots:
    void refresh();

private:
    void redraw();
    QChartView *addChart(const QString &objectName);

    QComboBox *m_range = nullptr;
    QComboBox *m_grouping = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_sessions = nullptr;
    QLabel *m_rate = nullptr;
    QLabel *m_median = nullptr;
    QLabel *m_guard = nullptr;
    QLabel *m_csat = nullptr;
    QLabel *m_csatWeeks = nullptr;
    QLabel *m_feedbackWeeks = nullptr;
    QChartView *m_rateChart = nullptr;
    QChartView *m_messagesChart = nullptr;
    QChartView *m_rulesChart = nullptr;
    QChartView *m_guardChart = nullptr;
    QChartView *m_kindsChart = nullptr;
    MetricsStore::Summary m_summary;
};

} // namespace LearnPulse
