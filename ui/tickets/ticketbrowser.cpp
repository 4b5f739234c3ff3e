#include "ticketbrowser.h"

#include "tickettablemodel.h"
#include "transcripthtml.h"
#include "words.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateEdit>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QTextBrowser>
#include <QTimer>
#include <QVBoxLayout>

namespace LearnPulse {

namespace {

// The browser's shortcuts, one list for the keys and the Help menu.
const QKeySequence nextTicketKeys(Qt::ALT | Qt::Key_Down);
const QKeySequence previousTicketKeys(Qt::ALT | Qt::Key_Up);
const QKeySequence replyKeys(Qt::CTRL | Qt::Key_R);
const QKeySequence sendReplyKeys(Qt::CTRL | Qt::Key_Return);
const QKeySequence addNoteKeys(Qt::CTRL | Qt::SHIFT | Qt::Key_Return);
const QKeySequence assignKeys(Qt::CTRL | Qt::Key_M);

} // namespace

QList<std::pair<QString, QString>> TicketBrowser::shortcuts()
{
    auto keys = [](const QKeySequence &k) { return k.toString(QKeySequence::NativeText); };
    return {
        { keys(nextTicketKeys), tr("Next ticket") },
        { keys(previousTicketKeys), tr("Previous ticket") },
        { keys(QKeySequence::Find), tr("Search the tickets") },
        { keys(replyKeys), tr("Write a reply") },
        { keys(sendReplyKeys), tr("Send the reply to the teacher") },
        { keys(addNoteKeys), tr("Add it as an internal note (never shown to the teacher)") },
        { keys(assignKeys), tr("Assign the ticket to me") },
    };
}

TicketBrowser::TicketBrowser(bool canDelete, const QString &myUserId, QWidget *parent)
    : QWidget(parent)
    , m_canDelete(canDelete)
    , m_model(new TicketTableModel(this))
    , m_myUserId(myUserId)
{
    connect(m_model, &TicketTableModel::pageRequested, this, &TicketBrowser::pageRequested);
    auto *layout = new QVBoxLayout(this);

    auto *filters = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("searchEdit"));
    m_search->setPlaceholderText(tr("Search the transcripts (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    auto *find = new QShortcut(QKeySequence::Find, this);
    connect(find, &QShortcut::activated, m_search, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    m_searchDelay = new QTimer(this);
    m_searchDelay->setSingleShot(true);
    m_searchDelay->setInterval(300);
    connect(m_searchDelay, &QTimer::timeout, this, &TicketBrowser::applyFilter);
    connect(m_search, &QLineEdit::textChanged, m_searchDelay, qOverload<>(&QTimer::start));
    connect(m_search, &QLineEdit::returnPressed, this, &TicketBrowser::applyFilter);
    filters->addWidget(m_search, 2);

    m_statusFilter = new QComboBox(this);
    m_statusFilter->setObjectName(QStringLiteral("statusFilter"));
    m_statusFilter->addItem(tr("All statuses"), QString());
    for (const QString &s : TicketStore::statuses())
        m_statusFilter->addItem(Words::status(s), s);
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, &TicketBrowser::applyFilter);
    filters->addWidget(m_statusFilter);
    m_assignmentFilter = new QComboBox(this);
    m_assignmentFilter->setObjectName(QStringLiteral("assignmentFilter"));
    m_assignmentFilter->addItem(tr("All tickets"), int(TicketFilter::Assignment::All));
    m_assignmentFilter->addItem(tr("Mine"), int(TicketFilter::Assignment::Mine));
    m_assignmentFilter->addItem(tr("Unassigned"), int(TicketFilter::Assignment::Unassigned));
    connect(m_assignmentFilter, &QComboBox::currentIndexChanged, this, &TicketBrowser::applyFilter);
    filters->addWidget(m_assignmentFilter);

    auto makeDate = [&](const QString &label, QCheckBox *&check, QDateEdit *&edit, const QDate &initial) {
        check = new QCheckBox(label, this);
        edit = new QDateEdit(initial, this);
        edit->setCalendarPopup(true);
        edit->setEnabled(false);
        connect(check, &QCheckBox::toggled, edit, &QWidget::setEnabled);
        connect(check, &QCheckBox::toggled, this, &TicketBrowser::applyFilter);
        connect(edit, &QDateEdit::dateChanged, this, [this, check] {
            if (check->isChecked())
                applyFilter();
        });
        filters->addWidget(check);
        filters->addWidget(edit);
    };
    makeDate(tr("From"), m_fromCheck, m_from, QDate::currentDate().addMonths(-1));
    makeDate(tr("To"), m_toCheck, m_to, QDate::currentDate());
    m_count = new QLabel(this);
    m_count->setTextFormat(Qt::PlainText); // may say a server's error
    m_count->setObjectName(QStringLiteral("ticketCount"));
    filters->addWidget(m_count);
    layout->addLayout(filters);

    auto *splitter = new QSplitter(this);
    m_table = new QTableView(splitter);
    m_table->setObjectName(QStringLiteral("ticketTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(TicketTableModel::CreatedColumn, Qt::DescendingOrder);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed); // uniform rows: no per-row sizes
    m_table->horizontalHeader()->setResizeContentsPrecision(0); // the rows on screen
    // What triage needs first, on screen without scrolling: when, state, wait, who has it, and the summary
    // last, taking the width that is left. The teacher's email and the signal count are in the detail pane;
    // their columns are there to show from the header's menu.
    QHeaderView *header = m_table->horizontalHeader();
    int visual = 2;
    for (int column : { TicketTableModel::StatusColumn, TicketTableModel::WaitingColumn,
             TicketTableModel::AssigneeColumn, TicketTableModel::TeacherColumn, TicketTableModel::EmailStatusColumn,
             TicketTableModel::EmailColumn, TicketTableModel::SignalsColumn, TicketTableModel::SummaryColumn })
        header->moveSection(header->visualIndex(column), visual++);
    header->hideSection(TicketTableModel::EmailColumn);
    header->hideSection(TicketTableModel::SignalsColumn);
    header->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (int column = 0; column < TicketTableModel::ColumnCount; ++column) {
        if (column == TicketTableModel::IdColumn || column == TicketTableModel::SummaryColumn)
            continue; // always shown
        auto *show = new QAction(m_model->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString(), header);
        show->setObjectName(QStringLiteral("showColumn%1").arg(column));
        show->setCheckable(true);
        show->setChecked(!header->isSectionHidden(column));
        connect(show, &QAction::toggled, header, [header, column](bool on) { header->setSectionHidden(column, !on); });
        header->addAction(show);
    }
    // The list shows IDs short; Ctrl+C and the context menu copy the whole ID.
    auto *copyId = new QAction(tr("Copy ticket ID"), m_table);
    copyId->setObjectName(QStringLiteral("copyTicketIdAction"));
    copyId->setShortcut(QKeySequence::Copy);
    copyId->setShortcutContext(Qt::WidgetShortcut);
    connect(copyId, &QAction::triggered, this, [this] {
        const QModelIndexList rows = m_table->selectionModel()->selectedRows();
        if (rows.isEmpty())
            return;
        const QString id = m_model->ticketIdAt(rows.first().row());
        QApplication::clipboard()->setText(id);
        emit statusMessage(tr("Copied %1").arg(id)); // the ticket count stays where it is
    });
    m_table->addAction(copyId);
    m_table->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TicketBrowser::selectionChanged);
    connect(m_model, &TicketTableModel::loaded, this, [this] {
        updateCount();
        // Columns fit the first rows shown, once: measuring every loaded row on each page cost ~30 ms a
        // search and made scrolling quadratic, and widths that jump with each search are hard to read.
        if (!m_columnsSized && m_model->rowCount() > 0) {
            m_table->resizeColumnsToContents();
            // The summary, last, takes what is left (the whole text on hover) rather than its own width, so that
            // the list needs no scrolling sideways.
            m_table->setColumnWidth(TicketTableModel::SummaryColumn, m_table->fontMetrics().averageCharWidth() * 12);
            m_columnsSized = true;
        }
        // The ticket shown stays selected while it is in the list; when it is not, the detail pane empties.
        const QString keep = m_reselect.isEmpty() ? m_shownId : m_reselect;
        m_reselect.clear();
        if (!keep.isEmpty() && selectedTicketId().isEmpty()) {
            const int row = m_model->rowOf(keep);
            if (row >= 0) {
                m_table->selectRow(row);
            } else if (!m_shownId.isEmpty()) {
                clearDetail(QString());
                emit ticketClosed();
            }
        }
        if (m_shownId.isEmpty() && selectedTicketId().isEmpty())
            m_header->setText(
                m_model->total() == 0 ? tr("No tickets match.") : tr("Select a ticket to read its transcript."));
    });
    connect(m_model, &TicketTableModel::loadFailed, this,
        [this](const QString &error) { m_count->setText(tr("Cannot load tickets: %1").arg(error)); });

    auto *detail = new QWidget(splitter);
    auto *detailLayout = new QVBoxLayout(detail);
    m_header = new QLabel(tr("Select a ticket to read its transcript."), detail);
    m_header->setObjectName(QStringLiteral("ticketHeader"));
    m_header->setTextFormat(Qt::RichText); // every piece of data in it is escaped
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    detailLayout->addWidget(m_header);
    auto *actions = new QHBoxLayout;
    auto *statusLabel = new QLabel(tr("Stat&us:"), detail);
    m_status = new QComboBox(detail);
    m_status->setObjectName(QStringLiteral("ticketStatusCombo"));
    for (const QString &s : TicketStore::statuses())
        m_status->addItem(Words::status(s), s);
    statusLabel->setBuddy(m_status);
    m_status->setEnabled(false);
    connect(m_status, &QComboBox::activated, this, [this] {
        if (!m_shownId.isEmpty())
            emit statusChangeRequested(m_shownId, m_status->currentData().toString());
    });
    actions->addWidget(statusLabel);
    actions->addWidget(m_status);
    m_assign = new QPushButton(tr("Assign to &me"), detail);
    m_assign->setObjectName(QStringLiteral("assignButton"));
    m_assign->setToolTip(tr("Assign to me (%1)").arg(assignKeys.toString(QKeySequence::NativeText)));
    m_assign->setEnabled(false);
    connect(m_assign, &QPushButton::clicked, this, [this] {
        if (!m_shownId.isEmpty())
            emit assignRequested(m_shownId, m_shownAssignee != m_myUserId);
    });
    auto *assignShortcut = new QShortcut(assignKeys, this);
    connect(assignShortcut, &QShortcut::activated, this, [this] {
        if (!m_shownId.isEmpty() && m_shownAssignee != m_myUserId)
            emit assignRequested(m_shownId, true);
    });
    actions->addWidget(m_assign);
    actions->addStretch();
    m_delete = new QPushButton(tr("&Delete ticket…"), detail);
    m_delete->setObjectName(QStringLiteral("deleteTicketButton"));
    m_delete->setVisible(m_canDelete);
    m_delete->setEnabled(false);
    connect(m_delete, &QPushButton::clicked, this, &TicketBrowser::confirmDelete);
    actions->addWidget(m_delete);
    detailLayout->addLayout(actions);
    m_viewers = new QLabel(detail);
    m_viewers->setObjectName(QStringLiteral("otherViewersNotice"));
    m_viewers->setWordWrap(true);
    m_viewers->setTextFormat(Qt::PlainText);
    m_viewers->setStyleSheet(QStringLiteral("background: #fff3d6; color: #5d4200; padding: 4px;"));
    m_viewers->hide();
    detailLayout->addWidget(m_viewers);
    // The transcript as a conversation to read; the raw text (what is mailed and exported) one click away.
    m_readable = new QTextBrowser(detail);
    m_readable->setObjectName(QStringLiteral("readableTranscript"));
    m_readable->setOpenLinks(false);
    detailLayout->addWidget(m_readable, 1);
    m_transcript = new QPlainTextEdit(detail);
    m_transcript->setObjectName(QStringLiteral("transcriptView"));
    m_transcript->setReadOnly(true);
    m_transcript->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_transcript->hide();
    detailLayout->addWidget(m_transcript, 1);
    m_raw = new QCheckBox(tr("Show the raw text (as mailed)"), detail);
    m_raw->setObjectName(QStringLiteral("rawTranscriptCheck"));
    connect(m_raw, &QCheckBox::toggled, this, [this](bool raw) {
        m_transcript->setVisible(raw);
        m_readable->setVisible(!raw);
    });
    detailLayout->addWidget(m_raw);

    // The reply box: to the teacher, or an internal note; canned replies fill it.
    auto *replyTools = new QHBoxLayout;
    auto *replyLabel = new QLabel(tr("&Reply:"), detail);
    m_canned = new QComboBox(detail);
    m_canned->setObjectName(QStringLiteral("cannedReplyCombo"));
    m_canned->addItem(tr("Canned replies…"));
    m_canned->setEnabled(false);
    connect(m_canned, &QComboBox::activated, this, [this](int index) {
        if (index <= 0)
            return;
        m_reply->insertPlainText(m_canned->itemData(index).toString());
        m_canned->setCurrentIndex(0);
        m_reply->setFocus();
    });
    replyTools->addWidget(replyLabel);
    replyTools->addStretch();
    replyTools->addWidget(m_canned);
    detailLayout->addLayout(replyTools);
    m_reply = new QPlainTextEdit(detail);
    m_reply->setObjectName(QStringLiteral("replyEdit"));
    m_reply->setPlaceholderText(
        tr("Write to the teacher… (%1 sends; %2 adds an internal note)")
            .arg(sendReplyKeys.toString(QKeySequence::NativeText), addNoteKeys.toString(QKeySequence::NativeText)));
    m_reply->setFixedHeight(m_reply->fontMetrics().lineSpacing() * 4 + 12);
    m_reply->setEnabled(false);
    replyLabel->setBuddy(m_reply);
    detailLayout->addWidget(m_reply);
    auto *replyButtons = new QHBoxLayout;
    replyButtons->addStretch();
    m_addNote = new QPushButton(tr("Add internal &note"), detail);
    m_addNote->setObjectName(QStringLiteral("addNoteButton"));
    m_addNote->setToolTip(
        tr("Only support and admins see it (%1)").arg(addNoteKeys.toString(QKeySequence::NativeText)));
    m_sendReply = new QPushButton(tr("Send reply to teacher"), detail);
    m_sendReply->setObjectName(QStringLiteral("sendReplyButton"));
    m_sendReply->setToolTip(sendReplyKeys.toString(QKeySequence::NativeText));
    for (QPushButton *b : { m_addNote, m_sendReply }) {
        b->setEnabled(false);
        replyButtons->addWidget(b);
    }
    connect(m_sendReply, &QPushButton::clicked, this, [this] { sendReply(false); });
    connect(m_addNote, &QPushButton::clicked, this, [this] { sendReply(true); });
    connect(m_reply, &QPlainTextEdit::textChanged, this, &TicketBrowser::updateReplyButtons);
    detailLayout->addLayout(replyButtons);
    m_reply->installEventFilter(this); // Ctrl+Return and Ctrl+Shift+Return, before the editor takes them
    auto *replyShortcut = new QShortcut(replyKeys, this);
    connect(replyShortcut, &QShortcut::activated, this, [this] {
        if (m_reply->isEnabled())
            m_reply->setFocus();
    });
    auto *next = new QShortcut(nextTicketKeys, this);
    connect(next, &QShortcut::activated, this, [this] { moveSelection(1); });
    auto *previous = new QShortcut(previousTicketKeys, this);
    connect(previous, &QShortcut::activated, this, [this] { moveSelection(-1); });
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);
}

void TicketBrowser::applyFilter()
{
    m_searchDelay->stop(); // Return pressed while typing: this search, not a second one 300 ms later
    TicketFilter f;
    f.search = m_search->text().trimmed();
    f.status = m_statusFilter->currentData().toString();
    f.assignment = TicketFilter::Assignment(m_assignmentFilter->currentData().toInt());
    f.viewerId = m_myUserId;
    if (m_fromCheck->isChecked())
        f.from = m_from->date();
    if (m_toCheck->isChecked())
        f.to = m_to->date();
    m_count->setText(tr("Searching…"));
    m_model->setFilter(f);
}

void TicketBrowser::refresh()
{
    m_reselect = selectedTicketId();
    m_model->reload();
    if (!m_shownId.isEmpty())
        emit ticketRequested(m_shownId);
}

void TicketBrowser::forgetTicket(const QString &ticketId)
{
    m_drafts.remove(ticketId);
    if (ticketId == m_shownId) {
        m_reply->clear(); // not kept as a draft: it may quote the person
        m_shownId.clear();
        clearDetail(tr("%1 was deleted.").arg(ticketId));
    }
    refresh();
}

void TicketBrowser::updateCount()
{
    m_count->setText(Words::counted(m_model->total(), tr("%1 ticket"), tr("%1 tickets")));
}

QString TicketBrowser::selectedTicketId() const
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    return m_model->ticketIdAt(rows.first().row());
}

void TicketBrowser::selectionChanged()
{
    const QString id = selectedTicketId();
    if (id == m_shownId)
        return;
    if (id.isEmpty()) {
        // Nothing selected any more (a new search, the ticket went): nothing of the former one stays.
        clearDetail(m_model->rowCount() == 0 && m_model->total() == 0 ? tr("No tickets match.")
                                                                      : tr("Select a ticket to read its transcript."));
        emit ticketClosed();
        return;
    }
    m_header->setText(tr("Loading %1…").arg(id.toHtmlEscaped()));
    // What was typed belongs to the ticket it was typed for: kept as its draft, never sent to the next one.
    m_reply->setEnabled(false);
    m_sendReply->setEnabled(false);
    m_addNote->setEnabled(false);
    emit ticketRequested(id);
}

void TicketBrowser::moveSelection(int delta)
{
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    const int row = rows.isEmpty() ? (delta > 0 ? 0 : m_model->rowCount() - 1) : rows.first().row() + delta;
    if (row < 0 || row >= m_model->rowCount())
        return;
    m_table->selectRow(row);
    m_table->scrollTo(m_model->index(row, 0));
}

void TicketBrowser::clearDetail(const QString &message)
{
    if (!m_shownId.isEmpty() && !m_reply->toPlainText().isEmpty())
        m_drafts.insert(m_shownId, m_reply->toPlainText());
    m_reply->clear();
    m_shownId.clear();
    m_shownStatus.clear();
    m_shownAssignee.clear();
    m_header->setText(message.toHtmlEscaped()); // the message may carry a server's words
    m_transcript->clear();
    m_readable->clear();
    m_status->setEnabled(false);
    m_delete->setEnabled(false);
    m_assign->setEnabled(false);
    m_viewers->hide();
    m_reply->setEnabled(false);
    m_canned->setEnabled(false);
    m_sendReply->setEnabled(false);
    m_addNote->setEnabled(false);
}

void TicketBrowser::sendReply(bool note)
{
    const QString text = m_reply->toPlainText();
    if (m_shownId.isEmpty() || !m_reply->isEnabled() || text.trimmed().isEmpty())
        return; // also while the next ticket loads
    m_sendReply->setEnabled(false);
    m_addNote->setEnabled(false);
    emit replyRequested(m_shownId, text, note);
}

bool TicketBrowser::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_reply && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
        const Qt::KeyboardModifiers mods = key->modifiers() & ~Qt::KeypadModifier;
        if (enter && (mods == Qt::ControlModifier || mods == (Qt::ControlModifier | Qt::ShiftModifier))) {
            sendReply(mods & Qt::ShiftModifier);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void TicketBrowser::replySent(const QString &ticketId)
{
    if (ticketId == m_shownId)
        m_reply->clear();
    else
        m_drafts.remove(ticketId); // sent from a draft of a ticket no longer shown
}

void TicketBrowser::replyFailed()
{
    updateReplyButtons();
}

void TicketBrowser::updateReplyButtons()
{
    const bool hasText = !m_reply->toPlainText().trimmed().isEmpty() && !m_shownId.isEmpty();
    m_sendReply->setEnabled(hasText);
    m_addNote->setEnabled(hasText);
}

void TicketBrowser::showCannedReplies(const QList<CannedReply> &replies)
{
    while (m_canned->count() > 1)
        m_canned->removeItem(1);
    for (const CannedReply &r : replies)
        m_canned->addItem(r.title, r.body);
    m_canned->setEnabled(replies.size() > 0 && !m_shownId.isEmpty());
}

void TicketBrowser::showViewers(const QString &ticketId, const QStringList &names)
{
    if (ticketId != m_shownId)
        return;
    m_viewers->setText(names.isEmpty() ? QString()
                                       : tr("%1 also has this ticket open: agree who answers before you reply.")
                                             .arg(QLocale().createSeparatedList(names)));
    m_viewers->setVisible(!names.isEmpty());
}

void TicketBrowser::showTicket(const TicketView &view, const QString &error)
{
    const TicketRecord &ticket = view.ticket;
    if (ticket.id.isEmpty()) {
        clearDetail(error); // the ticket is gone (deleted here or by another console), or refused
        return;
    }
    const bool sameTicket = ticket.id == m_shownId;
    const int scroll = m_transcript->verticalScrollBar()->value();
    const int readableScroll = m_readable->verticalScrollBar()->value();
    if (!sameTicket) {
        // Each ticket has its own reply box content: the former one's draft is parked, this one's restored.
        if (!m_shownId.isEmpty() && !m_reply->toPlainText().isEmpty())
            m_drafts.insert(m_shownId, m_reply->toPlainText());
        m_reply->setPlainText(m_drafts.take(ticket.id));
    }
    if (sameTicket && !m_shownStatus.isEmpty() && m_shownStatus != ticket.status)
        emit statusMessage(m_shownStatus == QLatin1String("resolved") && ticket.status == QLatin1String("open")
                ? tr("%1 is open again").arg(ticket.id)
                : tr("%1 is now %2").arg(ticket.id, Words::status(ticket.status).toLower()));
    m_shownStatus = ticket.status;
    m_shownId = ticket.id;
    m_shownAssignee = ticket.assigneeId;
    m_assign->setEnabled(true);
    m_assign->setText(ticket.assigneeId == m_myUserId ? tr("Una&ssign") : tr("Assign to &me"));
    m_reply->setEnabled(true);
    m_canned->setEnabled(m_canned->count() > 1);
    showViewers(ticket.id, view.otherViewers);
    m_header->setText(tr("<b>%1</b> — %2<br>%3 &lt;%4&gt;, %5, email: %6<br>Assignee: %7")
                          .arg(ticket.id.toHtmlEscaped(), ticket.summary.toHtmlEscaped(),
                              ticket.teacherName.toHtmlEscaped(), ticket.teacherEmail.toHtmlEscaped(),
                              Words::counted(ticket.signalCount, tr("%1 signal"), tr("%1 signals")),
                              Words::emailDelivery(ticket.emailStatus).toLower().toHtmlEscaped(),
                              ticket.assigneeName.isEmpty() ? tr("nobody yet") : ticket.assigneeName.toHtmlEscaped()));
    m_status->setCurrentIndex(m_status->findData(ticket.status));
    m_status->setEnabled(true);
    m_delete->setEnabled(true);
    const QString text = (error.isEmpty() ? view.transcript : error) + TicketThread::render(view.thread);
    m_transcript->setPlainText(text);
    // A transcript that cannot be read says why; the thread after the escalation still shows.
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    m_readable->setHtml(error.isEmpty() ? TranscriptHtml::render(text, m_search->text(), dark)
                                        : QStringLiteral("<p>%1</p>").arg(error.toHtmlEscaped())
                + TranscriptHtml::render(TicketThread::render(view.thread), m_search->text(), dark));
    if (sameTicket) { // a reload of the same ticket (a reply, a status) keeps the reader's place
        m_transcript->verticalScrollBar()->setValue(scroll);
        m_readable->verticalScrollBar()->setValue(readableScroll);
    }
}

void TicketBrowser::confirmDelete()
{
    if (m_shownId.isEmpty())
        return;
    const QString id = m_shownId;
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Delete ticket"),
        tr("Delete ticket %1 and its transcript?\n\nThis cannot be undone.").arg(id), QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("confirmDeleteDialog"));
    QPushButton *remove = box->addButton(tr("Delete %1").arg(id), QMessageBox::DestructiveRole);
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, remove, id](QAbstractButton *clicked) {
        if (clicked == remove)
            emit deleteRequested(id);
    });
    box->open();
}

} // namespace LearnPulse
