#pragma once

#include "ticketcontroller.h"
#include "ticketstore.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDateEdit;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTextBrowser;
class QPushButton;
class QTableView;
class QTimer;

namespace LearnPulse {

class TicketTableModel;

// The support agent's ticket browser: a lazily fetched, sortable table with full-text search, status,
// assignment and date filters, and the time teachers have waited (red past the first-response target);
// beside it the selected ticket's transcript and thread, its status and assignee, a reply box (replies
// to the teacher, internal notes, canned replies), a notice when another agent has it open, and (for
// admins) deletion behind a confirmation. Every action has a shortcut (shortcuts()).
class TicketBrowser final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TicketBrowser)

public:
    TicketBrowser(bool canDelete, const QString &myUserId, QWidget *parent = nullptr);

    TicketTableModel *model() const { return m_model; }
    // `error` non-empty with an empty ticket: the ticket cannot be shown (gone, refused).
    void showTicket(const TicketView &view, const QString &error);
    void showCannedReplies(const QList<CannedReply> &replies);
    // Who else has `ticketId` open now.
    void showViewers(const QString &ticketId, const QStringList &names);
    // A reply or note to `ticketId` was written: its draft goes.
    void replySent(const QString &ticketId);
    // It was not: the text stays, the buttons come back.
    void replyFailed();
    void refresh();
    // The ticket was deleted or erased elsewhere: its detail (transcript, thread, header) and any draft of a reply
    // to it go now, and the list is read again.
    void forgetTicket(const QString &ticketId);
    QString selectedTicketId() const;
    QString shownTicketId() const { return m_shownId; }
    // The browser's keyboard shortcuts, for the Help menu: (keys, what they do).
    static QList<std::pair<QString, QString>> shortcuts();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

signals:
    void pageRequested(quint64 requestId, const LearnPulse::TicketFilter &filter);
    void ticketRequested(const QString &ticketId);
    void ticketClosed();
    void statusChangeRequested(const QString &ticketId, const QString &status);
    void deleteRequested(const QString &ticketId);
    void replyRequested(const QString &ticketId, const QString &text, bool note);
    void assignRequested(const QString &ticketId, bool toMe);
    // A line for the status bar: the ticket shown changed its status while shown (by this agent, another
    // console, or the teacher writing again after it was resolved), so that an older line does not stand; an
    // ID was copied.
    void statusMessage(const QString &message);

private:
    void applyFilter();
    void selectionChanged();
    void confirmDelete();
    void updateCount();
    void sendReply(bool note);
    void moveSelection(int delta);
    void clearDetail(const QString &message);
    void updateReplyButtons();

    bool m_canDelete;
    TicketTableModel *m_model;
    QLineEdit *m_search;
    QComboBox *m_statusFilter;
    QComboBox *m_assignmentFilter;
    QCheckBox *m_fromCheck;
    QDateEdit *m_from;
    QCheckBox *m_toCheck;
    QDateEdit *m_to;
    QLabel *m_count;
    QTableView *m_table;
    QLabel *m_header;
    QComboBox *m_status;
    QPushButton *m_delete;
    QPushButton *m_assign;
    QLabel *m_viewers;
    QPlainTextEdit *m_transcript; // the raw text, as mailed and exported
    QTextBrowser *m_readable; // the same as a conversation to read (TranscriptHtml)
    QCheckBox *m_raw;
    QComboBox *m_canned;
    QPlainTextEdit *m_reply;
    QPushButton *m_sendReply;
    QPushButton *m_addNote;
    QTimer *m_searchDelay;
    QString m_myUserId;
    QHash<QString, QString> m_drafts; // unsent replies of the tickets not shown now, by ticket id
    QString m_shownId;
    QString m_shownStatus;
    QString m_shownAssignee;
    QString m_reselect;
    bool m_columnsSized = false;
};

} // namespace LearnPulse
