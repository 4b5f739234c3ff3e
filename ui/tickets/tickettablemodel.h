#pragma once

#include "ticketstore.h"

#include <QAbstractTableModel>
#include <QSet>

namespace LearnPulse {

// Tickets of the index for a QTableView, fetched a page at a time as the view scrolls (canFetchMore
// / fetchMore), so that it stays fast with 100,000 tickets. The model asks for pages through
// pageRequested(); whoever owns the database answers with addPage(). Sorting asks the index.
class TicketTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TicketTableModel)

public:
    enum Column
    {
        IdColumn,
        CreatedColumn,
        TeacherColumn,
        EmailColumn,
        SummaryColumn,
        SignalsColumn,
        StatusColumn,
        WaitingColumn, // working hours since the oldest unanswered teacher message
        AssigneeColumn,
        EmailStatusColumn,
        ColumnCount
    };
    // The first page is small, so that it is on screen at once; further pages, read after the last row
    // shown (keyset), are larger, so that scrolling far pays for fewer round trips and repaints.
    static constexpr int pageSize = 200;
    static constexpr int furtherPageSize = 1000;

    explicit TicketTableModel(QObject *parent = nullptr);

    // What the list shows of an ID: its 8 hex digits (the full ID in the tooltip and when copied).
    static QString shortId(const QString &ticketId);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order) override;

    // Starts over with a new filter (keeps the sort order).
    void setFilter(const TicketFilter &filter);
    void reload();
    // `total` < 0: unchanged (a further page).
    void addPage(quint64 requestId, const QList<TicketRecord> &rows, int total, const QString &error);

    // Waits longer than this many working hours are shown in red (the first-response target).
    void setFirstResponseHours(int hours) { m_targetHours = hours; }
    int firstResponseHours() const { return m_targetHours; }
    // Whether the row's teacher has waited past the target.
    bool isOverdue(int row, const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    QString ticketIdAt(int row) const;
    int rowOf(const QString &ticketId) const;
    int total() const { return m_total; }
    bool isLoading() const { return m_pendingRequest != 0; }

signals:
    void pageRequested(quint64 requestId, const LearnPulse::TicketFilter &filter);
    void loadFailed(const QString &error);
    void loaded();

private:
    // What the table shows of a ticket, and no more: with every ticket scrolled in, 100,000 rows stay
    // small (docs/BENCHMARKS.md). Strings that repeat (names, emails, summaries, states) are shared.
    struct Row
    {
        QString id;
        QString teacherName;
        QString teacherEmail;
        QString summary;
        QString status;
        QString emailStatus;
        QString assigneeName;
        qint64 createdMs = 0;
        qint64 waitingSinceMs = 0; // 0: nobody waits
        int signalCount = 0;
    };
    void request(int offset);
    Row rowFor(const TicketRecord &t);
    QString shared(const QString &text);

    TicketFilter m_filter;
    QList<Row> m_rows;
    QSet<QString> m_strings; // the one copy of each repeating string
    int m_total = -1; // unknown until the first page arrives
    quint64 m_nextRequest = 1;
    quint64 m_pendingRequest = 0;
    bool m_resetOnArrival = false;
    int m_targetHours = 4;
};

} // namespace LearnPulse
