#include "adminview.h"

#include "accountstore.h"
#include "words.h"

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHash>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTabWidget>
#include <QTableWidget>
#include <QVBoxLayout>

namespace LearnPulse {

namespace {

QTableWidget *makeTable(const QStringList &headers, const QString &name, QWidget *parent)
{
    auto *t = new QTableWidget(0, int(headers.size()), parent);
    t->setObjectName(name);
    t->setHorizontalHeaderLabels(headers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    t->setAlternatingRowColors(true);
    return t;
}

QComboBox *roleCombo(QWidget *parent)
{
    auto *c = new QComboBox(parent);
    for (Role r : { Role::Teacher, Role::Support, Role::Admin })
        c->addItem(roleName(r), int(r));
    return c;
}

} // namespace

AdminView::AdminView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *tabs = new QTabWidget(this);

    auto *accounts = new QWidget(tabs);
    auto *accountsLayout = new QVBoxLayout(accounts);
    m_accountTable = makeTable({ tr("Email"), tr("Name"), tr("Role"), tr("Can sign in"), tr("Created") },
        QStringLiteral("accountTable"), accounts);
    accountsLayout->addWidget(m_accountTable, 1);
    auto *buttons = new QHBoxLayout;
    auto addButton = [&](const QString &text, const QString &name, void (AdminView::*slot)()) {
        auto *b = new QPushButton(text, accounts);
        b->setObjectName(name);
        connect(b, &QPushButton::clicked, this, slot);
        buttons->addWidget(b);
    };
    addButton(tr("&Add account…"), QStringLiteral("addAccountButton"), &AdminView::addAccount);
    addButton(tr("Change &role…"), QStringLiteral("changeRoleButton"), &AdminView::changeRole);
    addButton(tr("Set &password…"), QStringLiteral("resetPasswordButton"), &AdminView::resetPassword);
    addButton(tr("Re&move…"), QStringLiteral("removeAccountButton"), &AdminView::removeAccount);
    buttons->addStretch();
    addButton(tr("E&xport a person's data…"), QStringLiteral("exportDataButton"), &AdminView::exportPerson);
    addButton(tr("&Erase a person's data…"), QStringLiteral("eraseDataButton"), &AdminView::erasePerson);
    accountsLayout->addLayout(buttons);
    tabs->addTab(accounts, tr("Accounts"));

    auto *audit = new QWidget(tabs);
    auto *auditLayout = new QVBoxLayout(audit);
    m_auditTable = makeTable(
        { tr("Time"), tr("Who"), tr("Action"), tr("Object"), tr("Detail") }, QStringLiteral("auditTable"), audit);
    auto *filters = new QHBoxLayout;
    m_auditFilter = new QLineEdit(audit);
    m_auditFilter->setObjectName(QStringLiteral("auditFilter"));
    m_auditFilter->setPlaceholderText(tr("Filter by person, ticket or detail"));
    m_auditFilter->setClearButtonEnabled(true);
    m_auditAction = new QComboBox(audit);
    m_auditAction->setObjectName(QStringLiteral("auditActionFilter"));
    m_auditAction->addItem(tr("All actions"), QString());
    connect(m_auditFilter, &QLineEdit::textChanged, this, &AdminView::filterAudit);
    connect(m_auditAction, &QComboBox::currentIndexChanged, this, &AdminView::filterAudit);
    filters->addWidget(m_auditFilter, 1);
    filters->addWidget(m_auditAction);
    auditLayout->addLayout(filters);
    auditLayout->addWidget(m_auditTable, 1);
    tabs->addTab(audit, tr("Audit log"));
    layout->addWidget(tabs, 1);

    auto *bottom = new QHBoxLayout;
    auto *refresh = new QPushButton(tr("Re&fresh"), this);
    refresh->setObjectName(QStringLiteral("refreshButton"));
    connect(refresh, &QPushButton::clicked, this, &AdminView::refreshRequested);
    auto *settings = new QPushButton(tr("Se&ttings…"), this);
    settings->setObjectName(QStringLiteral("settingsButton"));
    connect(settings, &QPushButton::clicked, this, &AdminView::settingsRequested);
    auto *canned = new QPushButton(tr("&Canned replies…"), this);
    canned->setObjectName(QStringLiteral("cannedRepliesButton"));
    connect(canned, &QPushButton::clicked, this, &AdminView::cannedRepliesRequested);
    bottom->addWidget(refresh);
    bottom->addStretch();
    bottom->addWidget(canned);
    bottom->addWidget(settings);
    layout->addLayout(bottom);
}

void AdminView::showAccounts(const QList<Account> &accounts)
{
    // The selection stays with its person; when that account is gone, nothing is selected (never the next one).
    const Account *selected = selectedAccount();
    const QString keep = selected ? selected->id : QString();
    m_accounts = accounts;
    m_accountTable->setRowCount(int(accounts.size()));
    for (int i = 0; i < accounts.size(); ++i) {
        const Account &a = accounts.at(i);
        const QStringList cells { a.email, a.displayName, roleName(a.role),
            a.canSignIn ? tr("yes") : tr("no — set a password"),
            QLocale().toString(a.created.toLocalTime(), QLocale::ShortFormat) };
        for (int c = 0; c < cells.size(); ++c)
            m_accountTable->setItem(i, c, new QTableWidgetItem(cells.at(c)));
    }
    m_accountTable->resizeColumnsToContents();
    m_accountTable->clearSelection();
    m_accountTable->setCurrentCell(-1, -1);
    for (int i = 0; i < accounts.size(); ++i)
        if (!keep.isEmpty() && accounts.at(i).id == keep)
            m_accountTable->selectRow(i);
}

QString AdminView::actionInWords(const QString &action)
{
    static const QHash<QString, const char *> words {
        { QStringLiteral("account.add"), QT_TR_NOOP("added an account") },
        { QStringLiteral("account.role"), QT_TR_NOOP("changed a role") },
        { QStringLiteral("account.password"), QT_TR_NOOP("set a password") },
        { QStringLiteral("account.remove"), QT_TR_NOOP("removed an account") },
        { QStringLiteral("account.disable"), QT_TR_NOOP("disabled an account") },
        { QStringLiteral("account.enable"), QT_TR_NOOP("enabled an account again") },
        { QStringLiteral("account.sign_in"), QT_TR_NOOP("signed in") },
        { QStringLiteral("account.sign_in_failed"), QT_TR_NOOP("failed to sign in") },
        { QStringLiteral("account.sign_in_refused"), QT_TR_NOOP("was refused sign-in (too many tries)") },
        { QStringLiteral("ticket.status"), QT_TR_NOOP("changed a ticket's status") },
        { QStringLiteral("ticket.delete"), QT_TR_NOOP("deleted a ticket") },
        { QStringLiteral("ticket.assign"), QT_TR_NOOP("assigned a ticket") },
        { QStringLiteral("ticket.support"), QT_TR_NOOP("replied on a ticket") },
        { QStringLiteral("ticket.note"), QT_TR_NOOP("added an internal note") },
        { QStringLiteral("ticket.teacher"), QT_TR_NOOP("wrote on their ticket") },
        { QStringLiteral("ticket.assistant"), QT_TR_NOOP("got an assistant reply on their ticket") },
        { QStringLiteral("ticket.reopen"), QT_TR_NOOP("reopened a ticket") },
        { QStringLiteral("ticket.rate"), QT_TR_NOOP("rated a ticket") },
        { QStringLiteral("privacy.erase"), QT_TR_NOOP("erased a person's data") },
        { QStringLiteral("privacy.export"), QT_TR_NOOP("exported a person's data") },
        { QStringLiteral("retention.erase"), QT_TR_NOOP("erased old tickets (retention)") },
        { QStringLiteral("settings.change"), QT_TR_NOOP("changed settings") },
        { QStringLiteral("canned_reply.save"), QT_TR_NOOP("saved a canned reply") },
        { QStringLiteral("canned_reply.remove"), QT_TR_NOOP("removed a canned reply") },
        { QStringLiteral("db.setup_roles"), QT_TR_NOOP("set up the database roles") },
    };
    const auto it = words.constFind(action);
    return it == words.constEnd() ? action : tr(it.value());
}

void AdminView::showAudit(const QList<Database::AuditEntry> &entries)
{
    m_auditTable->setRowCount(int(entries.size()));
    QStringList actions;
    for (int i = 0; i < entries.size(); ++i) {
        const auto &e = entries.at(i);
        const QStringList cells { QLocale().toString(e.time.toLocalTime(), QLocale::ShortFormat),
            e.actorName.isEmpty() ? e.actor : e.actorName, actionInWords(e.action),
            e.targetName.isEmpty() ? e.target : e.targetName, e.detail };
        // The ids as the log keeps them, on hover.
        const QStringList raw { e.time.toUTC().toString(Qt::ISODate), e.actor, e.action, e.target, e.detail };
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = new QTableWidgetItem(cells.at(c));
            item->setToolTip(Words::plainToolTip(raw.at(c))); // what the log holds is data, never markup
            if (c == 2)
                item->setData(Qt::UserRole, e.action);
            m_auditTable->setItem(i, c, item);
        }
        if (!actions.contains(e.action))
            actions << e.action;
    }
    // The action filter offers the actions there are, keeping the one chosen.
    const QString chosen = m_auditAction->currentData().toString();
    actions.sort();
    {
        const QSignalBlocker quiet(m_auditAction);
        m_auditAction->clear();
        m_auditAction->addItem(tr("All actions"), QString());
        for (const QString &a : std::as_const(actions))
            m_auditAction->addItem(actionInWords(a), a);
        m_auditAction->setCurrentIndex(qMax(0, m_auditAction->findData(chosen)));
    }
    m_auditTable->resizeColumnsToContents();
    filterAudit();
}

void AdminView::filterAudit()
{
    const QString words = m_auditFilter->text().trimmed();
    const QString action = m_auditAction->currentData().toString();
    for (int row = 0; row < m_auditTable->rowCount(); ++row) {
        bool shown = action.isEmpty() || m_auditTable->item(row, 2)->data(Qt::UserRole).toString() == action;
        if (shown && !words.isEmpty()) {
            shown = false;
            for (int c = 1; c < m_auditTable->columnCount() && !shown; ++c) {
                const QTableWidgetItem *item = m_auditTable->item(row, c);
                shown = item->text().contains(words, Qt::CaseInsensitive)
                    || item->toolTip().contains(words, Qt::CaseInsensitive);
            }
        }
        m_auditTable->setRowHidden(row, !shown);
    }
}

QString AdminView::emailOf(const QString &userId) const
{
    for (const Account &a : m_accounts)
        if (a.id == userId)
            return a.email;
    return {};
}

const Account *AdminView::selectedAccount() const
{
    const int row = m_accountTable->currentRow();
    return row >= 0 && row < m_accounts.size() ? &m_accounts.at(row) : nullptr;
}

void AdminView::addAccount()
{
    for (QDialog *open : findChildren<QDialog *>(QStringLiteral("addAccountDialog")))
        if (open->isVisible()) { // a cancelled one may wait for its deletion
            open->raise();
            return;
        }
    // Open until the console has added the account: a refusal shows here, and nothing typed is lost.
    auto *dialog = new QDialog(this);
    dialog->setObjectName(QStringLiteral("addAccountDialog"));
    dialog->setWindowTitle(tr("Add account"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *form = new QFormLayout(dialog);
    auto *email = new QLineEdit(dialog);
    email->setObjectName(QStringLiteral("newAccountEmail"));
    auto *name = new QLineEdit(dialog);
    name->setObjectName(QStringLiteral("newAccountName"));
    auto *role = roleCombo(dialog);
    role->setObjectName(QStringLiteral("newAccountRole"));
    auto *password = new QLineEdit(dialog);
    password->setObjectName(QStringLiteral("newAccountPassword"));
    password->setEchoMode(QLineEdit::Password);
    auto *hint = new QLabel(
        tr("At least %1 characters; left empty, no sign-in until one is set.").arg(AccountStore::minimumPasswordLength),
        dialog);
    hint->setEnabled(false);
    auto *error = new QLabel(dialog);
    error->setObjectName(QStringLiteral("addAccountError"));
    error->setTextFormat(Qt::PlainText);
    error->setWordWrap(true);
    error->setStyleSheet(QStringLiteral("color: #c62828;"));
    error->hide();
    form->addRow(tr("&Email:"), email);
    form->addRow(tr("&Name:"), name);
    form->addRow(tr("&Role:"), role);
    form->addRow(tr("&Password:"), password);
    form->addRow(QString(), hint);
    form->addRow(error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
    ok->setText(tr("Add"));
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [this, dialog, email, name, role, password, ok, error] {
        error->hide();
        ok->setEnabled(false); // until the answer
        const quint64 request = ++m_addRequests;
        dialog->setProperty("waiting", request); // the answer to this request is this dialog's
        emit addAccountRequested(request, email->text().trimmed(), name->text().trimmed(),
            Role(role->currentData().toInt()), password->text());
    });
    form->addRow(buttons);
    dialog->setMinimumWidth(qMax(460, hint->sizeHint().width() + 160));
    dialog->open();
    email->setFocus();
}

void AdminView::accountAdded(quint64 request, bool ok, const QString &error)
{
    // Only the dialog that asked (a dialog cancelled while waiting leaves a late answer, which changes nothing).
    QDialog *dialog = nullptr;
    for (QDialog *d : findChildren<QDialog *>(QStringLiteral("addAccountDialog")))
        if (request != 0 && d->isVisible() && d->property("waiting").toULongLong() == request)
            dialog = d;
    if (!dialog)
        return;
    dialog->setProperty("waiting", QVariant());
    if (ok) {
        dialog->accept();
        return;
    }
    auto *label = dialog->findChild<QLabel *>(QStringLiteral("addAccountError"));
    label->setText(error);
    label->show();
    dialog->adjustSize(); // room for the message
    if (auto *buttons = dialog->findChild<QDialogButtonBox *>())
        buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
    // The field the error is about gets the cursor.
    const bool aboutPassword = error.contains(QLatin1String("password"), Qt::CaseInsensitive);
    const bool aboutName = error.contains(QLatin1String("display name"), Qt::CaseInsensitive) && !aboutPassword;
    dialog
        ->findChild<QLineEdit *>(aboutPassword ? QStringLiteral("newAccountPassword")
                : aboutName                    ? QStringLiteral("newAccountName")
                                               : QStringLiteral("newAccountEmail"))
        ->setFocus();
}

void AdminView::changeRole()
{
    const Account *a = selectedAccount();
    if (!a)
        return;
    bool ok = false;
    const QString role = QInputDialog::getItem(this, tr("Change role"), tr("Role of %1:").arg(a->email),
        { roleName(Role::Teacher), roleName(Role::Support), roleName(Role::Admin) }, int(a->role), false, &ok);
    if (ok)
        emit roleChangeRequested(a->id, roleFromName(role).value_or(a->role));
}

void AdminView::resetPassword()
{
    const Account *a = selectedAccount();
    if (!a)
        return;
    bool ok = false;
    const QString password = QInputDialog::getText(
        this, tr("Set password"), tr("New password for %1:").arg(a->email), QLineEdit::Password, QString(), &ok);
    if (ok)
        emit passwordResetRequested(a->id, password);
}

void AdminView::removeAccount()
{
    const Account *a = selectedAccount();
    if (!a)
        return;
    if (QMessageBox::question(this, tr("Remove account"),
            tr("Remove the account %1? It can no longer sign in. Its tickets stay.").arg(a->email))
        == QMessageBox::Yes)
        emit removeRequested(a->id);
}

void AdminView::erasePerson()
{
    const Account *a = selectedAccount();
    bool ok = false;
    const QString email = QInputDialog::getText(this, tr("Erase a person's data"),
        tr("Email of the person whose data is to be erased (GDPR):"), QLineEdit::Normal, a ? a->email : QString(), &ok)
                              .trimmed();
    if (!ok || email.isEmpty())
        return;
    emit erasurePreviewRequested(email); // the confirmation says what goes
}

void AdminView::confirmErasure(const QString &email, const QString &whatGoes)
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Erase a person's data"),
        tr("Erase everything stored about %1?").arg(email), QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("eraseConfirm"));
    box->setInformativeText(tr("This goes:\n%1\n\nThis cannot be undone.").arg(whatGoes));
    QPushButton *erase = box->addButton(tr("Erase"), QMessageBox::DestructiveRole);
    erase->setObjectName(QStringLiteral("eraseConfirmButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, erase, email](QAbstractButton *clicked) {
        if (clicked == erase)
            emit eraseRequested(email);
    });
    box->open();
}

void AdminView::exportPerson()
{
    const Account *a = selectedAccount();
    bool ok = false;
    const QString email = QInputDialog::getText(this, tr("Export a person's data"), tr("Email of the person:"),
        QLineEdit::Normal, a ? a->email : QString(), &ok)
                              .trimmed();
    if (!ok || email.isEmpty())
        return;
    const QString directory = QFileDialog::getExistingDirectory(this, tr("Export to"));
    if (!directory.isEmpty())
        emit exportRequested(email, directory);
}

} // namespace LearnPulse
