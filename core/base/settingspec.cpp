#include "settingspec.h"

#include "config.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QUrl>

namespace LearnPulse {

namespace {

using T = SettingSpec::Type;

// Every key the INI file may hold. The dialog shows the `editable` ones, grouped as it lays them out.
const SettingSpec specs[] = {
    { "llm/base_url", QT_TRANSLATE_NOOP("Settings", "Assistant base URL"), T::HttpUrl, &Config::llmBaseUrl, 0, 0,
        "LLM_BASE_URL", true },
    { "llm/model", QT_TRANSLATE_NOOP("Settings", "Assistant model"), T::Text, &Config::llmModel, 0, 0, "LLM_MODEL",
        true },
    { "llm/api_key", QT_TRANSLATE_NOOP("Settings", "Assistant API key"), T::Secret, &Config::llmApiKey, 0, 0,
        "LLM_API_KEY", true, true },
    { "llm/connect_timeout_ms", QT_TRANSLATE_NOOP("Settings", "Assistant connect timeout (ms)"), T::Int,
        &Config::llmConnectTimeoutMs, 100, 600000 },
    { "llm/idle_timeout_ms", QT_TRANSLATE_NOOP("Settings", "Assistant idle timeout (ms)"), T::Int,
        &Config::llmIdleTimeoutMs, 100, 3600000 },
    { "llm/max_reply_chars", QT_TRANSLATE_NOOP("Settings", "Longest reply of the assistant"), T::Int,
        &Config::llmMaxReplyChars, 100, 1000000 },
    { "redis/url", QT_TRANSLATE_NOOP("Settings", "Redis URL"), T::RedisUrl, &Config::redisUrl, 0, 0, "REDIS_URL",
        true },
    { "redis/ca_file", QT_TRANSLATE_NOOP("Settings", "Redis TLS CA file"), T::Text, &Config::redisCaFile, 0, 0,
        "REDIS_CA_FILE" },
    // Not checked here: a database URL that cannot be used stops the console with the reason (Database::open),
    // rather than letting it run on a local database of its own beside the shared one.
    { "database/url", QT_TRANSLATE_NOOP("Settings", "Database URL"), T::Text, &Config::databaseUrl, 0, 0,
        "DATABASE_URL", false, true },
    { "support/email", QT_TRANSLATE_NOOP("Settings", "Support address"), T::Email, &Config::supportEmail, 0, 0,
        "SUPPORT_EMAIL", true },
    { "smtp/host", QT_TRANSLATE_NOOP("Settings", "SMTP host"), T::Text, &Config::smtpHost, 0, 0, "SMTP_HOST", true,
        true },
    { "smtp/port", QT_TRANSLATE_NOOP("Settings", "SMTP port"), T::Int, &Config::smtpPort, 1, 65535, "SMTP_PORT", true },
    { "smtp/username", QT_TRANSLATE_NOOP("Settings", "SMTP user"), T::Text, &Config::smtpUsername, 0, 0,
        "SMTP_USERNAME", true, true },
    { "smtp/password", QT_TRANSLATE_NOOP("Settings", "SMTP password"), T::Secret, &Config::smtpPassword, 0, 0,
        "SMTP_PASSWORD", true, true },
    { "smtp/from_email", QT_TRANSLATE_NOOP("Settings", "From address"), T::Email, &Config::smtpFromEmail, 0, 0,
        "SMTP_FROM_EMAIL", true, true },
    { "smtp/allow_plain", QT_TRANSLATE_NOOP("Settings", "Plain SMTP to another host"), T::Bool,
        &Config::smtpAllowPlain },
    { "smtp/require_tls", QT_TRANSLATE_NOOP("Settings", "SMTP needs TLS"), T::Bool, &Config::smtpRequireTls },
    { "smtp/timeout_seconds", QT_TRANSLATE_NOOP("Settings", "SMTP timeout (seconds)"), T::Int,
        &Config::smtpTimeoutSeconds, 1, 3600 },
    { "webhook/url", QT_TRANSLATE_NOOP("Settings", "Webhook URL"), T::HttpUrl, &Config::webhookUrl, 0, 0, "WEBHOOK_URL",
        true, true },
    { "escalation/threshold", QT_TRANSLATE_NOOP("Settings", "Signals before a ticket"), T::Int,
        &Config::escalationThreshold, 1, 1000, nullptr, true },
    { "detector/model", QT_TRANSLATE_NOOP("Settings", "Detector model file"), T::Text, &Config::detectorModel, 0, 0,
        nullptr, false, true },
    { "detector/model_threshold", QT_TRANSLATE_NOOP("Settings", "Model threshold (%)"), T::Int,
        &Config::modelThresholdPercent, 1, 99, nullptr, true },
    { "guard/model", QT_TRANSLATE_NOOP("Settings", "Guard model file"), T::Text, &Config::guardModel, 0, 0, nullptr,
        false, true },
    { "guard/model_threshold", QT_TRANSLATE_NOOP("Settings", "Guard model threshold (%)"), T::Int,
        &Config::guardThresholdPercent, 1, 99 },
    { "signals/corrections_before_offer", QT_TRANSLATE_NOOP("Settings", "Corrections or complaints before an offer"),
        T::Int, &Config::correctionsBeforeOffer, 0, 20, nullptr, true },
    { "escalation/explicit_request_immediate", QT_TRANSLATE_NOOP("Settings", "A ticket at once when asked"), T::Bool,
        &Config::escalateOnExplicitRequest },
    { "escalation/claim_lapse_seconds", QT_TRANSLATE_NOOP("Settings", "Claim lapse (seconds)"), T::Int,
        &Config::claimLapseSeconds, 1, 86400 },
    { "signals/repetition", QT_TRANSLATE_NOOP("Settings", "Asking again counts"), T::Bool, &Config::repetitionSignal },
    { "signals/repetition_window", QT_TRANSLATE_NOOP("Settings", "Messages compared for asking again"), T::Int,
        &Config::repetitionWindow, 1, 20 },
    { "signals/feedback", QT_TRANSLATE_NOOP("Settings", "A thumbs-down counts"), T::Bool, &Config::feedbackSignal },
    { "signals/offer", QT_TRANSLATE_NOOP("Settings", "Offer a ticket on a vague ask"), T::Bool, &Config::offerSignal },
    { "session/history_cap", QT_TRANSLATE_NOOP("Settings", "Messages kept per conversation"), T::Int,
        &Config::historyCap, 2, 10000, nullptr, true },
    { "session/ttl_seconds", QT_TRANSLATE_NOOP("Settings", "Conversation lifetime (seconds)"), T::Int,
        &Config::sessionTtlSeconds, 60, 365 * 24 * 3600 },
    { "limits/max_message_chars", QT_TRANSLATE_NOOP("Settings", "Longest message"), T::Int, &Config::maxMessageChars, 1,
        1000000 },
    { "limits/rate_per_minute", QT_TRANSLATE_NOOP("Settings", "Messages a minute per user"), T::Int,
        &Config::rateLimitPerMinute, 1, 100000, nullptr, true },
    { "retention/ticket_days", QT_TRANSLATE_NOOP("Settings", "Days a ticket is kept"), T::Int, &Config::retentionDays,
        0, 36500 },
    { "support/first_response_hours", QT_TRANSLATE_NOOP("Settings", "First response target (hours)"), T::Int,
        &Config::firstResponseHours, 1, 1000 },
    { "outbox/max_tries", QT_TRANSLATE_NOOP("Settings", "Tries of an email"), T::Int, &Config::outboxMaxTries, 1,
        1000 },
    { "outbox/backoff_initial_seconds", QT_TRANSLATE_NOOP("Settings", "First retry after (seconds)"), T::Int,
        &Config::outboxBackoffInitialSeconds, 1, 86400 },
    { "outbox/backoff_cap_seconds", QT_TRANSLATE_NOOP("Settings", "Longest wait between retries (seconds)"), T::Int,
        &Config::outboxBackoffCapSeconds, 1, 7 * 86400 },
    { "outbox/poll_seconds", QT_TRANSLATE_NOOP("Settings", "Outbox checked every (seconds)"), T::Int,
        &Config::outboxPollSeconds, 1, 3600 },
};

bool urlWithScheme(const QString &value, std::initializer_list<const char *> schemes, bool needHost)
{
    const QUrl url(value, QUrl::StrictMode);
    if (!url.isValid() || (needHost && url.host().isEmpty()))
        return false;
    for (const char *scheme : schemes)
        if (url.scheme() == QLatin1String(scheme))
            return true;
    return false;
}

std::optional<bool> parseBool(const QString &value)
{
    const QString v = value.trimmed().toLower();
    if (v == QLatin1String("true") || v == QLatin1String("yes") || v == QLatin1String("on") || v == QLatin1String("1"))
        return true;
    if (v == QLatin1String("false") || v == QLatin1String("no") || v == QLatin1String("off") || v == QLatin1String("0"))
        return false;
    return std::nullopt;
}

QString tr(const char *text)
{
    return QCoreApplication::translate("Settings", text);
}

} // namespace

std::span<const SettingSpec> SettingSpec::all()
{
    return specs;
}

const SettingSpec *SettingSpec::find(const QString &key)
{
    for (const SettingSpec &s : specs)
        if (key == QLatin1String(s.key))
            return &s;
    return nullptr;
}

QString SettingSpec::labelText() const
{
    return tr(label);
}

QString SettingSpec::check(const QString &value) const
{
    if (optional && value.isEmpty())
        return {};
    switch (type) {
    case Type::Text:
    case Type::Secret:
        return {};
    case Type::Int: {
        bool ok = false;
        const int n = value.trimmed().toInt(&ok);
        if (ok && n >= minimum && n <= maximum)
            return {};
        return tr("%1 must be a whole number from %2 to %3.").arg(labelText()).arg(minimum).arg(maximum);
    }
    case Type::Bool:
        return parseBool(value) ? QString() : tr("%1 must be true or false.").arg(labelText());
    case Type::RedisUrl: {
        const QUrl url(value, QUrl::StrictMode);
        if (urlWithScheme(value, { "redis", "rediss" }, true)
            || (url.isValid() && url.scheme() == QLatin1String("unix") && !url.path().isEmpty()))
            return {};
        return tr("%1 must be a redis://host:port/db, rediss://host:port/db or unix:///path URL.").arg(labelText());
    }
    case Type::HttpUrl:
        return urlWithScheme(value, { "http", "https" }, true)
            ? QString()
            : tr("%1 must be an http:// or https:// URL.").arg(labelText());
    case Type::Email: {
        static const QRegularExpression address(QStringLiteral("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"));
        return address.match(value.trimmed()).hasMatch()
            ? QString()
            : tr("%1 must be an email address (name@example.org).").arg(labelText());
    }
    }
    return {};
}

QString SettingSpec::valueIn(const Config &config) const
{
    return std::visit(
        [&config](auto m) -> QString {
            const auto &v = config.*m;
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, QString>)
                return v;
            else if constexpr (std::is_same_v<V, int>)
                return QString::number(v);
            else
                return v ? QStringLiteral("true") : QStringLiteral("false");
        },
        member);
}

void SettingSpec::apply(Config &config, const QString &value) const
{
    std::visit(
        [&config, &value](auto m) {
            auto &v = config.*m;
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, QString>)
                v = value;
            else if constexpr (std::is_same_v<V, int>)
                v = value.trimmed().toInt();
            else
                v = parseBool(value).value_or(v);
        },
        member);
}

} // namespace LearnPulse
