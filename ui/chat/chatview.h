#pragma once

#include "chatcontroller.h"
#include "chatengine.h"
#include "conversationmodel.h"
#include "sessionstore.h"

#include <QDateTime>
#include <QList>
#include <QTextCursor>
#include <QWidget>

#include <optional>

class QFrame;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QTextBrowser;
class QUrl;

namespace LearnPulse {

class MessageEdit;

// The teacher's conversation with the assistant: messages of the teacher, the assistant, the application
// and support told apart at a glance, the streaming reply, the input with a character counter, the
// conversation's context, "Contact support" and the ticket banner (the real ticket ID, its live status,
// support's newest reply, the rating once it is resolved). Once there is a ticket the teacher chooses
// whom a message is for: the assistant or support.
class ChatView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChatView)

public:
    explicit ChatView(int maxChars, QWidget *parent = nullptr);

    void setConversation(
        const SessionState &state, const QList<HistoryEntry> &history, const TicketUpdate &ticket = {});
    // Support replied or the ticket's status changed (while a reply streams it waits for the reply's end).
    void applyTicketUpdate(const TicketUpdate &update);
    // The teacher's rating was recorded.
    void showRated(const TicketRecord &ticket);
    bool writesToSupport() const;
    void appendReplyDelta(const QString &text);
    void finishTurn(const ChatTurnResult &result);
    void showError(const QString &message);
    // A link in the conversation: a vote on a reply, an answer to the offer of a ticket, or "that was not a
    // complaint" (lp:vote/up|down/<ts>, lp:offer/yes|no, lp:withdraw/<ts>).
    void activateLink(const QUrl &url);
    // The teacher's message no longer counts as a signal.
    void showWithdrawn(const WithdrawOutcome &withdrawn);
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
    void sendRequested(const QString &text, bool toSupport);
    void rateRequested(bool helpful);
    // `description`: the teacher's optional line about what it is about.
    void contactSupportRequested(const QString &description);
    void voteRequested(const QString &replyKey, bool up);
    void offerAnswered(bool accept);
    void withdrawRequested(const QString &messageKey);
    void stopRequested();
    void newConversationRequested(const LearnPulse::SessionContext &context);
    void pastConversationsRequested();
    void contextChanged(const LearnPulse::SessionContext &context);
    void privacyNoticeRequested();

private:
    void send();
    void stop();
    // Asks for an optional line and a confirmation, then opens the ticket (stopping a reply on its way first).
    void askToContactSupport();
    // Asks first when unsent words or the conversation's ticket would be left.
    void askForNewConversation();
    void contactSupport(const QString &description);
    // The log follows the model: a reset rebuilds it, a new message is appended, a streamed piece is
    // inserted where the pending reply ends (the reader's selection and scroll position stay).
    void rebuild();
    // Rebuilds the log after a message changed, keeping the reader's place.
    void refresh();
    void appendMessage(int row);
    void appendPiece(int row, const QString &piece);
    void removeMessages(int first);
    void updateInputState();
    // Shows or hides the Yes/No links of the conversation's offer of a ticket.
    void setOfferOpen(bool open);
    void setSending(bool sending);
    void showBanner(const QString &ticketId);
    void updateBanner();
    SessionContext context() const;

    int m_maxChars;
    ConversationModel *m_model;
    QList<int> m_starts; // where each message begins in the log's document
    QTextCursor m_pendingCursor; // the end of the pending reply's text
    int m_placeholderAt = -1; // the "…" shown before the first piece, or -1
    bool m_follow = true; // the reader is at the end of the log: keep them there
    bool m_sending = false;
    QString m_lastSent;
    QString m_voteKey; // the reply whose vote is on its way, and how
    bool m_voteUp = false;
    bool m_answeringOffer = false; // the turn on its way answers the offer of a ticket
    bool m_stopping = false; // the teacher stopped the reply on its way
    std::optional<QString> m_contactAfterStop; // Contact support confirmed while a reply was on its way
    bool m_contactNotePending = false; // the turn on its way is a Contact support: its note is the last message
    QString m_lastContactLine; // the line of a Contact support that failed, offered again
    bool m_clearDraftOnOpen = false; // New conversation confirmed over unsent words
    QString m_ticketId;
    TicketRecord m_ticket; // as last heard of (empty id: not yet)
    ThreadMessage m_newestReply;
    int m_unread = 0;
    QList<TicketUpdate> m_deferred; // updates that came while a reply streamed
    QString m_sessionId;
    QString m_teacherEmail;

    QLineEdit *m_class;
    QLineEdit *m_student;
    QLineEdit *m_scope;
    QFrame *m_banner;
    QLabel *m_bannerText;
    QPushButton *m_helpful;
    QPushButton *m_notHelpful;
    QWidget *m_addressee;
    QRadioButton *m_toAssistant;
    QRadioButton *m_toSupport;
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
