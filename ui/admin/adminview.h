#pragma once

#include "accountstore.h"
#include "database.h"

#include <QWidget>

class QComboBox;
class QLineEdit;
class QTableWidget;

namespace LearnPulse {

// The admin's page: accounts (add, change role, set password, remove), the audit log, settings,
// and a person's data.
class AdminView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminView)

public:
    explicit AdminView(QWidget *parent = nullptr);

    void showAccounts(const QList<Account> &accounts);
    void showAudit(const QList<Database::AuditEntry> &entries);
    // An audit action in words ("account.sign_in" -> "signed in").
    static QString actionInWords(const QString &action);
    // The answer to addAccountRequested(`request`, ...): the dialog that asked closes, or stays with what was
    // typed and says why. An answer to a dialog that was cancelled meanwhile changes nothing.
    void accountAdded(quint64 request, bool ok, const QString &error = {});
    // The email of a listed account, for messages about it (empty when it is not listed).
    QString emailOf(const QString &userId) const;
    // Shows what an erasure would remove and asks; Yes emits eraseRequested().
    void confirmErasure(const QString &email, const QString &whatGoes);

signals:
    void refreshRequested();
    // `request` names this press of Add, for accountAdded().
    void addAccountRequested(
        quint64 request, const QString &email, const QString &name, LearnPulse::Role role, const QString &password);
    void roleChangeRequested(const QString &userId, LearnPulse::Role role);
    void passwordResetRequested(const QString &userId, const QString &password);
    void removeRequested(const QString &userId);
    void settingsRequested();
    void cannedRepliesRequested();
    // Asks what an erasure of `email` would remove; the answer comes to confirmErasure().
    void erasurePreviewRequested(const QString &email);
    void eraseRequested(const QString &email);
    void exportRequested(const QString &email, const QString &directory);

private:
    const Account *selectedAccount() const;
    void addAccount();
    void changeRole();
    void resetPassword();
    void removeAccount();
    void erasePerson();
    void exportPerson();

    QList<Account> m_accounts;
    quint64 m_addRequests = 0;
    QTableWidget *m_accountTable;
    QTableWidget *m_auditTable;
    QLineEdit *m_auditFilter;
    QComboBox *m_auditAction;
    void filterAudit();
};

} // namespace LearnPulse
