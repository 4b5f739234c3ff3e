#include "settingsdialog.h"

#include "config.h"
#include "modeltradeoffs.h"
#include "settingspec.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QIntValidator>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>

namespace LearnPulse {

SettingsDialog::SettingsDialog(const QVariantMap &values, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Settings"));
    setObjectName(QStringLiteral("settingsDialog"));
    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("settingsError"));
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->hide();
    auto *layout = new QVBoxLayout(this);
    // Two columns, so that the dialog fits a 800x600 screen and URLs have room: the assistant and Redis on
    // the left, email and conversations on the right.
    auto *columns = new QHBoxLayout;
    auto *left = new QVBoxLayout;
    auto *right = new QVBoxLayout;
    columns->addLayout(left, 1);
    columns->addLayout(right, 1);
    layout->addLayout(columns);
    // The fields by group; their labels and ranges come from the settings' table (SettingSpec).
    const QList<std::pair<QString, QList<const char *>>> groups {
        { tr("Assistant (LLM)"), { "llm/base_url", "llm/model", "llm/api_key" } },
        { tr("Redis"), { "redis/url" } },
        { tr("Email"),
            { "support/email", "smtp/host", "smtp/port", "smtp/username", "smtp/password", "smtp/from_email",
                "webhook/url" } },
        { tr("Conversations"),
            { "escalation/threshold", "detector/model_threshold", "signals/corrections_before_offer",
                "session/history_cap", "limits/rate_per_minute" } },
    };
    const QStringList invalid = [&values] {
        QStringList keys;
        for (auto it = values.begin(); it != values.end(); ++it)
            if (it.key().endsWith(QLatin1String("/invalid")) && it.value().toBool())
                keys << it.key().chopped(8);
        return keys;
    }();
    for (const auto &[title, fields] : groups) {
        auto *box = new QGroupBox(title, this);
        // Email on the right, the rest on the left: the two columns come out about as tall (the model threshold
        // has a few lines of explanation under it).
        const bool onTheLeft = qstrcmp(fields.constFirst(), "support/email") != 0;
        auto *form = new QFormLayout(box);
        for (const char *name : fields) {
            const SettingSpec *spec = SettingSpec::find(QLatin1String(name));
            Q_ASSERT(spec);
            const QString key = QLatin1String(name);
            const QString label = tr("%1:").arg(spec->labelText());
            const bool secret = spec->type == SettingSpec::Type::Secret;
            auto *edit = new QLineEdit(box);
            edit->setObjectName(key);
            edit->setAccessibleName(spec->labelText());
            if (secret) {
                edit->setEchoMode(QLineEdit::Password);
                edit->setPlaceholderText(values.value(key + QStringLiteral("/set")).toBool()
                        ? tr("(set — leave empty to keep)")
                        : tr("(not set)"));
            } else {
                edit->setText(values.value(key).toString());
            }
            if (spec->type == SettingSpec::Type::Int)
                edit->setValidator(new QIntValidator(spec->minimum, spec->maximum, edit));
            else
                edit->setMinimumWidth(onTheLeft ? 230 : 210); // a URL with its port, an address, shows whole
            if (const QString variable = values.value(key + QStringLiteral("/env")).toString(); !variable.isEmpty()) {
                // Set by the environment: shown, not editable here (the file's value would not take effect).
                edit->setReadOnly(true);
                edit->setEnabled(false);
                edit->setToolTip(tr("Set by the environment variable %1; change it there.").arg(variable));
                if (secret)
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
                form->addRow(label, row);
                continue;
            }
            form->addRow(label, edit);
            m_fields.insert(key, edit);
            if (key == QLatin1String("detector/model_threshold")) {
                // What the threshold trades, in words, as measured (issue 25); follows the value as it is typed.
                auto *tradeoff = new QLabel(box);
                tradeoff->setObjectName(QStringLiteral("modelTradeoff"));
                tradeoff->setWordWrap(true);
                tradeoff->setEnabled(false); // secondary text, in the palette's colour for it
                const auto update = [tradeoff, edit] {
                    bool ok = false;
                    const int percent = edit->text().toInt(&ok);
                    const bool valid = ok && percent >= 1 && percent <= 99;
                    const QString whole = valid ? ModelTradeoffs::describe(ModelTradeoffs::measured(), percent)
                                                : tr("A threshold from 1 to 99 %.");
                    // Two short lines under the field; the whole sentence on hover and for a screen reader.
                    tradeoff->setText(valid ? ModelTradeoffs::brief(ModelTradeoffs::measured(), percent) : whole);
                    tradeoff->setToolTip(whole);
                    edit->setAccessibleDescription(whole);
                };
                connect(edit, &QLineEdit::textChanged, tradeoff, update);
                update();
                form->addRow(tradeoff); // the whole width of the box: it is a few lines of text
            }
            if (invalid.contains(key))
                showProblem(key, QString());
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
    layout->addWidget(m_error);
    if (!invalid.isEmpty()) {
        m_error->setText(tr("The marked values in the settings file are not valid; their defaults are in use and "
                            "shown here. Save to correct the file."));
        m_error->show();
    }
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_save = buttons->button(QDialogButtonBox::Save);
    m_save->setObjectName(QStringLiteral("saveSettingsButton"));
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::trySave);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
}

void SettingsDialog::trySave()
{
    clearMarks();
    const QVariantMap v = values();
    const auto problems = Config::problemsIn(v);
    if (!problems.isEmpty()) {
        QStringList why;
        for (const auto &[key, text] : problems) {
            showProblem(key, text);
            why << text;
        }
        m_error->setText(why.join(QLatin1Char('\n')));
        m_error->show();
        if (QLineEdit *first = m_fields.value(problems.constFirst().first)) {
            first->setFocus();
            first->selectAll();
        }
        return;
    }
    m_error->hide();
    m_save->setEnabled(false); // until the console answers
    emit saveRequested(v);
}

void SettingsDialog::saved()
{
    accept();
}

void SettingsDialog::saveFailed(const QString &error)
{
    m_save->setEnabled(true);
    m_error->setText(tr("The settings were not saved: %1").arg(error));
    m_error->show();
}

void SettingsDialog::showProblem(const QString &key, const QString &why)
{
    QLineEdit *edit = m_fields.value(key);
    if (!edit || m_marks.contains(key))
        return;
    // Marked by an icon and in words, not by colour alone.
    QAction *mark = edit->addAction(style()->standardIcon(QStyle::SP_MessageBoxWarning), QLineEdit::TrailingPosition);
    mark->setToolTip(why.isEmpty() ? tr("Not valid in the settings file; the default is shown.") : why);
    m_marks.insert(key, mark);
    edit->setAccessibleDescription(mark->toolTip());
    edit->setProperty("invalid", true);
}

void SettingsDialog::clearMarks()
{
    for (auto it = m_marks.begin(); it != m_marks.end(); ++it) {
        if (QLineEdit *edit = m_fields.value(it.key())) {
            edit->removeAction(it.value());
            edit->setAccessibleDescription(QString());
            edit->setProperty("invalid", false);
        }
        delete it.value();
    }
    m_marks.clear();
}

QVariantMap SettingsDialog::values() const
{
    QVariantMap out;
    for (auto it = m_fields.begin(); it != m_fields.end(); ++it)
        out.insert(it.key(), it.value()->text().trimmed());
    return out;
}

} // namespace LearnPulse
