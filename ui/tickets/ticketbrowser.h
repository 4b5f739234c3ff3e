#pragma once

#include "ticketstore.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableView;
class QTimer;

namespace LearnPulse {

class TicketTableModel;

// The support agent's ticket browser: a lazily fetched, sortable table with full-text search and
// status and date filters, the selected ticket's transcript beside it, its status, and (for admins)
// deletion behind a confirmation.
class TicketBrowser final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TicketBrowser)

public:
    TicketBrowser(bool canDelete, QWidget *parent = nullptr);

    TicketTableModel *model() const { return m_model; }
    void showTicket(const TicketRecord &ticket, const QString &transcript, const QString &error);
    void refresh();
    QString selectedTicketId() const;

signals:
    void pageRequested(quint64 requestId, const LearnPulse::TicketFilter &filter);
    void ticketRequested(const QString &ticketId);
    void statusChangeRequested(const QString &ticketId, const QString &status);
    void deleteRequested(const QString &ticketId);

private:
    void applyFilter();
    void selectionChanged();
    void confirmDelete();
    void updateCount();

    bool m_canDelete;
    TicketTableModel *m_model;
    QLineEdit *m_search;
    QComboBox *m_statusFilter;
    QCheckBox *m_fromCheck;
    QDateEdit *m_from;
    QCheckBox *m_toCheck;
    QDateEdit *m_to;
    QLabel *m_count;
    QTableView *m_table;
    QLabel *m_header;
    QComboBox *m_status;
    QPushButton *m_delete;
    QPlainTextEdit *m_transcript;
    QTimer *m_searchDelay;
    QString m_shownId;
    QString m_reselect;
    bool m_columnsSized = false;
};

} // namespace LearnPulse
