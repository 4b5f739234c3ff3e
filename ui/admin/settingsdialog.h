#pragma once

#include <QDialog>
#include <QMap>
#include <QVariantMap>

class QLineEdit;

namespace LearnPulse {

// The settings an admin edits (LLM, Redis, SMTP, support address, threshold, history cap, rate limit,
// webhook). Secrets are never shown: their fields stay empty, and empty means "keep".
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    explicit SettingsDialog(const QVariantMap &values, QWidget *parent = nullptr);
    QVariantMap values() const;

private:
    QMap<QString, QLineEdit *> m_fields;
};

} // namespace LearnPulse
