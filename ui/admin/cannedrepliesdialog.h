#pragma once

#include "ticketthread.h"

#include <QDialog>

class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;

namespace LearnPulse {

// The admin's canned replies: a list, and a title and text to write a new one or change the one
// selected. Saving and removing are requests; the list comes back with setReplies().
class CannedRepliesDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CannedRepliesDialog)

public:
    explicit CannedRepliesDialog(QWidget *parent = nullptr);

    void setReplies(const QList<CannedReply> &replies);
    void showError(const QString &message);

signals:
    void saveRequested(const QString &title, const QString &body);
    void removeRequested(const QString &title);

private:
    void selectionChanged();
    void updateButtons();

    QList<CannedReply> m_replies;
    QListWidget *m_list;
    QLineEdit *m_title;
    QPlainTextEdit *m_body;
    QLabel *m_error;
    QPushButton *m_save;
    QPushButton *m_remove;
};

} // namespace LearnPulse
