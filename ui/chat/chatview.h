#pragma once

#include "chatengine.h"
#include "conversationmodel.h"
#include "sessionstore.h"

#include <QDateTime>
#include <QList>
#include <QTextCursor>
#include <QWidget>

class QFrame;
class QLabel;
class QLineEdit;
class QPushButton;
class QTextBrowser;

namespace LearnPulse {

class MessageEdit;

// The teacher's conversation with the assistant: messages of the teacher, the assistant and the
// application told apart at a glance, the streaming reply, the input with a character counter, the
// conversation's context, "Contact support" and the escalation banner with the real ticket ID.
class ChatView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatView)

public:
    explicit ChatView(int maxChars, QWidget *parent = nullptr);

    void setConversation(const SessionState &state, const QList<HistoryEntry> &history);
    void appendReplyDelta(const QString &text);
    void finishTurn(const ChatTurnResult &result);
    void showError(const QString &message);
    // Follows the connection to Redis: while it is lost, the warning says the messages are kept here.
    void setConnectionLost(bool lost);
    bool isSending() const { return m_sending; }
    QString ticketId() const { return m_ticketId; }
    QString sessionId() const { return m_sessionId; }
    // The conversation as plain text, as shown (for tests and copying).
    QString conversationText() const;
    ConversationModel *model() const { return m_model; }
    QTextBrowser *log() const { return m_log; }

protected:
    void changeEvent(QEvent *event) override;

signals:
    void sendRequested(const QString &text);
    void contactSupportRequested();
    void stopRequested();
    void newConversationRequested(const LearnPulse::SessionContext &context);
    void contextChanged(const LearnPulse::SessionContext &context);
    void privacyNoticeRequested();

private:
    void send();
    // The log follows the model: a reset rebuilds it, a new message is appended, a streamed piece is
    // inserted where the pending reply ends (the reader's selection and scroll position stay).
    void rebuild();
    void appendMessage(int row);
    void appendPiece(int row, const QString &piece);
    void removeMessages(int first);
    void updateInputState();
    void setSending(bool sending);
    void showBanner(const QString &ticketId);
    SessionContext context() const;

    int m_maxChars;
    ConversationModel *m_model;
    QList<int> m_starts; // where each message begins in the log's document
    QTextCursor m_pendingCursor; // the end of the pending reply's text
    int m_placeholderAt = -1; // the "…" shown before the first piece, or -1
    bool m_follow = true; // the reader is at the end of the log: keep them there
    bool m_sending = false;
    QString m_lastSent;
    QString m_ticketId;
    QString m_sessionId;
    QString m_teacherEmail;

    QLineEdit *m_class;
    QLineEdit *m_student;
    QLineEdit *m_scope;
    QFrame *m_banner;
    QLabel *m_bannerText;
    QTextBrowser *m_log;
    QLabel *m_error;
    QLabel *m_offline;
    MessageEdit *m_input;
    QLabel *m_counter;
    QPushButton *m_send;
    QPushButton *m_stop;
    QPushButton *m_support;
};

} // namespace LearnPulse
