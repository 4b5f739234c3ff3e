#pragma once

#include "ticketstore.h"

#include <QAbstractTableModel>

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
        EmailStatusColumn,
        ColumnCount
    };
    static constexpr int pageSize = 200;

    explicit TicketTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    void sort(int column, Qt::SortOrder order) override;

    // Starts over with a new filter (keeps the sort order).
    void setFilter(const TicketFilter &filter);
    void reload();
    void addPage(quint64 requestId, const QList<TicketRecord> &rows, int total, const QString &error);

    const TicketRecord *ticketAt(int row) const;
    int rowOf(const QString &ticketId) const;
    int total() const { return m_total; }
    bool isLoading() const { return m_pendingRequest != 0; }

signals:
    void pageRequested(quint64 requestId, const LearnPulse::TicketFilter &filter);
    void loadFailed(const QString &error);
    void loaded();

private:
    void request(int offset);

    TicketFilter m_filter;
    QList<TicketRecord> m_rows;
    int m_total = -1; // unknown until the first page arrives
    quint64 m_nextRequest = 1;
    quint64 m_pendingRequest = 0;
    bool m_resetOnArrival = false;
};

} // namespace LearnPulse
