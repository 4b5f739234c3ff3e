#include "cannedrepliesdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace LearnPulse {

CannedRepliesDialog::CannedRepliesDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("cannedRepliesDialog"));
    setWindowTitle(tr("Canned replies"));
    auto *layout = new QVBoxLayout(this);
    auto *columns = new QHBoxLayout;
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("cannedReplyList"));
    columns->addWidget(m_list, 1);
    auto *form = new QFormLayout;
    m_title = new QLineEdit(this);
    m_title->setObjectName(QStringLiteral("cannedTitleEdit"));
    m_title->setMaxLength(80);
    m_title->setPlaceholderText(tr("What agents pick, e.g. \"Looking into it\""));
    m_body = new QPlainTextEdit(this);
    m_body->setObjectName(QStringLiteral("cannedBodyEdit"));
    m_body->setPlaceholderText(tr("The text that goes into the reply box"));
    form->addRow(tr("&Title:"), m_title);
    form->addRow(tr("Te&xt:"), m_body);
    columns->addLayout(form, 2);
    layout->addLayout(columns, 1);
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("cannedError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_error->hide();
    layout->addWidget(m_error);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *add = buttons->addButton(tr("&New"), QDialogButtonBox::ActionRole);
    m_save = buttons->addButton(tr("&Save"), QDialogButtonBox::ActionRole);
    m_save->setObjectName(QStringLiteral("cannedSaveButton"));
    m_remove = buttons->addButton(tr("&Remove"), QDialogButtonBox::DestructiveRole);
    m_remove->setObjectName(QStringLiteral("cannedRemoveButton"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(add, &QPushButton::clicked, this, [this] {
        m_list->clearSelection();
        m_title->clear();
        m_body->clear();
        m_title->setFocus();
    });
    connect(m_save, &QPushButton::clicked, this, [this] {
        m_error->hide();
        emit saveRequested(m_title->text().trimmed(), m_body->toPlainText());
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (QListWidgetItem *item = m_list->currentItem()) {
            m_error->hide();
            emit removeRequested(item->text());
            m_title->clear();
            m_body->clear();
        }
    });
    connect(m_list, &QListWidget::currentRowChanged, this, &CannedRepliesDialog::selectionChanged);
    connect(m_title, &QLineEdit::textChanged, this, &CannedRepliesDialog::updateButtons);
    connect(m_body, &QPlainTextEdit::textChanged, this, &CannedRepliesDialog::updateButtons);
    resize(720, 420);
    updateButtons();
}

void CannedRepliesDialog::setReplies(const QList<CannedReply> &replies)
{
    const QString keep = m_title->text().trimmed();
    m_replies = replies;
    m_list->clear();
    for (const CannedReply &r : replies)
        m_list->addItem(r.title);
    // The one being edited stays selected; what is typed is never replaced by a list arriving late.
    const QList<QListWidgetItem *> found = m_list->findItems(keep, Qt::MatchExactly);
    if (!found.isEmpty()) {
        const QSignalBlocker quiet(m_list);
        m_list->setCurrentItem(found.constFirst());
    }
    updateButtons();
}

void CannedRepliesDialog::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void CannedRepliesDialog::selectionChanged()
{
    const int row = m_list->currentRow();
    if (row < 0 || row >= m_replies.size())
        return;
    m_title->setText(m_replies.at(row).title);
    m_body->setPlainText(m_replies.at(row).body);
    updateButtons();
}

void CannedRepliesDialog::updateButtons()
{
    m_save->setEnabled(!m_title->text().trimmed().isEmpty() && !m_body->toPlainText().trimmed().isEmpty());
    m_remove->setEnabled(m_list->currentItem() != nullptr);
}

} // namespace LearnPulse
