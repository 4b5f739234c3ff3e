#pragma once

#include <QDialog>
#include <QMap>
#include <QVariantMap>

class QAction;
class QLabel;
class QLineEdit;
class QPushButton;

namespace LearnPulse {

// The settings an admin edits (LLM, Redis, SMTP, support address, threshold, history cap, rate limit,
// webhook). Secrets are never shown: their fields stay empty, and empty means "keep". Save checks every
// field first (the same checks as the settings file's, SettingSpec) and stays open on a value that is not
// valid, with that field marked and the reason in its label's words; a valid set is offered by
// saveRequested(), and the dialog closes only when the console says it was saved (saved()), or shows why not
// (saveFailed()).
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    explicit SettingsDialog(const QVariantMap &values, QWidget *parent = nullptr);
    QVariantMap values() const;

    void saved();
    void saveFailed(const QString &error);

signals:
    void saveRequested(const QVariantMap &values);

private:
    void trySave();
    void showProblem(const QString &key, const QString &why);
    void clearMarks();

    QMap<QString, QLineEdit *> m_fields;
    QMap<QString, QAction *> m_marks;
    QLabel *m_error;
    QPushButton *m_save;
};

} // namespace LearnPulse
