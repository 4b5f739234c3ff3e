#include "mailer.h"

#include "config.h"
#include "logging.h"

#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QUrl>

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace LearnPulse {

namespace {

void curlGlobalInit()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlDeleter
{
    void operator()(CURL *c) const { curl_easy_cleanup(c); }
    void operator()(curl_slist *l) const { curl_slist_free_all(l); }
    void operator()(curl_mime *m) const { curl_mime_free(m); }
};
template<typename T>
using CurlPtr = std::unique_ptr<T, CurlDeleter>;

void append(CurlPtr<curl_slist> &list, const QByteArray &line)
{
    curl_slist *grown = curl_slist_append(list.get(), line.constData());
    if (grown) {
        (void)list.release();
        list.reset(grown);
    }
}

QByteArray rfc2822Date(const QDateTime &t)
{
    return QLocale::c().toString(t.toUTC(), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss +0000")).toLatin1();
}

// libcurl's progress callback: a non-zero answer ends the transfer (the console is closing).
int abortWhenAsked(void *flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    return flag && static_cast<const std::atomic_bool *>(flag)->load() ? 1 : 0;
}

} // namespace

Mailer::Mailer(const Config &config)
    : m_config(config)
{ }

QString Mailer::sanitiseHeaderText(const QString &value)
{
    QString out;
    out.reserve(value.size());
    for (const QChar c : value)
        out += (c.category() == QChar::Other_Control || c == QChar::LineSeparator || c == QChar::ParagraphSeparator)
            ? QLatin1Char(' ')
            : c;
    return out.simplified();
}

QByteArray Mailer::encodeHeaderValue(const QString &value)
{
    const QString clean = sanitiseHeaderText(value);
    bool ascii = true;
    for (const QChar c : clean)
        ascii = ascii && c.unicode() >= 0x20 && c.unicode() < 0x7f;
    if (ascii)
        return clean.toLatin1();
    // RFC 2047 encoded words of at most 45 bytes of UTF-8 each, cut between characters.
    QList<QByteArray> words;
    QByteArray chunk;
    for (qsizetype i = 0; i < clean.size(); ++i) {
        QString ch = clean.at(i);
        if (clean.at(i).isHighSurrogate() && i + 1 < clean.size())
            ch += clean.at(++i);
        const QByteArray bytes = ch.toUtf8();
        if (chunk.size() + bytes.size() > 45) {
            words << chunk;
            chunk.clear();
        }
        chunk += bytes;
    }
    if (!chunk.isEmpty())
        words << chunk;
    QByteArray out;
    for (const QByteArray &w : words) {
        if (!out.isEmpty())
            out += ' ';
        out += "=?UTF-8?B?" + w.toBase64() + "?=";
    }
    return out;
}

QByteArray Mailer::mailbox(const QString &name, const QString &address)
{
    const QString cleanAddress = sanitiseHeaderText(address).remove(QLatin1Char('<')).remove(QLatin1Char('>'));
    const QString cleanName = sanitiseHeaderText(name);
    if (cleanName.isEmpty())
        return "<" + cleanAddress.toUtf8() + ">";
    bool ascii = true;
    for (const QChar c : cleanName)
        ascii = ascii && c.unicode() >= 0x20 && c.unicode() < 0x7f;
    QByteArray encoded = encodeHeaderValue(cleanName);
    if (ascii) {
        // A plain name goes in quotes so that commas and the like cannot split the header; so does a name
        // that only looks like an encoded word ("=?x?= <evil@example>, Ms Jones").
        encoded.replace('\\', "\\\\").replace('"', "\\\"");
        encoded = '"' + encoded + '"';
    }
    return encoded + " <" + cleanAddress.toUtf8() + ">";
}

bool Mailer::isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(host);
    return !address.isNull() && address.isLoopback();
}

DeliveryResult Mailer::send(const MailMessage &m) const
{
    curlGlobalInit();
    DeliveryResult result;
    QFile attachment(m.attachmentPath);
    if (!m.attachmentData && !m.attachmentPath.isEmpty() && !attachment.open(QIODevice::ReadOnly)) {
        result.permanent = true;
        result.error
            = QStringLiteral("cannot read the transcript %1: %2").arg(m.attachmentPath, attachment.errorString());
        return result;
    }
    const QByteArray attachmentBytes = m.attachmentData ? *m.attachmentData
        : m.attachmentPath.isEmpty()                    ? QByteArray()
                                                        : attachment.readAll();

    CurlPtr<CURL> curl(curl_easy_init());
    if (!curl) {
        result.error = QStringLiteral("libcurl could not start");
        return result;
    }
    const QString host = m_config.smtpHost;
    const bool implicitTls = m_config.smtpPort == 465;
    const bool plainAllowed = !m_config.smtpRequireTls && (m_config.smtpAllowPlain || isLoopbackHost(host));
    QUrl url;
    url.setScheme(implicitTls ? QStringLiteral("smtps") : QStringLiteral("smtp"));
    url.setHost(host);
    url.setPort(m_config.smtpPort);
    const QByteArray urlBytes = url.toEncoded();
    curl_easy_setopt(curl.get(), CURLOPT_URL, urlBytes.constData());
    if (!implicitTls)
        curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, long(plainAllowed ? CURLUSESSL_TRY : CURLUSESSL_ALL));
    const QByteArray user = m_config.smtpUsername.toUtf8();
    const QByteArray password = m_config.smtpPassword.toUtf8();
    if (!user.isEmpty()) {
        curl_easy_setopt(curl.get(), CURLOPT_USERNAME, user.constData());
        curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, password.constData());
    }
    const QByteArray from = "<" + sanitiseHeaderText(m.from).toUtf8() + ">";
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.constData());
    CurlPtr<curl_slist> recipients;
    append(recipients, "<" + sanitiseHeaderText(m.to).toUtf8() + ">");
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());
    curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 15L);
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, long(m_config.smtpTimeoutSeconds));
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
    if (m_abort) {
        curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, abortWhenAsked);
        curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, const_cast<std::atomic_bool *>(m_abort));
        curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
    }

    CurlPtr<curl_slist> headers;
    append(headers, "Date: " + rfc2822Date(QDateTime::currentDateTimeUtc()));
    append(headers, "From: " + mailbox(QStringLiteral("LearnPulse Support Console"), m.from));
    append(headers, "To: " + mailbox(QString(), m.to));
    if (!m.replyTo.isEmpty())
        append(headers, "Reply-To: " + mailbox(m.replyToName, m.replyTo));
    append(headers, "Subject: " + encodeHeaderValue(m.subject));
    if (!m.messageId.isEmpty())
        append(headers, "Message-ID: <" + sanitiseHeaderText(m.messageId).toUtf8() + ">");
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());

    CurlPtr<curl_mime> mime(curl_mime_init(curl.get()));
    const QByteArray body = m.body.toUtf8();
    curl_mimepart *text = curl_mime_addpart(mime.get());
    curl_mime_data(text, body.constData(), size_t(body.size()));
    curl_mime_type(text, "text/plain; charset=utf-8");
    curl_mime_encoder(text, "quoted-printable");
    if (!m.attachmentPath.isEmpty()) {
        curl_mimepart *file = curl_mime_addpart(mime.get());
        curl_mime_data(file, attachmentBytes.constData(), size_t(attachmentBytes.size()));
        curl_mime_type(file, "text/plain; charset=utf-8");
        const QByteArray fileName = QFileInfo(m.attachmentPath).fileName().toUtf8();
        curl_mime_filename(file, fileName.constData());
        curl_mime_encoder(file, "base64");
    }
    curl_easy_setopt(curl.get(), CURLOPT_MIMEPOST, mime.get());

    char errorBuffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, errorBuffer);
    const CURLcode code = curl_easy_perform(curl.get());
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.code);
    if (code == CURLE_OK) {
        result.ok = true;
        return result;
    }
    const QString detail
        = errorBuffer[0] ? QString::fromLocal8Bit(errorBuffer) : QString::fromLatin1(curl_easy_strerror(code));
    result.permanent = result.code >= 500 && result.code < 600;
    if (code == CURLE_USE_SSL_FAILED)
        result.error = QStringLiteral("the SMTP server %1 does not offer STARTTLS, and plain SMTP is allowed only to "
                                      "loopback or with smtp/allow_plain")
                           .arg(host);
    else if (result.code > 0)
        result.error = QStringLiteral("SMTP %1: %2").arg(result.code).arg(detail);
    else
        result.error = detail;
    return result;
}

DeliveryResult postJson(const QString &url, const QByteArray &json, int timeoutSeconds, QNetworkAccessManager *network)
{
    DeliveryResult result;
    const QUrl parsed(url);
    if (!parsed.isValid() || (parsed.scheme() != QLatin1String("http") && parsed.scheme() != QLatin1String("https"))) {
        result.permanent = true;
        result.error = QStringLiteral("WEBHOOK_URL is not an http:// or https:// URL");
        return result;
    }
    // HTTP goes through Qt's network stack (libcurl is only for SMTP). Blocking for the caller, which is a
    // delivery thread or the one-shot command line: the reply is waited for in a local event loop.
    std::unique_ptr<QNetworkAccessManager> own;
    if (!network) {
        own = std::make_unique<QNetworkAccessManager>();
        network = own.get();
    }
    QNetworkRequest request(parsed);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setTransferTimeout(timeoutSeconds * 1000);
    QPointer<QNetworkReply> reply = network->post(request, json);
    if (!reply->isFinished()) {
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    }
    result.code = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (result.code == 0) {
        result.error = reply->errorString();
    } else {
        result.ok = result.code >= 200 && result.code < 300;
        if (!result.ok)
            result.error = QStringLiteral("the webhook answered HTTP %1").arg(result.code);
    }
    reply->deleteLater(); // owned by its manager
    return result;
}

} // namespace LearnPulse
