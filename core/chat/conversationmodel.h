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
        QString key = {}; // the stored message's "ts": names it for votes and signals (empty: not stored yet)
        QString signalNote = {}; // a teacher message that counted as a signal: why, in words
        bool withdrawn = false; // ... and the teacher said it was not a complaint
        QString vote = {}; // a reply of the assistant the teacher rated: "up" or "down"
        bool offerOpen = false; // the application's offer of a ticket, not answered yet
        bool stopped = false; // a reply the teacher stopped: what had come (not kept in the conversation)
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

    // Whether a teacher's stored message with the signal `rules` is words written to support in a conversation
    // of an older version (marked like a press of Contact support, but not its sentence).
    static bool isWrittenToSupport(const QString &content, const QStringList &rules);

    const Message &message(int row) const { return m_messages.at(row); }
    int size() const { return int(m_messages.size()); }
    bool hasPending() const { return !m_messages.isEmpty() && m_messages.constLast().pending; }

    static Kind kindOf(const QString &historyRole);
    // Replaces everything (a conversation opened): the history, and support's replies where they belong in time;
    // what the session state says of its messages (signals, withdrawals, votes, an open offer) goes with them.
    void setHistory(const QList<HistoryEntry> &history, const QList<ThreadMessage> &supportReplies = {},
        const SessionState &state = {});
    // The row of the stored message with this key and kind, or -1.
    int rowOf(const QString &key, Kind kind) const;
    // The last row of this kind, or -1.
    int lastRowOf(Kind kind) const;
    // Changes a message that is not pending (its text, key or marks): dataChanged() for its row.
    void update(int row, const Message &message);
    // Why rules counted, in words ("you said the answer was wrong; you asked the same thing again").
    static QString signalWords(const QStringList &rules);
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
