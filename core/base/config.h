#pragma once

#include "result.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QVariantMap>

class QSettings;

namespace LearnPulse {

// Every setting of the application with its default, in one place. Sources, weakest first: the
// defaults below, the INI file, environment variables, command-line options (DESIGN.md,
// "Configuration").
struct Config
{
    static constexpr int currentVersion = 1;

    QString dataDir;
    QString configFile; // the INI file these settings were read from (may not exist)

    QString redisUrl = QStringLiteral("redis://127.0.0.1:6379/0");
    bool redisUrlExplicit = false; // set by the INI file or REDIS_URL, not the default
    // For a rediss:// URL: the CA certificates (PEM) the server's certificate must chain to; empty: the system's.
    QString redisCaFile;
    // The environment variables (of those that override settings) that were set, not empty, in the
    // environment these settings were loaded with.
    QStringList setByEnvironment;
    // What load() could not use, in words (the setting's label, never its value): those settings have their
    // defaults. `invalidKeys` are the INI keys among them.
    QStringList settingsProblems;
    QStringList invalidKeys;
    QString databaseUrl; // empty: SQLite file in the data directory

    int escalationThreshold = 3;
    bool escalateOnExplicitRequest = true;
    // The repetition signal: asking again what one of the last `repetitionWindow` teacher messages asked.
    bool repetitionSignal = true;
    int repetitionWindow = 3;
    // A thumbs-down on one of the assistant's replies counts as a signal (a thumbs-up is only counted).
    bool feedbackSignal = true;
    // A vague ask for a person ("is there someone I can email about this?") gets the offer of a ticket, once.
    bool offerSignal = true;
    // The trained model beside the detector's rules: empty for the built-in model, "none" for the rules alone,
    // or a model file of the school's own (with its metadata file beside it).
    QString detectorModel;
    // The model counts a message as a signal from this probability, in percent (higher: fewer false tickets,
    // more missed complaints; the settings dialog shows what each value trades).
    int modelThresholdPercent = 80;
    // The same for the guard's claim classifier (one sentence of the assistant's reply at a time): empty for the
    // built-in model, "none" for the clause rules alone, or a file.
    QString guardModel;
    int guardThresholdPercent = 80;
    // Teacher messages that correct or repeat the request, or count as any other signal, within one more message
    // (2 of the last 3 by default), bring the offer of a ticket (0: never by themselves).
    int correctionsBeforeOffer = 2;
    int claimLapseSeconds = 300; // a claim whose process died without a ticket lapses after this
    int historyCap = 50;
    int sessionTtlSeconds = 7 * 24 * 3600;
    int maxMessageChars = 8000;
    int rateLimitPerMinute = 60;

    QString supportEmail = QStringLiteral("support@learnpulse.ai");
    QString smtpHost;
    int smtpPort = 587;
    QString smtpUsername;
    QString smtpPassword;
    QString smtpFromEmail;
    bool smtpAllowPlain = false; // plain SMTP to a host that is not loopback
    bool smtpRequireTls = false; // STARTTLS even to loopback
    int smtpTimeoutSeconds = 60;
    QString webhookUrl;

    int firstResponseHours = 4; // support's target for a reply to a waiting teacher, in working hours
    int retentionDays = 0; // tickets older than this are erased on start and daily; 0: kept

    int outboxMaxTries = 8;
    int outboxBackoffInitialSeconds = 30; // doubles with each failed try
    int outboxBackoffCapSeconds = 3600;
    int outboxPollSeconds = 30; // how often the console's delivery thread looks for entries that are due

    bool smtpConfigured() const { return !smtpHost.isEmpty(); }
    // SMTP_FROM_EMAIL, else the SMTP user name when it is an address, else a no-reply address.
    QString fromEmail() const;

    QString llmBaseUrl = QStringLiteral("http://127.0.0.1:11434/v1");
    QString llmModel = QStringLiteral("llama3.2");
    QString llmApiKey;
    int llmConnectTimeoutMs = 10000; // until the server's response headers arrive
    int llmIdleTimeoutMs = 60000; // longest silence while a reply streams
    int llmMaxReplyChars = 20000;

    QString ticketsDir() const;
    QString sqlitePath() const;
    // The admin's override of the detector rules; the built-in rules apply while it does not exist.
    QString rulesOverrideFile() const;

    // Reads the settings. `dataDirOption` is the --data-dir option (empty when not given). When a data
    // directory is named (option or LEARNPULSE_DATA_DIR), the INI file is `<data dir>/learnpulse.ini`,
    // so that profiles stay apart; otherwise it is the standard per-user config location.
    static Result<Config> load(
        const QString &dataDirOption = {}, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

    // Creates the data directory (mode 0700) if needed.
    // A data directory or settings file that exists must belong to this user and be writable by no one else
    // (a settings file: no symbolic link either). Error (Forbidden): which, and how to fix it.
    static Status checkOwnership(const QString &path, bool isDirectory);
    // A settings file that holds a password (a secret, a URL with one) and that other users can read is made 0600:
    // a notice to show (empty: nothing to say), or a failure with the chmod to run when it cannot be.
    static Result<QString> keepSecretsPrivate(const QString &configFile, const QSettings &ini);
    Status ensureDataDir() const;

    // The settings an admin edits in the console, by INI key, as the settings dialog shows them: secrets
    // empty (with "<key>/set" saying whether one is stored), a password inside a URL replaced by
    // maskedPassword, and "config_file".
    QVariantMap editableValues() const;
    // The settings dialog's values that are not valid: INI key and why, in words that start with its label.
    static QList<std::pair<QString, QString>> problemsIn(const QVariantMap &values);
    // Checks the whole edited configuration first (BadInput, nothing written, when a value is not valid), then
    // writes the edited settings to `configFile` (mode 0600: it may hold the SMTP password and the API key)
    // together with the settings version, and returns the keys that changed. An empty secret, or a URL whose
    // password is still masked, keeps what is stored. Unknown keys are ignored. A value the file holds that is
    // not valid is replaced by the dialog's, or removed when the dialog does not show it. The file is replaced
    // in one step (a copy written beside it, then renamed).
    Result<QStringList> save(const QVariantMap &values) const;
    // Brings an INI file of an older version up to currentVersion (done by load()); the version is
    // `config/version` (absent: version 0, the settings before it was written).
    static Status migrate(const QString &configFile);
    static QString maskedPassword() { return QStringLiteral("********"); }
    // `url` with its password (if any) replaced by maskedPassword.
    static QString maskPassword(const QString &url);
};

} // namespace LearnPulse
