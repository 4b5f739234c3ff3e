#pragma once

#include <QByteArray>
#include <QString>

#include <atomic>
#include <optional>

class QNetworkAccessManager;

namespace LearnPulse {

struct Config;

struct MailMessage
{
    QString to;
    QString from;
    QString replyTo;
    QString replyToName;
    QString subject;
    QString body;
    QString attachmentPath; // attached byte for byte
    std::optional<QByteArray> attachmentData; // when set, attached instead of the file (its name kept)
    QString messageId; // without angle brackets; empty: none
};

struct DeliveryResult
{
    bool ok = false;
    bool permanent = false; // the server refused for good (5xx): retrying will not help
    long code = 0; // SMTP reply or HTTP status, when there was one
    QString error;
};

// Sends one email through libcurl's SMTP support. STARTTLS is required except to a loopback host or
// with smtp/allow_plain; port 465 uses implicit TLS. Blocking: use from a worker thread.
class Mailer final
{
public:
    explicit Mailer(const Config &config);

    DeliveryResult send(const MailMessage &message) const;
    // A flag another thread may set to end a send in progress (the console closing); not owned.
    void setAbortFlag(const std::atomic_bool *abort) { m_abort = abort; }

    // A header value with CR, LF and other control characters removed, RFC 2047-encoded when it is
    // not plain ASCII.
    static QByteArray encodeHeaderValue(const QString &value);
    static QString sanitiseHeaderText(const QString &value);
    // "Name <address>" with the name encoded as needed.
    static QByteArray mailbox(const QString &name, const QString &address);
    static bool isLoopbackHost(const QString &host);

private:
    const Config &m_config;
    const std::atomic_bool *m_abort = nullptr;
};

// Posts `json` to a webhook (http:// or https://) and waits for the answer; through `network` when given
// (the delivery thread's one manager), otherwise a manager of its own.
DeliveryResult postJson(
    const QString &url, const QByteArray &json, int timeoutSeconds = 15, QNetworkAccessManager *network = nullptr);

} // namespace LearnPulse
