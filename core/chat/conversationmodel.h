#pragma once

#include "sessionstore.h"
#include "ticketthread.h"

#include <QAbstractListModel>
#include <QDateTime>
#include <QList>

namespace LearnPulse {

// The messages of the conversation a teacher has open, as the chat pane shows them: the teacher's, the
// assistant's, the application's and support's replies (once the conversation has a ticket), and while a
// reply streams, a pending assistant message that grows
// piece by piece. A list model (QtCore only), so that views can follow it row by row instead of
// rebuilding everything on each piece.
class ConversationModel final : public QAbstractListModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConversationModel)

public:
    enum class Kind
    {
        Teacher,
        Assistant,
        Application,
        Support, // a support agent's reply to the conversation's ticket
    };
    struct Message
    {
        Kind kind = Kind::Assistant;
        QString text;
        QDateTime time; // local time
        bool pending = false; // a reply still streaming
        QString author = {}; // a support reply: the agent's name; a teacher's message to support: "support"
    };
    enum Role
    {
        KindRole = Qt::UserRole + 1, // int(Kind)
        TimeRole,
        PendingRole,
        AuthorRole,
    };

    explicit ConversationModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    const Message &message(int row) const { return m_messages.at(row); }
    int size() const { return int(m_messages.size()); }
    bool hasPending() const { return !m_messages.isEmpty() && m_messages.constLast().pending; }

    static Kind kindOf(const QString &historyRole);
    // Replaces everything (a conversation opened): the history, and support's replies where they belong in time.
    void setHistory(const QList<HistoryEntry> &history, const QList<ThreadMessage> &supportReplies = {});
    static Message fromSupportReply(const ThreadMessage &reply);
    void append(const Message &message);
    // Adds a piece to the pending reply: dataChanged() for it, and textAppended() with just the piece.
    void appendToPending(const QString &piece);
    void removeLast();

signals:
    void textAppended(int row, const QString &piece);

private:
    QList<Message> m_messages;
};

} // namespace LearnPulse
