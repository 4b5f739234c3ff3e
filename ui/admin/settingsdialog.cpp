#include "settingsdialog.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace LearnPulse {

SettingsDialog::SettingsDialog(const QVariantMap &values, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Settings"));
    setObjectName(QStringLiteral("settingsDialog"));
    auto *layout = new QVBoxLayout(this);
    // Two columns, so that the dialog fits a 800x600 screen and URLs have room: the assistant and Redis on
    // the left, email and conversations on the right.
    auto *columns = new QHBoxLayout;
    auto *left = new QVBoxLayout;
    auto *right = new QVBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);
    layout->addLayout(columns);
    struct Field
    {
        const char *key;
        QString label;
        bool secret;
        int min;
        int max;
    };
    const QList<std::pair<QString, QList<Field>>> groups {
        { tr("Assistant (LLM)"),
            { { "llm/base_url", tr("Base URL:"), false, 0, 0 }, { "llm/model", tr("Model:"), false, 0, 0 },
                { "llm/api_key", tr("API key:"), true, 0, 0 } } },
        { tr("Redis"), { { "redis/url", tr("URL:"), false, 0, 0 } } },
        { tr("Email"),
            { { "support/email", tr("Support address:"), false, 0, 0 }, { "smtp/host", tr("SMTP host:"), false, 0, 0 },
                { "smtp/port", tr("SMTP port:"), false, 1, 65535 }, { "smtp/username", tr("SMTP user:"), false, 0, 0 },
                { "smtp/password", tr("SMTP password:"), true, 0, 0 },
                { "smtp/from_email", tr("From address:"), false, 0, 0 },
                { "webhook/url", tr("Webhook URL:"), false, 0, 0 } } },
        { tr("Conversations"),
            { { "escalation/threshold", tr("Signals before a ticket:"), false, 1, 1000 },
                { "session/history_cap", tr("Messages kept per conversation:"), false, 2, 10000 },
                { "limits/rate_per_minute", tr("Messages a minute per user:"), false, 1, 100000 } } },
    };
    for (const auto &[title, fields] : groups) {
        auto *box = new QGroupBox(title, this);
        const bool onTheLeft = left->count() < 2;
        auto *form = new QFormLayout(box);
        for (const Field &f : fields) {
            const QString key = QLatin1String(f.key);
            auto *edit = new QLineEdit(box);
            edit->setObjectName(key);
            if (f.secret) {
                edit->setEchoMode(QLineEdit::Password);
                edit->setPlaceholderText(values.value(key + QStringLiteral("/set")).toBool()
                        ? tr("(set — leave empty to keep)")
                        : tr("(not set)"));
            } else {
                edit->setText(values.value(key).toString());
            }
            if (f.max > 0)
                edit->setValidator(new QIntValidator(f.min, f.max, edit));
            else
                edit->setMinimumWidth(onTheLeft ? 230 : 210); // a URL with its port, an address, shows whole
            if (const QString variable = values.value(key + QStringLiteral("/env")).toString(); !variable.isEmpty()) {
                // Set by the environment: shown, not editable here (the file's value would not take effect).
                edit->setReadOnly(true);
                edit->setEnabled(false);
                edit->setToolTip(tr("Set by the environment variable %1; change it there.").arg(variable));
                if (f.secret)
                    edit->setPlaceholderText(tr("(set by %1)").arg(variable));
                // The variable's name under the field (beside it the dialog would not fit a small screen).
                auto *row = new QWidget(box);
                auto *rowLayout = new QVBoxLayout(row);
                rowLayout->setContentsMargins(0, 0, 0, 0);
                rowLayout->setSpacing(1);
                rowLayout->addWidget(edit);
                auto *note = new QLabel(tr("set by %1").arg(variable), row);
                note->setObjectName(key + QStringLiteral("/env"));
                note->setEnabled(false);
                rowLayout->addWidget(note);
                form->addRow(f.label, row);
                continue;
            }
            form->addRow(f.label, edit);
            m_fields.insert(key, edit);
        }
        (onTheLeft ? left : right)->addWidget(box);
    }
    left->addStretch(1);
    right->addStretch(1);
    auto *where = new QLabel(tr("Stored in %1. Values set by environment variables are shown greyed out.")
                                 .arg(values.value(QStringLiteral("config_file")).toString()),
        this);
    where->setWordWrap(true);
    layout->addWidget(where);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

QVariantMap SettingsDialog::values() const
{
    QVariantMap out;
    for (auto it = m_fields.begin(); it != m_fields.end(); ++it)
        out.insert(it.key(), it.value()->text().trimmed());
    return out;
}

} // namespace LearnPulse
