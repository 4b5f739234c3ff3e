#pragma once

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

namespace LearnPulse {

// The first thing the console shows: on the very first start a form for the first admin account,
// afterwards the sign-in form (email and password).
class SignInPage final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignInPage)

public:
    explicit SignInPage(QWidget *parent = nullptr);

    void setFirstStart(bool firstStart);
    void setBusy(bool busy);
    // Shows why the sign-in failed; the password fields are empty again.
    // Says what is wrong and puts the cursor on `field` (the password when none is named).
    void showError(const QString &message, QWidget *field = nullptr);
    // Back to an empty form (after a sign-out): nobody's email or password stays in it.
    void reset(bool firstStart);

signals:
    void signInRequested(const QString &email, const QString &password);
    void firstAdminRequested(const QString &email, const QString &name, const QString &password);

private:
    void submit();
    void clearPasswords();

    bool m_firstStart = false;
    QLabel *m_title;
    QLabel *m_intro;
    QLineEdit *m_email;
    QLabel *m_nameLabel;
    QLineEdit *m_name;
    QLineEdit *m_password;
    QLabel *m_repeatLabel;
    QLineEdit *m_repeat;
    QLabel *m_error;
    QPushButton *m_submit;
};

} // namespace LearnPulse
