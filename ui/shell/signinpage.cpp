#include "signinpage.h"

#include "accountstore.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace LearnPulse {

SignInPage::SignInPage(QWidget *parent)
    : QWidget(parent)
{
    auto *outer = new QVBoxLayout(this);
    outer->addStretch();
    auto *box = new QWidget(this);
    box->setMaximumWidth(460);
    auto *layout = new QVBoxLayout(box);
    m_title = new QLabel(box);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    m_title->setFont(big);
    m_intro = new QLabel(box);
    m_intro->setWordWrap(true);
    layout->addWidget(m_title);
    layout->addWidget(m_intro);

    auto *form = new QFormLayout;
    m_email = new QLineEdit(box);
    m_email->setObjectName(QStringLiteral("emailEdit"));
    m_email->setPlaceholderText(tr("name@school.example"));
    m_name = new QLineEdit(box);
    m_name->setObjectName(QStringLiteral("nameEdit"));
    m_password = new QLineEdit(box);
    m_password->setObjectName(QStringLiteral("passwordEdit"));
    m_password->setEchoMode(QLineEdit::Password);
    m_repeat = new QLineEdit(box);
    m_repeat->setObjectName(QStringLiteral("repeatPasswordEdit"));
    m_repeat->setEchoMode(QLineEdit::Password);
    form->addRow(tr("&Email:"), m_email);
    m_nameLabel = new QLabel(tr("&Name:"), box);
    m_nameLabel->setBuddy(m_name);
    form->addRow(m_nameLabel, m_name);
    form->addRow(tr("&Password:"), m_password);
    m_repeatLabel = new QLabel(tr("&Repeat password:"), box);
    m_repeatLabel->setBuddy(m_repeat);
    form->addRow(m_repeatLabel, m_repeat);
    layout->addLayout(form);

    m_error = new QLabel(box);
    m_error->setObjectName(QStringLiteral("signInError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(QStringLiteral("color: #c62828;"));
    m_error->hide();
    layout->addWidget(m_error);
    m_submit = new QPushButton(box);
    m_submit->setObjectName(QStringLiteral("signInButton"));
    m_submit->setDefault(true);
    layout->addWidget(m_submit, 0, Qt::AlignRight);
    connect(m_submit, &QPushButton::clicked, this, &SignInPage::submit);
    for (QLineEdit *e : { m_email, m_name, m_password, m_repeat })
        connect(e, &QLineEdit::returnPressed, this, &SignInPage::submit);

    auto *center = new QHBoxLayout;
    center->addStretch();
    center->addWidget(box);
    center->addStretch();
    outer->addLayout(center);
    outer->addStretch();
    setFirstStart(false);
}

void SignInPage::setFirstStart(bool firstStart)
{
    m_firstStart = firstStart;
    m_title->setText(firstStart ? tr("Welcome to LearnPulse Support Console") : tr("Sign in"));
    m_intro->setText(firstStart ? tr("This is the first start. Create the first administrator account; you can add "
                                     "teachers and support agents afterwards. The password needs at least %1 "
                                     "characters.")
                                      .arg(AccountStore::minimumPasswordLength)
                                : tr("Sign in with your LearnPulse account."));
    m_password->setPlaceholderText(
        firstStart ? tr("at least %1 characters").arg(AccountStore::minimumPasswordLength) : QString());
    for (QWidget *w : { static_cast<QWidget *>(m_nameLabel), static_cast<QWidget *>(m_name),
             static_cast<QWidget *>(m_repeatLabel), static_cast<QWidget *>(m_repeat) })
        w->setVisible(firstStart);
    m_submit->setText(firstStart ? tr("&Create administrator") : tr("&Sign in"));
    m_email->setFocus();
}

void SignInPage::setBusy(bool busy)
{
    m_submit->setEnabled(!busy);
    if (busy)
        m_error->hide();
}

void SignInPage::showError(const QString &message, QWidget *field)
{
    setBusy(false);
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
    // The password was taken out of the form when it was sent; type it again.
    clearPasswords();
    (field ? field : m_password)->setFocus();
}

void SignInPage::clearPasswords()
{
    m_password->clear();
    m_repeat->clear();
}

void SignInPage::reset(bool firstStart)
{
    m_email->clear();
    m_name->clear();
    clearPasswords();
    m_error->clear();
    m_error->hide();
    setBusy(false);
    setFirstStart(firstStart);
}

void SignInPage::submit()
{
    const QString email = m_email->text().trimmed();
    if (auto valid = AccountStore::validateEmail(email); !valid) {
        showError(valid.error(), m_email);
        return;
    }
    if (m_firstStart) {
        if (m_name->text().trimmed().isEmpty()) {
            showError(tr("Enter your name."), m_name);
            return;
        }
        if (m_password->text().size() < AccountStore::minimumPasswordLength) {
            showError(tr("Choose a password of at least %1 characters.").arg(AccountStore::minimumPasswordLength));
            return;
        }
        if (m_password->text() != m_repeat->text()) {
            showError(tr("The two passwords differ."));
            return;
        }
        const QString password = m_password->text();
        clearPasswords(); // never kept in a widget longer than the request takes
        setBusy(true);
        emit firstAdminRequested(email, m_name->text().trimmed(), password);
        return;
    }
    const QString password = m_password->text();
    clearPasswords();
    setBusy(true);
    emit signInRequested(email, password);
}

} // namespace LearnPulse
