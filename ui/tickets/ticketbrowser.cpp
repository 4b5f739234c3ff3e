#include "ticketbrowser.h"

#include "tickettablemodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace LearnPulse {

TicketBrowser::TicketBrowser(bool canDelete, QWidget *parent)
    : QWidget(parent)
    , m_canDelete(canDelete)
    , m_model(new TicketTableModel(this))
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
        m_statusFilter->addItem(QString(s).replace(QLatin1Char('_'), QLatin1Char(' ')), s);
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, &TicketBrowser::applyFilter);
    filters->addWidget(m_statusFilter);

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
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &TicketBrowser::selectionChanged);
    connect(m_model, &TicketTableModel::loaded, this, [this] {
        updateCount();
        // Columns fit the first rows shown, once: measuring every loaded row on each page cost ~30 ms a
        // search and made scrolling quadratic, and widths that jump with each search are hard to read.
        if (!m_columnsSized && m_model->rowCount() > 0) {
            m_table->resizeColumnsToContents();
            m_columnsSized = true;
        }
        if (!m_reselect.isEmpty()) {
            const int row = m_model->rowOf(m_reselect);
            if (row >= 0)
                m_table->selectRow(row);
            m_reselect.clear();
        }
    });
    connect(m_model, &TicketTableModel::loadFailed, this,
        [this](const QString &error) { m_count->setText(tr("Cannot load tickets: %1").arg(error)); });

    auto *detail = new QWidget(splitter);
    auto *detailLayout = new QVBoxLayout(detail);
    m_header = new QLabel(tr("Select a ticket to read its transcript."), detail);
    m_header->setObjectName(QStringLiteral("ticketHeader"));
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    detailLayout->addWidget(m_header);
    auto *actions = new QHBoxLayout;
    auto *statusLabel = new QLabel(tr("Stat&us:"), detail);
    m_status = new QComboBox(detail);
    m_status->setObjectName(QStringLiteral("ticketStatusCombo"));
    for (const QString &s : TicketStore::statuses())
        m_status->addItem(QString(s).replace(QLatin1Char('_'), QLatin1Char(' ')), s);
    statusLabel->setBuddy(m_status);
    m_status->setEnabled(false);
    connect(m_status, &QComboBox::activated, this, [this] {
        if (!m_shownId.isEmpty())
            emit statusChangeRequested(m_shownId, m_status->currentData().toString());
    });
    actions->addWidget(statusLabel);
    actions->addWidget(m_status);
    actions->addStretch();
    m_delete = new QPushButton(tr("&Delete ticket…"), detail);
    m_delete->setObjectName(QStringLiteral("deleteTicketButton"));
    m_delete->setVisible(m_canDelete);
    m_delete->setEnabled(false);
    connect(m_delete, &QPushButton::clicked, this, &TicketBrowser::confirmDelete);
    actions->addWidget(m_delete);
    detailLayout->addLayout(actions);
    m_transcript = new QPlainTextEdit(detail);
    m_transcript->setObjectName(QStringLiteral("transcriptView"));
    m_transcript->setReadOnly(true);
    m_transcript->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    detailLayout->addWidget(m_transcript, 1);
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

void TicketBrowser::updateCount()
{
    m_count->setText(tr("%n ticket(s)", nullptr, m_model->total()));
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
    if (id.isEmpty() || id == m_shownId)
        return;
    m_header->setText(tr("Loading %1…").arg(id));
    emit ticketRequested(id);
}

void TicketBrowser::showTicket(const TicketRecord &ticket, const QString &transcript, const QString &error)
{
    if (ticket.id.isEmpty()) {
        // The ticket is gone (deleted here or by another console).
        m_shownId.clear();
        m_header->setText(error);
        m_transcript->clear();
        m_status->setEnabled(false);
        m_delete->setEnabled(false);
        return;
    }
    m_shownId = ticket.id;
    m_header->setText(tr("<b>%1</b> — %2<br>%3 &lt;%4&gt;, %5 signals, email: %6")
                          .arg(ticket.id.toHtmlEscaped(), ticket.summary.toHtmlEscaped(),
                              ticket.teacherName.toHtmlEscaped(), ticket.teacherEmail.toHtmlEscaped())
                          .arg(ticket.signalCount)
                          .arg(ticket.emailStatus.toHtmlEscaped()));
    m_status->setCurrentIndex(m_status->findData(ticket.status));
    m_status->setEnabled(true);
    m_delete->setEnabled(true);
    m_transcript->setPlainText(error.isEmpty() ? transcript : error);
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
