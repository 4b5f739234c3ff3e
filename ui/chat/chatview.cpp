#include "chatview.h"

#include "messageedit.h"
#include "messagevalidator.h"

#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPalette>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollBar>
#include <QShortcut>
#include <QTextBrowser>
#include <QTextTable>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>

namespace LearnPulse {

namespace {

bool isDark(const QPalette &p)
{
    return p.color(QPalette::Window).lightness() < 128;
}

} // namespace

ChatView::ChatView(int maxChars, QWidget *parent)
    : QWidget(parent)
    , m_maxChars(maxChars)
{
    auto *layout = new QVBoxLayout(this);

    // What the conversation is about; it goes with the session.
    auto *contextRow = new QHBoxLayout;
    auto makeField = [&](const QString &label, const QString &name, const QString &placeholder) {
        auto *l = new QLabel(label, this);
        auto *e = new QLineEdit(this);
        e->setObjectName(name);
        e->setPlaceholderText(placeholder);
        e->setClearButtonEnabled(true);
        l->setBuddy(e);
        contextRow->addWidget(l);
        contextRow->addWidget(e, 1);
        connect(e, &QLineEdit::editingFinished, this, [this, e] {
            if (e->isModified() && !m_sessionId.isEmpty()) {
                e->setModified(false);
                emit contextChanged(context());
            }
        });
        return e;
    };
    m_class = makeField(tr("&Class:"), QStringLiteral("classEdit"), tr("e.g. 6B"));
    m_student = makeField(tr("S&tudent:"), QStringLiteral("studentEdit"), tr("any"));
    m_scope = makeField(tr("Sco&pe:"), QStringLiteral("scopeEdit"), tr("e.g. while loops"));
    auto *newButton = new QPushButton(tr("&New conversation"), this);
    newButton->setObjectName(QStringLiteral("newConversationButton"));
    newButton->setToolTip(tr("Start a new conversation (Ctrl+N)"));
    connect(newButton, &QPushButton::clicked, this, &ChatView::askForNewConversation);
    auto *newShortcut = new QShortcut(QKeySequence::New, this);
    connect(newShortcut, &QShortcut::activated, newButton, &QPushButton::click);
    contextRow->addWidget(newButton);
    auto *past = new QPushButton(tr("Past c&onversations…"), this);
    past->setObjectName(QStringLiteral("pastConversationsButton"));
    past->setToolTip(tr("Reopen one of your earlier conversations, with its ticket"));
    connect(past, &QPushButton::clicked, this, &ChatView::pastConversationsRequested);
    contextRow->addWidget(past);
    auto *privacy = new QPushButton(tr("Pri&vacy"), this);
    privacy->setObjectName(QStringLiteral("privacyButton"));
    connect(privacy, &QPushButton::clicked, this, &ChatView::privacyNoticeRequested);
    contextRow->addWidget(privacy);
    layout->addLayout(contextRow);

    // The escalation banner: the real ticket ID, copyable.
    m_banner = new QFrame(this);
    m_banner->setObjectName(QStringLiteral("escalationBanner"));
    m_banner->setFrameShape(QFrame::StyledPanel);
    m_banner->setAutoFillBackground(true);
    auto *bannerLayout = new QHBoxLayout(m_banner);
    m_bannerText = new QLabel(m_banner);
    m_bannerText->setObjectName(QStringLiteral("ticketIdLabel"));
    m_bannerText->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextFormat(Qt::RichText);
    auto *copy = new QPushButton(tr("Copy ticket ID"), m_banner);
    copy->setObjectName(QStringLiteral("copyTicketIdButton"));
    connect(copy, &QPushButton::clicked, this, [this, copy] {
        QApplication::clipboard()->setText(m_ticketId);
        // Says that it did, for a moment, in the button itself (where the teacher is looking).
        copy->setText(tr("Copied ✓"));
        QTimer::singleShot(2000, copy, [copy] { copy->setText(tr("Copy ticket ID")); });
    });
    // Once support resolved the ticket: was it helpful?
    m_helpful = new QPushButton(tr("👍 Helpful"), m_banner);
    m_helpful->setObjectName(QStringLiteral("rateHelpfulButton"));
    m_notHelpful = new QPushButton(tr("👎 Not helpful"), m_banner);
    m_notHelpful->setObjectName(QStringLiteral("rateNotHelpfulButton"));
    connect(m_helpful, &QPushButton::clicked, this, [this] { emit rateRequested(true); });
    connect(m_notHelpful, &QPushButton::clicked, this, [this] { emit rateRequested(false); });
    m_helpful->hide();
    m_notHelpful->hide();
    bannerLayout->addWidget(m_bannerText, 1);
    bannerLayout->addWidget(m_helpful);
    bannerLayout->addWidget(m_notHelpful);
    bannerLayout->addWidget(copy);
    m_banner->hide();
    layout->addWidget(m_banner);

    m_log = new QTextBrowser(this);
    m_log->setObjectName(QStringLiteral("conversationLog"));
    m_log->setOpenExternalLinks(false);
    m_log->setOpenLinks(false); // the conversation's links are actions, never pages
    connect(m_log, &QTextBrowser::anchorClicked, this, &ChatView::activateLink);
    m_log->setFocusPolicy(Qt::StrongFocus);
    layout->addWidget(m_log, 1);
    // The log stays at its end while the reader is there, also when the layout grows it later; a reader who
    // scrolled up stays where they are.
    QScrollBar *bar = m_log->verticalScrollBar();
    connect(bar, &QScrollBar::valueChanged, this, [this, bar](int value) { m_follow = value >= bar->maximum() - 4; });
    connect(bar, &QScrollBar::rangeChanged, this, [this, bar](int, int maximum) {
        if (m_follow)
            bar->setValue(maximum);
    });
    m_model = new ConversationModel(this);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ChatView::rebuild);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &, int first, int last) {
        if (first != m_starts.size()) {
            rebuild();
            return;
        }
        for (int row = first; row <= last; ++row)
            appendMessage(row);
    });
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, [this](const QModelIndex &, int first, int) {
        if (first == m_model->size())
            removeMessages(first); // the last messages went
        else
            rebuild();
    });
    connect(m_model, &ConversationModel::textAppended, this, &ChatView::appendPiece);
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from) {
        if (from.row() < m_model->size() && !m_model->message(from.row()).pending)
            refresh(); // a vote, a withdrawn signal, an answered offer
    });

    m_offline = new QLabel(tr("The connection to the conversation server is lost. Your messages are kept on this "
                              "computer until the connection is back, then saved. You can still contact support."),
        this);
    m_offline->setObjectName(QStringLiteral("offlineWarning"));
    m_offline->setWordWrap(true);
    m_offline->setStyleSheet(QStringLiteral("color: #8a5a00; font-weight: 600;"));
    m_offline->hide();
    layout->addWidget(m_offline);

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("chatError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(QStringLiteral("color: #c62828; font-weight: 600;"));
    m_error->hide();
    layout->addWidget(m_error);

    // Whom the next message is for, once the conversation has a ticket; the assistant never speaks for support.
    m_addressee = new QWidget(this);
    m_addressee->setObjectName(QStringLiteral("addresseeChoice"));
    auto *addresseeLayout = new QHBoxLayout(m_addressee);
    addresseeLayout->setContentsMargins(0, 0, 0, 0);
    addresseeLayout->addWidget(new QLabel(tr("Send to:"), m_addressee));
    m_toAssistant = new QRadioButton(tr("the a&ssistant"), m_addressee);
    m_toAssistant->setObjectName(QStringLiteral("toAssistantRadio"));
    m_toSupport = new QRadioButton(tr("the support &team (ticket)"), m_addressee);
    m_toSupport->setObjectName(QStringLiteral("toSupportRadio"));
    m_toAssistant->setChecked(true);
    addresseeLayout->addWidget(m_toAssistant);
    addresseeLayout->addWidget(m_toSupport);
    addresseeLayout->addStretch();
    connect(m_toSupport, &QRadioButton::toggled, this, [this](bool toSupport) {
        m_input->setPlaceholderText(toSupport
                ? tr("Write to the support team… (Enter sends, Shift+Enter for a new line)")
                : tr("Ask about your class… (Enter sends, Shift+Enter for a new line)"));
    });
    m_addressee->hide();
    layout->addWidget(m_addressee);

    auto *inputRow = new QHBoxLayout;
    m_input = new MessageEdit(this);
    m_input->setObjectName(QStringLiteral("messageInput"));
    m_input->setPlaceholderText(tr("Ask about your class… (Enter sends, Shift+Enter for a new line)"));
    m_input->setFixedHeight(m_input->fontMetrics().lineSpacing() * 4 + 12);
    connect(m_input, &MessageEdit::sendRequested, this, &ChatView::send);
    connect(m_input, &QPlainTextEdit::textChanged, this, &ChatView::updateInputState);
    inputRow->addWidget(m_input, 1);

    auto *buttons = new QVBoxLayout;
    m_send = new QPushButton(tr("&Send"), this);
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_send->setDefault(true);
    connect(m_send, &QPushButton::clicked, this, &ChatView::send);
    m_stop = new QPushButton(tr("S&top"), this);
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->setToolTip(tr("Stop the reply (Esc)"));
    m_stop->hide();
    connect(m_stop, &QPushButton::clicked, this, &ChatView::stop);
    auto *stopShortcut = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(stopShortcut, &QShortcut::activated, this, &ChatView::stop);
    m_support = new QPushButton(tr("Contact s&upport"), this);
    m_support->setObjectName(QStringLiteral("contactSupportButton"));
    m_support->setToolTip(tr("Open a support ticket with this conversation now"));
    connect(m_support, &QPushButton::clicked, this, &ChatView::askToContactSupport);
    m_counter = new QLabel(this);
    m_counter->setObjectName(QStringLiteral("charCounter"));
    m_counter->setAlignment(Qt::AlignCenter);
    m_counter->hide();
    buttons->addWidget(m_send);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_support);
    buttons->addWidget(m_counter);
    buttons->addStretch();
    inputRow->addLayout(buttons);
    layout->addLayout(inputRow);

    updateInputState();
}

SessionContext ChatView::context() const
{
    SessionContext c;
    c.classId = m_class->text().trimmed();
    c.student = m_student->text().trimmed();
    c.scope = m_scope->text().trimmed();
    return c;
}

void ChatView::setConversation(
    const SessionState &state, const QList<HistoryEntry> &history, const TicketUpdate &ticket)
{
    if (m_clearDraftOnOpen && state.id != m_sessionId)
        m_input->clear(); // the teacher confirmed leaving the draft; it goes once the new conversation is open
    m_clearDraftOnOpen = false;
    m_sessionId = state.id;
    m_stopping = false;
    m_contactAfterStop.reset(); // asked for in the conversation left
    // A question about the conversation left is no longer one to answer.
    for (const char *name : { "contactSupportDialog", "newConversationConfirm" })
        if (auto *open = findChild<QDialog *>(QLatin1String(name)))
            open->reject();
    m_teacherEmail = state.context.teacherEmail;
    m_class->setText(state.context.classId);
    m_student->setText(state.context.student);
    m_scope->setText(state.context.scope);
    m_model->setHistory(history, ticket.replies, state);
    m_ticketId.clear();
    m_ticket = ticket.ticket;
    m_newestReply = ticket.replies.isEmpty() ? ThreadMessage() : ticket.replies.constLast();
    m_unread = ticket.unread;
    m_deferred.clear();
    m_toAssistant->setChecked(true);
    m_banner->hide();
    m_addressee->hide(); // shown again with the banner when the conversation has a ticket
    if (!state.ticketId.isEmpty())
        showBanner(state.ticketId);
    m_error->hide();
    setSending(false);
    m_input->setFocus();
}

bool ChatView::writesToSupport() const
{
    return !m_ticketId.isEmpty() && m_toSupport->isChecked();
}

void ChatView::send()
{
    const QString text = m_input->toPlainText();
    if (m_sending || text.trimmed().isEmpty() || text.size() > m_maxChars)
        return;
    m_error->hide();
    m_lastSent = text;
    const bool toSupport = writesToSupport();
    if (m_unread > 0) { // the teacher has seen the new replies by now
        m_unread = 0;
        updateBanner();
    }
    // A message for support is marked as such, so that the teacher sees whom they wrote to.
    m_model->append({ ConversationModel::Kind::Teacher, text, QDateTime::currentDateTime(), false,
        toSupport ? QStringLiteral("support") : QString() });
    if (!toSupport) // support answers later, in its own time; the assistant answers now
        m_model->append({ ConversationModel::Kind::Assistant, QString(), QDateTime::currentDateTime(), true });
    m_input->clear();
    setSending(true);
    emit sendRequested(text, toSupport);
}

void ChatView::askForNewConversation()
{
    const bool unsent = !m_input->toPlainText().trimmed().isEmpty();
    if (!unsent && m_ticketId.isEmpty())
        return emit newConversationRequested(context());
    if (findChild<QMessageBox *>(QStringLiteral("newConversationConfirm")))
        return;
    QStringList what;
    if (unsent)
        what << tr("The message you are writing has not been sent and will be lost.");
    if (!m_ticketId.isEmpty())
        what << tr("This conversation has the ticket %1: you can come back to it under Past conversations.")
                    .arg(m_ticketId);
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("New conversation"), tr("Start a new conversation?"), QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("newConversationConfirm"));
    box->setInformativeText(what.join(QLatin1Char(' ')));
    box->addButton(tr("Start a new conversation"), QMessageBox::AcceptRole)
        ->setObjectName(QStringLiteral("startNewConversationButton"));
    box->addButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box](QAbstractButton *button) {
        if (box->buttonRole(button) != QMessageBox::AcceptRole)
            return;
        m_clearDraftOnOpen = true; // not before: if the new conversation cannot open, the draft stays
        emit newConversationRequested(context());
    });
    box->open();
}

void ChatView::askToContactSupport()
{
    if (!m_ticketId.isEmpty() || m_sessionId.isEmpty() || findChild<QDialog *>(QStringLiteral("contactSupportDialog")))
        return;
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("contactSupportDialog"));
    dialog->setWindowTitle(tr("Contact support"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(dialog);
    auto *text = new QLabel(tr("Open a support ticket with this whole conversation? A person from the support team "
                               "reads it and answers here."),
        dialog);
    text->setWordWrap(true);
    layout->addWidget(text);
    auto *description = new QLineEdit(dialog);
    description->setObjectName(QStringLiteral("supportDescription"));
    description->setPlaceholderText(tr("What is it about? (optional, one line)"));
    description->setMaxLength(200);
    layout->addWidget(description);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, dialog);
    buttons->addButton(tr("Open a ticket"), QDialogButtonBox::AcceptRole)
        ->setObjectName(QStringLiteral("openTicketButton"));
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    description->setText(m_lastContactLine); // a line from a try that failed
    connect(dialog, &QDialog::accepted, this, [this, description, session = m_sessionId] {
        const QString line = MessageValidator::neutralise(description->text()).simplified();
        if (session != m_sessionId)
            return; // another conversation opened meanwhile (setConversation closes the dialog too)
        if (!m_sending)
            return contactSupport(line);
        m_contactAfterStop = line; // the reply on its way stops first; then the ticket opens
        updateInputState();
        stop();
    });
    dialog->resize(480, dialog->sizeHint().height());
    dialog->open();
    description->setFocus();
}

void ChatView::contactSupport(const QString &description)
{
    if (m_sending || !m_ticketId.isEmpty())
        return;
    m_error->hide();
    m_lastSent.clear(); // nothing of the teacher's to give back if this fails
    m_lastContactLine = description; // offered again if this fails
    m_contactNotePending = true;
    setSending(true);
    // The application's note, not a message the teacher typed.
    m_model->append({ ConversationModel::Kind::Application,
        description.isEmpty() ? tr("You asked to contact support.")
                              : tr("You asked to contact support: “%1”").arg(description),
        QDateTime::currentDateTime() });
    m_model->append({ ConversationModel::Kind::Application, QString(), QDateTime::currentDateTime(), true });
    emit contactSupportRequested(description);
}

void ChatView::stop()
{
    if (!m_sending)
        return;
    m_stopping = true;
    emit stopRequested();
}

void ChatView::applyTicketUpdate(const TicketUpdate &update)
{
    if (update.sessionId != m_sessionId)
        return; // about a conversation no longer shown
    if (m_model->hasPending()) {
        m_deferred.append(update); // after the streaming reply, not inside it
        return;
    }
    for (const ThreadMessage &reply : update.replies)
        m_model->append(ConversationModel::fromSupportReply(reply));
    m_ticket = update.ticket;
    if (!update.replies.isEmpty()) {
        m_newestReply = update.replies.constLast();
        m_unread += update.unread;
    }
    if (m_ticketId.isEmpty() && !update.ticket.id.isEmpty())
        showBanner(update.ticket.id);
    else
        updateBanner();
}

void ChatView::showRated(const TicketRecord &ticket)
{
    if (ticket.id != m_ticketId)
        return;
    m_ticket = ticket;
    updateBanner();
}

void ChatView::appendReplyDelta(const QString &text)
{
    m_model->appendToPending(text);
}

void ChatView::finishTurn(const ChatTurnResult &result)
{
    if (m_model->hasPending())
        m_model->removeLast();
    const QString voteKey = std::exchange(m_voteKey, {});
    const bool offerAnswer = std::exchange(m_answeringOffer, false);
    const bool contactNote = std::exchange(m_contactNotePending, false);
    if (contactNote && result.ok())
        m_lastContactLine.clear();
    // Stopped by the teacher (not by a sign-out or a change of settings): no error, what had come stays.
    const bool stopped = std::exchange(m_stopping, false) && result.status == ChatTurnResult::Status::AssistantFailed
        && result.llmError == LlmError::Kind::Cancelled;
    if (offerAnswer && !result.escalated && result.status != ChatTurnResult::Status::Answered)
        setOfferOpen(true); // the answer did not take (a refusal, a failure): the offer stands, its links come back
    if (!voteKey.isEmpty() && result.recorded) {
        // The vote is kept whatever followed (a thumbs-down may have opened the ticket).
        if (const int row = m_model->rowOf(voteKey, ConversationModel::Kind::Assistant); row >= 0) {
            ConversationModel::Message m = m_model->message(row);
            m.vote = m_voteUp ? QStringLiteral("up") : QStringLiteral("down");
            m_model->update(row, m);
        }
    } else if (result.recorded && !result.messageKey.isEmpty()) {
        // The teacher's message is stored: it has its key now, and says whether it counted as a signal.
        const int row = m_model->lastRowOf(ConversationModel::Kind::Teacher);
        if (row >= 0 && m_model->message(row).key.isEmpty()) {
            ConversationModel::Message m = m_model->message(row);
            m.key = result.messageKey;
            QStringList rules = result.detection.dissatisfied ? result.detection.rules : QStringList();
            rules.removeAll(QStringLiteral("contact_support_button")); // the button says so itself
            rules.removeAll(QStringLiteral("to_support")); // written to support: marked as such
            rules.removeAll(QStringLiteral("offer_accepted"));
            m.signalNote = ConversationModel::signalWords(rules);
            m_model->update(row, m);
        }
    }
    auto reply = [&](ConversationModel::Kind kind, bool offer = false) {
        ConversationModel::Message m { kind, result.reply, QDateTime::currentDateTime() };
        m.key = result.replyKey;
        m.offerOpen = offer;
        m_model->append(m);
    };
    switch (result.status) {
    case ChatTurnResult::Status::Answered:
        reply(result.fromApplication ? ConversationModel::Kind::Application : ConversationModel::Kind::Assistant);
        break;
    case ChatTurnResult::Status::Offered:
        reply(ConversationModel::Kind::Application, true);
        break;
    case ChatTurnResult::Status::Escalated:
        reply(ConversationModel::Kind::Application);
        break;
    case ChatTurnResult::Status::Rated:
    case ChatTurnResult::Status::SentToSupport:
        break; // the teacher's message is shown; support answers in the conversation when it replies
    case ChatTurnResult::Status::AssistantFailed:
        if (stopped) {
            if (!result.reply.isEmpty()) {
                ConversationModel::Message m { ConversationModel::Kind::Assistant, result.reply,
                    QDateTime::currentDateTime() };
                m.stopped = true;
                m_model->append(m);
            }
            break;
        }
        [[fallthrough]];
    case ChatTurnResult::Status::BadInput:
    case ChatTurnResult::Status::RateLimited:
    case ChatTurnResult::Status::Failed:
        if (contactNote && !result.recorded && m_model->size() > 0
            && m_model->message(m_model->size() - 1).kind == ConversationModel::Kind::Application)
            m_model->removeLast(); // the note of a Contact support that did not go through
        if (!result.recorded && voteKey.isEmpty() && m_model->size() > 0
            && m_model->message(m_model->size() - 1).kind == ConversationModel::Kind::Teacher) {
            // Nothing was stored: take the message back into the input so that nothing is lost.
            m_model->removeLast();
            if (m_input->toPlainText().isEmpty() && !m_lastSent.isEmpty())
                m_input->setPlainText(m_lastSent);
        }
        showError(result.error);
        break;
    }
    if (result.escalated && !result.ticketId.isEmpty() && result.ticketId != m_ticketId)
        showBanner(result.ticketId);
    if (result.recorded)
        m_offline->setVisible(result.offline);
    setSending(false);
    if (stopped)
        m_input->setFocus();
    if (const std::optional<QString> contact = std::exchange(m_contactAfterStop, std::nullopt))
        contactSupport(*contact); // confirmed while the reply was on its way (it may have ended by itself)
    for (const TicketUpdate &update : std::exchange(m_deferred, {}))
        applyTicketUpdate(update);
}

void ChatView::activateLink(const QUrl &url)
{
    if (url.scheme() != QLatin1String("lp"))
        return;
    const QStringList parts = url.path().split(QLatin1Char('/'));
    const QString action = parts.value(0);
    if (action == QLatin1String("withdraw") && parts.size() == 2) {
        if (m_ticketId.isEmpty())
            emit withdrawRequested(parts.at(1));
        return;
    }
    if (m_sending) {
        showError(tr("Wait for the current reply, or stop it, first."));
        return;
    }
    m_error->hide();
    if (action == QLatin1String("vote") && parts.size() == 3) {
        m_voteKey = parts.at(2);
        m_voteUp = parts.at(1) == QLatin1String("up");
        m_lastSent.clear();
        setSending(true);
        emit voteRequested(m_voteKey, m_voteUp);
    } else if (action == QLatin1String("offer") && parts.size() == 2) {
        const bool accept = parts.at(1) == QLatin1String("yes");
        setOfferOpen(false); // answered: the links go
        m_lastSent.clear();
        m_answeringOffer = true;
        setSending(true);
        if (accept) // the teacher's answer, as the engine stores it
            m_model->append({ ConversationModel::Kind::Teacher, tr("Yes, please open a support ticket."),
                QDateTime::currentDateTime() });
        m_model->append({ ConversationModel::Kind::Application, QString(), QDateTime::currentDateTime(), true });
        emit offerAnswered(accept);
    }
}

void ChatView::setOfferOpen(bool open)
{
    // The conversation's offer of a ticket is its last one (it is made once).
    for (int row = m_model->size() - 1; row >= 0; --row) {
        const ConversationModel::Message &found = m_model->message(row);
        if (found.kind == ConversationModel::Kind::Application && ChatEngine::isOffer(found.text)) {
            ConversationModel::Message m = found;
            m.offerOpen = open;
            m_model->update(row, m);
            return;
        }
    }
}

void ChatView::showWithdrawn(const WithdrawOutcome &withdrawn)
{
    const int row = m_model->rowOf(withdrawn.key, ConversationModel::Kind::Teacher);
    if (row < 0)
        return;
    ConversationModel::Message m = m_model->message(row);
    m.withdrawn = true;
    m.signalNote = ConversationModel::signalWords(withdrawn.rules);
    m_model->update(row, m);
}

void ChatView::setConnectionLost(bool lost)
{
    m_offline->setVisible(lost && !m_sessionId.isEmpty());
}

void ChatView::showError(const QString &message)
{
    if (!message.isEmpty())
        m_clearDraftOnOpen = false; // e.g. the new conversation could not open: the draft stays
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void ChatView::showBanner(const QString &ticketId)
{
    const bool news = m_ticketId != ticketId;
    m_ticketId = ticketId;
    if (news && !m_model->hasPending())
        rebuild(); // with a ticket, a signal can no longer be withdrawn: its links go
    if (m_ticket.id != ticketId)
        m_ticket = {}; // heard of through the turn: its status comes with the next update
    QPalette p = m_banner->palette();
    p.setColor(QPalette::Window, isDark(palette()) ? QColor(0x1b, 0x3a, 0x57) : QColor(0xe3, 0xf2, 0xfd));
    m_banner->setPalette(p);
    m_banner->show();
    m_addressee->show();
    updateBanner();
    updateInputState();
}

void ChatView::updateBanner()
{
    if (m_ticketId.isEmpty())
        return;
    const QString id = QStringLiteral("<b>%1</b>").arg(m_ticketId.toHtmlEscaped());
    const QString status = m_ticket.id == m_ticketId ? m_ticket.status : QStringLiteral("open");
    QString text;
    if (status == QLatin1String("in_progress"))
        text = tr("Support ticket %1 is in progress: the LearnPulse support team is working on it.").arg(id);
    else if (status == QLatin1String("resolved"))
        text = tr("Support ticket %1 is resolved. If the problem is back, write to the support team and the ticket "
                  "opens again.")
                   .arg(id);
    else
        text = tr("Support ticket %1 is open: the LearnPulse support team has this conversation and will contact "
                  "you%2.")
                   .arg(id, m_teacherEmail.isEmpty() ? QString() : tr(" at %1").arg(m_teacherEmail.toHtmlEscaped()));
    if (m_newestReply.id > 0) {
        QString excerpt = m_newestReply.body.simplified();
        if (excerpt.size() > 160)
            excerpt = excerpt.left(159) + QStringLiteral("…");
        text += QStringLiteral("<br>")
            + tr("Newest reply from %1 (%2): “%3”")
                  .arg(m_newestReply.authorName.toHtmlEscaped(),
                      QLocale().toString(m_newestReply.time.toLocalTime(), QLocale::ShortFormat),
                      excerpt.toHtmlEscaped());
        if (m_unread > 0)
            text += QStringLiteral(" <b>%1</b>").arg(tr("(%n new)", nullptr, m_unread));
    }
    const bool rateable = status == QLatin1String("resolved") && m_ticket.rating.isEmpty();
    if (status == QLatin1String("resolved") && !m_ticket.rating.isEmpty())
        text += QStringLiteral("<br>")
            + (m_ticket.rating == QLatin1String("helpful") ? tr("You rated the support helpful. Thank you!")
                                                           : tr("You rated the support not helpful. Thank you for "
                                                                "telling us."));
    else if (rateable)
        text += QStringLiteral("<br>") + tr("Was the support helpful?");
    m_bannerText->setText(text);
    m_helpful->setVisible(rateable);
    m_notHelpful->setVisible(rateable);
}

void ChatView::setSending(bool sending)
{
    m_sending = sending;
    m_stop->setVisible(sending);
    m_send->setVisible(!sending);
    updateInputState();
}

void ChatView::updateInputState()
{
    const int length = int(m_input->toPlainText().size());
    const bool over = length > m_maxChars;
    m_input->setReadOnly(m_sending);
    m_send->setEnabled(!m_sending && !over && !m_input->toPlainText().trimmed().isEmpty() && !m_sessionId.isEmpty());
    // Also while a reply streams or stalls: that is when it is needed (the reply is stopped first).
    m_support->setEnabled(m_ticketId.isEmpty() && !m_sessionId.isEmpty() && !m_contactAfterStop);
    // The counter shows near the limit, in red past it.
    m_counter->setVisible(length >= m_maxChars * 8 / 10);
    // Past it, the counter says why Enter does nothing.
    m_counter->setText(over ? tr("%1 / %2: too long to send, shorten it")
                                  .arg(QLocale().toString(length), QLocale().toString(m_maxChars))
                            : tr("%1 / %2").arg(QLocale().toString(length), QLocale().toString(m_maxChars)));
    m_counter->setStyleSheet(over ? QStringLiteral("color: #c62828; font-weight: 600;") : QString());
    m_counter->setToolTip(over ? tr("The message is too long: at most %1 characters.").arg(m_maxChars) : QString());
}

void ChatView::rebuild()
{
    m_log->clear();
    m_starts.clear();
    m_pendingCursor = QTextCursor();
    m_placeholderAt = -1;
    m_follow = true; // a conversation opens at its end
    for (int row = 0; row < m_model->size(); ++row)
        appendMessage(row);
}

void ChatView::appendMessage(int row)
{
    const ConversationModel::Message &m = m_model->message(row);
    const bool dark = isDark(palette());
    QString who;
    QColor background;
    switch (m.kind) {
    case ConversationModel::Kind::Teacher:
        who = m.author == QLatin1String("support") ? tr("You → support team") : tr("You");
        background = dark ? QColor(0x2e, 0x4a, 0x33) : QColor(0xe8, 0xf5, 0xe9);
        break;
    case ConversationModel::Kind::Assistant:
        who = tr("Assistant");
        background = dark ? QColor(0x33, 0x36, 0x3b) : QColor(0xf3, 0xf4, 0xf6);
        break;
    case ConversationModel::Kind::Application:
        who = tr("LearnPulse");
        background = dark ? QColor(0x1b, 0x3a, 0x57) : QColor(0xe3, 0xf2, 0xfd);
        break;
    case ConversationModel::Kind::Support:
        who = tr("Support — %1").arg(m.author);
        background = dark ? QColor(0x4a, 0x3a, 0x12) : QColor(0xff, 0xf3, 0xd6);
        break;
    }
    QTextCursor c(m_log->document());
    c.movePosition(QTextCursor::End);
    m_starts.append(c.position());
    QTextTableFormat bubble;
    bubble.setAlignment(m.kind == ConversationModel::Kind::Teacher ? Qt::AlignRight : Qt::AlignLeft);
    bubble.setBackground(background);
    bubble.setBorder(0);
    bubble.setCellPadding(8);
    bubble.setCellSpacing(0);
    bubble.setBottomMargin(6);
    c.insertTable(1, 1, bubble);
    QTextCharFormat name;
    name.setFontWeight(QFont::Bold);
    c.insertText(who, name);
    QTextCharFormat time;
    time.setForeground(QColor(Qt::gray));
    c.insertText(QLatin1Char(' ') + m.time.toString(QStringLiteral("HH:mm")), time);
    c.insertBlock();
    const QTextCharFormat plain;
    if (m.pending && m.text.isEmpty()) {
        QTextCharFormat waiting;
        waiting.setFontItalic(true);
        m_placeholderAt = c.position();
        c.insertText(QStringLiteral("…"), waiting);
    } else {
        c.insertText(m.text, plain);
    }
    if (m.pending) {
        c.setCharFormat(plain);
        m_pendingCursor = c;
        return;
    }
    // What the teacher can do about the message: links in a smaller line under it.
    QTextCharFormat small;
    small.setForeground(dark ? QColor(0xb0, 0xb4, 0xba) : QColor(0x55, 0x5b, 0x63));
    small.setFontPointSize(qMax(7.0, font().pointSizeF() * 0.9));
    auto link = [&](const QString &text, const QString &href) {
        QTextCharFormat f = small;
        f.setAnchor(true);
        f.setAnchorHref(href);
        f.setForeground(palette().color(QPalette::Link));
        f.setFontUnderline(true);
        c.insertText(text, f);
        c.insertText(QStringLiteral("   "), small);
    };
    if (m.kind == ConversationModel::Kind::Assistant && !m.key.isEmpty()) {
        c.insertBlock();
        const QString up = QStringLiteral("lp:vote/up/") + m.key;
        const QString down = QStringLiteral("lp:vote/down/") + m.key;
        if (m.vote == QLatin1String("up")) {
            c.insertText(tr("You found this helpful. "), small);
            link(tr("Not helpful after all"), down);
        } else if (m.vote == QLatin1String("down")) {
            c.insertText(tr("You found this not helpful. "), small);
            link(tr("Helpful after all"), up);
        } else {
            c.insertText(tr("Was this helpful? "), small);
            link(tr("Yes"), up);
            link(tr("No"), down);
        }
    } else if (m.kind == ConversationModel::Kind::Teacher && !m.signalNote.isEmpty()) {
        c.insertBlock();
        if (m.withdrawn) {
            c.insertText(tr("Not counted: you said this was not a complaint."), small);
        } else {
            c.insertText(tr("Counted as a sign that you are unhappy: %1. ").arg(m.signalNote), small);
            if (m_ticketId.isEmpty())
                link(tr("That was not a complaint"), QStringLiteral("lp:withdraw/") + m.key);
        }
    } else if (m.kind == ConversationModel::Kind::Assistant && m.stopped) {
        c.insertBlock();
        c.insertText(tr("You stopped this answer here; it is not kept in the conversation."), small);
    } else if (m.kind == ConversationModel::Kind::Application && m.offerOpen) {
        c.insertBlock();
        link(tr("Yes, open a support ticket"), QStringLiteral("lp:offer/yes"));
        link(tr("No, thanks"), QStringLiteral("lp:offer/no"));
    }
}

void ChatView::refresh()
{
    QScrollBar *bar = m_log->verticalScrollBar();
    const int at = bar->value();
    const bool follow = m_follow;
    rebuild();
    m_follow = follow;
    if (!follow)
        bar->setValue(at);
}

void ChatView::appendPiece(int row, const QString &piece)
{
    if (row != m_model->size() - 1 || m_pendingCursor.isNull() || row >= m_starts.size()) {
        rebuild();
        return;
    }
    if (m_placeholderAt >= 0) {
        QTextCursor placeholder(m_log->document());
        placeholder.setPosition(m_placeholderAt);
        placeholder.setPosition(m_placeholderAt + 1, QTextCursor::KeepAnchor);
        placeholder.removeSelectedText();
        m_placeholderAt = -1;
    }
    m_pendingCursor.insertText(piece, QTextCharFormat());
}

void ChatView::removeMessages(int first)
{
    if (first >= m_starts.size()) {
        rebuild();
        return;
    }
    QTextCursor c(m_log->document());
    c.setPosition(m_starts.at(first));
    c.movePosition(QTextCursor::End, QTextCursor::KeepAnchor);
    c.removeSelectedText();
    m_starts.resize(first);
    m_pendingCursor = QTextCursor();
    m_placeholderAt = -1;
}

void ChatView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuild(); // the bubbles' colours follow the light or dark palette
}

QString ChatView::conversationText() const
{
    return m_log->toPlainText();
}

} // namespace LearnPulse
