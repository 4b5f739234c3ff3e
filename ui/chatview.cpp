#include "chatview.h"

#include "messageedit.h"

#include <QApplication>
#include <QClipboard>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPalette>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace LearnPulse {

namespace {

bool isDark(const QPalette &p)
{
    return p.color(QPalette::Window).lightness() < 128;
}

QString htmlText(const QString &text)
{
    return text.toHtmlEscaped().replace(QLatin1Char('\n'), QLatin1String("<br>"));
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
    connect(newButton, &QPushButton::clicked, this, [this] { emit newConversationRequested(context()); });
    auto *newShortcut = new QShortcut(QKeySequence::New, this);
    connect(newShortcut, &QShortcut::activated, newButton, &QPushButton::click);
    contextRow->addWidget(newButton);
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
    auto *copy = new QPushButton(tr("Copy ticket ID"), m_banner);
    copy->setObjectName(QStringLiteral("copyTicketIdButton"));
    connect(copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(m_ticketId); });
    bannerLayout->addWidget(m_bannerText, 1);
    bannerLayout->addWidget(copy);
    m_banner->hide();
    layout->addWidget(m_banner);

    m_log = new QTextBrowser(this);
    m_log->setObjectName(QStringLiteral("conversationLog"));
    m_log->setOpenExternalLinks(false);
    m_log->setFocusPolicy(Qt::StrongFocus);
    layout->addWidget(m_log, 1);

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
    connect(m_stop, &QPushButton::clicked, this, &ChatView::stopRequested);
    auto *stopShortcut = new QShortcut(QKeySequence(Qt::Key_Escape), this);
    connect(stopShortcut, &QShortcut::activated, this, [this] {
        if (m_sending)
            emit stopRequested();
    });
    m_support = new QPushButton(tr("Contact s&upport"), this);
    m_support->setObjectName(QStringLiteral("contactSupportButton"));
    m_support->setToolTip(tr("Open a support ticket with this conversation now"));
    connect(m_support, &QPushButton::clicked, this, [this] {
        if (m_sending)
            return;
        m_error->hide();
        setSending(true);
        m_items.append({ Item::Kind::Teacher, tr("I would like to contact support."), QDateTime::currentDateTime() });
        m_items.append({ Item::Kind::Application, QString(), QDateTime::currentDateTime(), true });
        render();
        emit contactSupportRequested();
    });
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

void ChatView::setConversation(const SessionState &state, const QList<HistoryEntry> &history)
{
    m_sessionId = state.id;
    m_teacherEmail = state.context.teacherEmail;
    m_class->setText(state.context.classId);
    m_student->setText(state.context.student);
    m_scope->setText(state.context.scope);
    m_items.clear();
    for (const HistoryEntry &e : history) {
        const Item::Kind kind = e.role == QLatin1String("teacher") ? Item::Kind::Teacher
            : e.role == QLatin1String("application")               ? Item::Kind::Application
                                                                   : Item::Kind::Assistant;
        m_items.append({ kind, e.content, e.timestamp.toLocalTime() });
    }
    m_ticketId.clear();
    m_banner->hide();
    if (!state.ticketId.isEmpty())
        showBanner(state.ticketId);
    m_error->hide();
    setSending(false);
    render();
    m_input->setFocus();
}

void ChatView::send()
{
    const QString text = m_input->toPlainText();
    if (m_sending || text.trimmed().isEmpty() || text.size() > m_maxChars)
        return;
    m_error->hide();
    m_lastSent = text;
    m_items.append({ Item::Kind::Teacher, text, QDateTime::currentDateTime() });
    m_items.append({ Item::Kind::Assistant, QString(), QDateTime::currentDateTime(), true });
    m_input->clear();
    setSending(true);
    render();
    emit sendRequested(text);
}

void ChatView::appendReplyDelta(const QString &text)
{
    if (m_items.isEmpty() || !m_items.last().pending)
        return;
    m_items.last().text += text;
    render();
}

void ChatView::finishTurn(const ChatTurnResult &result)
{
    const bool pendingLast = !m_items.isEmpty() && m_items.last().pending;
    if (pendingLast)
        m_items.removeLast();
    switch (result.status) {
    case ChatTurnResult::Status::Answered:
        m_items.append({ Item::Kind::Assistant, result.reply, QDateTime::currentDateTime() });
        break;
    case ChatTurnResult::Status::Escalated:
        m_items.append({ Item::Kind::Application, result.reply, QDateTime::currentDateTime() });
        break;
    case ChatTurnResult::Status::AssistantFailed:
    case ChatTurnResult::Status::BadInput:
    case ChatTurnResult::Status::RateLimited:
    case ChatTurnResult::Status::Failed:
        if (!result.recorded && !m_items.isEmpty() && m_items.last().kind == Item::Kind::Teacher) {
            // Nothing was stored: take the message back into the input so that nothing is lost.
            m_items.removeLast();
            if (m_input->toPlainText().isEmpty())
                m_input->setPlainText(m_lastSent);
        }
        showError(result.error);
        break;
    }
    if (result.escalated && !result.ticketId.isEmpty())
        showBanner(result.ticketId);
    if (result.recorded)
        m_offline->setVisible(result.offline);
    setSending(false);
    render();
}

void ChatView::setConnectionLost(bool lost)
{
    m_offline->setVisible(lost && !m_sessionId.isEmpty());
}

void ChatView::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void ChatView::showBanner(const QString &ticketId)
{
    m_ticketId = ticketId;
    m_bannerText->setText(tr("Support ticket %1 is open: the LearnPulse support team has this conversation and will "
                             "contact you%2.")
                              .arg(ticketId, m_teacherEmail.isEmpty() ? QString() : tr(" at %1").arg(m_teacherEmail)));
    QPalette p = m_banner->palette();
    p.setColor(QPalette::Window, isDark(palette()) ? QColor(0x1b, 0x3a, 0x57) : QColor(0xe3, 0xf2, 0xfd));
    m_banner->setPalette(p);
    m_banner->show();
    updateInputState();
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
    m_support->setEnabled(!m_sending && m_ticketId.isEmpty() && !m_sessionId.isEmpty());
    // The counter shows near the limit, in red past it.
    m_counter->setVisible(length >= m_maxChars * 8 / 10);
    m_counter->setText(tr("%1 / %2").arg(QLocale().toString(length), QLocale().toString(m_maxChars)));
    m_counter->setStyleSheet(over ? QStringLiteral("color: #c62828; font-weight: 600;") : QString());
    m_counter->setToolTip(over ? tr("The message is too long: at most %1 characters.").arg(m_maxChars) : QString());
}

void ChatView::render()
{
    const bool dark = isDark(palette());
    const QString teacherBg = dark ? QStringLiteral("#2e4a33") : QStringLiteral("#e8f5e9");
    const QString assistantBg = dark ? QStringLiteral("#33363b") : QStringLiteral("#f3f4f6");
    const QString appBg = dark ? QStringLiteral("#1b3a57") : QStringLiteral("#e3f2fd");
    QString html;
    for (const Item &item : std::as_const(m_items)) {
        QString who;
        QString bg;
        QString align = QStringLiteral("left");
        switch (item.kind) {
        case Item::Kind::Teacher:
            who = tr("You");
            bg = teacherBg;
            align = QStringLiteral("right");
            break;
        case Item::Kind::Assistant:
            who = tr("Assistant");
            bg = assistantBg;
            break;
        case Item::Kind::Application:
            who = tr("LearnPulse");
            bg = appBg;
            break;
        }
        const QString text = item.pending && item.text.isEmpty() ? QStringLiteral("<i>…</i>") : htmlText(item.text);
        html += QStringLiteral("<table width='100%' cellspacing='0' cellpadding='8' style='margin-bottom:6px'><tr><td "
                               "align='%1'><table cellpadding='8' style='background-color:%2'><tr><td><b>%3</b> "
                               "<span style='color:gray'>%4</span><br>%5</td></tr></table></td></tr></table>")
                    .arg(align, bg, who, item.time.toString(QStringLiteral("HH:mm")), text);
    }
    m_log->setHtml(html);
    m_log->verticalScrollBar()->setValue(m_log->verticalScrollBar()->maximum());
}

QString ChatView::conversationText() const
{
    return m_log->toPlainText();
}

} // namespace LearnPulse
