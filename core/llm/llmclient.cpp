#include "llmclient.h"

#include "config.h"
#include "logging.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace LearnPulse {

namespace {

constexpr qsizetype maxErrorBodyBytes = 64 * 1024;

// The server's own words from an error body: {"error": {"message": ...}}, {"error": "..."},
// {"message": ...} or {"detail": ...}; plain text otherwise.
QString serverMessage(const QByteArray &body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QJsonObject o = doc.object();
        const QJsonValue error = o.value(QLatin1String("error"));
        if (error.isObject() && error.toObject().value(QLatin1String("message")).isString())
            return error.toObject().value(QLatin1String("message")).toString();
        if (error.isString())
            return error.toString();
        for (const char *key : { "message", "detail" })
            if (o.value(QLatin1String(key)).isString())
                return o.value(QLatin1String(key)).toString();
    }
    return QString::fromUtf8(body.left(300)).simplified();
}

QString seconds(int ms)
{
    return QString::number(ms / 1000.0, 'g', 3);
}

} // namespace

QString LlmError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::None:
        return QStringLiteral("none");
    case Kind::NotConfigured:
        return QStringLiteral("not_configured");
    case Kind::ConnectionRefused:
        return QStringLiteral("connection_refused");
    case Kind::HostNotFound:
        return QStringLiteral("host_not_found");
    case Kind::ConnectTimeout:
        return QStringLiteral("connect_timeout");
    case Kind::IdleTimeout:
        return QStringLiteral("idle_timeout");
    case Kind::Http:
        return QStringLiteral("http");
    case Kind::MalformedResponse:
        return QStringLiteral("malformed_response");
    case Kind::Dropped:
        return QStringLiteral("dropped");
    case Kind::TooLarge:
        return QStringLiteral("too_large");
    case Kind::Cancelled:
        return QStringLiteral("cancelled");
    case Kind::Network:
        return QStringLiteral("network");
    }
    return {};
}

LlmSettings LlmSettings::fromConfig(const Config &config)
{
    LlmSettings s;
    s.baseUrl = QUrl(config.llmBaseUrl);
    s.model = config.llmModel;
    s.apiKey = config.llmApiKey;
    s.connectTimeoutMs = config.llmConnectTimeoutMs;
    s.idleTimeoutMs = config.llmIdleTimeoutMs;
    s.maxReplyChars = config.llmMaxReplyChars;
    return s;
}

LlmClient::LlmClient(LlmSettings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_network(new QNetworkAccessManager(this))
{
    qRegisterMetaType<LlmResult>();
}

LlmClient::~LlmClient()
{
    // Requests still in flight end now, each with a Cancelled result, while their manager is still alive.
    const auto pending = findChildren<LlmReply *>(Qt::FindDirectChildrenOnly);
    for (LlmReply *reply : pending)
        reply->abandon();
}

LlmReply *LlmClient::chat(const QList<ChatMessage> &messages, bool stream)
{
    QUrl url = m_settings.baseUrl;
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + QLatin1String("/chat/completions"));

    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("Accept", stream ? "text/event-stream" : "application/json");
    if (!m_settings.apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_settings.apiKey.toUtf8());

    QJsonArray list;
    for (const ChatMessage &m : messages)
        list.append(QJsonObject { { QStringLiteral("role"), m.role }, { QStringLiteral("content"), m.content } });
    const QJsonObject body { { QStringLiteral("model"), m_settings.model }, { QStringLiteral("messages"), list },
        { QStringLiteral("stream"), stream } };

    QNetworkReply *reply = nullptr;
    if (url.isValid() && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https")))
        reply = m_network->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
    auto *handle = new LlmReply(reply, m_settings, stream, this);
    qCDebug(lcLlm) << "chat request with" << messages.size() << "messages, stream" << stream;
    return handle;
}

LlmReply::LlmReply(QNetworkReply *reply, const LlmSettings &settings, bool stream, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
    , m_settings(settings)
    , m_stream(stream)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &LlmReply::onTimeout);
    if (!reply) {
        // Report on the next turn of the event loop, so that the caller can connect first.
        QTimer::singleShot(0, this, [this] {
            fail(LlmError::Kind::NotConfigured,
                QStringLiteral("The assistant's address (LLM_BASE_URL) is not a valid http:// or https:// URL."));
        });
        return;
    }
    // The network reply stays owned by its QNetworkAccessManager; this object only holds it in a QPointer.
    connect(reply, &QNetworkReply::metaDataChanged, this, &LlmReply::onMetaData);
    connect(reply, &QNetworkReply::readyRead, this, &LlmReply::onReadyRead);
    connect(reply, &QNetworkReply::finished, this, &LlmReply::onFinished);
    m_timer.start(m_settings.connectTimeoutMs);
}

LlmReply::~LlmReply()
{
    release();
}

void LlmReply::release()
{
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void LlmReply::abandon(const QString &reason)
{
    fail(LlmError::Kind::Cancelled,
        reason.isEmpty() ? QStringLiteral("The request to the assistant was cancelled.") : reason);
}

int LlmReply::httpStatus() const
{
    return m_reply ? m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : 0;
}

void LlmReply::onMetaData()
{
    if (m_headersSeen || !m_reply)
        return;
    m_headersSeen = true;
    m_timer.start(m_settings.idleTimeoutMs);
    const QString type = m_reply->header(QNetworkRequest::ContentTypeHeader).toString();
    m_eventStream = type.startsWith(QLatin1String("text/event-stream"));
}

void LlmReply::onReadyRead()
{
    if (m_finished || !m_reply)
        return;
    onMetaData();
    m_timer.start(m_settings.idleTimeoutMs);
    const QByteArray chunk = m_reply->readAll();
    if (httpStatus() >= 400 || !m_eventStream) {
        const qsizetype cap = httpStatus() >= 400 ? maxErrorBodyBytes : qsizetype(m_settings.maxReplyChars) * 8 + 65536;
        m_body += chunk;
        if (m_body.size() > cap) {
            if (httpStatus() >= 400)
                m_body.truncate(maxErrorBodyBytes);
            else
                fail(LlmError::Kind::TooLarge,
                    QStringLiteral("The assistant's reply was longer than %1 characters and was stopped.")
                        .arg(m_settings.maxReplyChars));
        }
        return;
    }
    const QList<SseEvent> events = m_parser.feed(chunk);
    for (const SseEvent &e : events) {
        if (m_finished)
            return;
        handleEvent(e);
    }
    if (!m_finished && m_parser.hasError())
        fail(LlmError::Kind::MalformedResponse,
            QStringLiteral("The assistant's server sent a broken event stream: %1.").arg(m_parser.error()));
}

void LlmReply::handleEvent(const SseEvent &event)
{
    if (event.data.trimmed() == QLatin1String("[DONE]")) {
        m_done = true;
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(event.data.toUtf8(), &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        fail(LlmError::Kind::MalformedResponse,
            QStringLiteral("The assistant's server sent an event that is not JSON (%1).")
                .arg(parseError.errorString()));
        return;
    }
    const QJsonObject o = doc.object();
    if (o.contains(QLatin1String("error"))) {
        fail(LlmError::Kind::Http,
            QStringLiteral("The assistant's server reported an error: %1")
                .arg(serverMessage(QJsonDocument(o).toJson(QJsonDocument::Compact))));
        return;
    }
    const QJsonArray choices = o.value(QLatin1String("choices")).toArray();
    if (choices.isEmpty())
        return; // e.g. a usage-only event
    const QJsonObject choice = choices.first().toObject();
    const QJsonValue content = choice.value(QLatin1String("delta")).toObject().value(QLatin1String("content"));
    if (content.isString() && !content.toString().isEmpty()) {
        const QString piece = content.toString();
        if (!appendText(piece))
            return;
        emit delta(piece);
    }
    if (choice.value(QLatin1String("finish_reason")).isString())
        m_finishReason = choice.value(QLatin1String("finish_reason")).toString();
}

bool LlmReply::appendText(const QString &piece)
{
    if (m_text.size() + piece.size() > m_settings.maxReplyChars) {
        fail(LlmError::Kind::TooLarge,
            QStringLiteral("The assistant's reply was longer than %1 characters and was stopped.")
                .arg(m_settings.maxReplyChars));
        return false;
    }
    m_text += piece;
    return true;
}

void LlmReply::onFinished()
{
    if (m_finished || !m_reply)
        return;
    m_timer.stop();
    const int status = httpStatus();
    const QNetworkReply::NetworkError error = m_reply->error();
    if (m_reply->bytesAvailable() > 0)
        onReadyRead();
    if (m_finished)
        return;

    if (status >= 400) {
        const QString server = serverMessage(m_body);
        const QString what = status == 401 || status == 403
            ? QStringLiteral("The assistant's server refused the request (HTTP %1; check LLM_API_KEY): %2")
            : QStringLiteral("The assistant's server answered HTTP %1: %2");
        fail(LlmError::Kind::Http, what.arg(status).arg(server.isEmpty() ? m_reply->errorString() : server), status);
        return;
    }
    const QString where = m_reply->url().host() + QLatin1Char(':') + QString::number(m_reply->url().port(80));
    switch (error) {
    case QNetworkReply::NoError:
        break;
    case QNetworkReply::ConnectionRefusedError:
        fail(LlmError::Kind::ConnectionRefused,
            QStringLiteral(
                "The assistant is not reachable at %1: the connection was refused. Is the LLM server running?")
                .arg(where));
        return;
    case QNetworkReply::HostNotFoundError:
        fail(LlmError::Kind::HostNotFound,
            QStringLiteral("The assistant's server %1 was not found.").arg(m_reply->url().host()));
        return;
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::UnknownNetworkError:
        fail(LlmError::Kind::Dropped,
            QStringLiteral("The connection to the assistant was lost before the reply was complete."));
        return;
    default:
        fail(LlmError::Kind::Network,
            QStringLiteral("The request to the assistant failed: %1").arg(m_reply->errorString()));
        return;
    }

    if (m_eventStream) {
        if (!m_done && m_finishReason.isEmpty()) {
            fail(LlmError::Kind::Dropped,
                QStringLiteral("The connection to the assistant was lost before the reply was complete."));
            return;
        }
        succeed();
        return;
    }

    // A whole JSON reply: asked for without streaming, or a server that does not stream.
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(m_body, &parseError);
    const QJsonObject o = doc.object();
    const QJsonValue content = o.value(QLatin1String("choices"))
                                   .toArray()
                                   .first()
                                   .toObject()
                                   .value(QLatin1String("message"))
                                   .toObject()
                                   .value(QLatin1String("content"));
    if (parseError.error != QJsonParseError::NoError || !content.isString()) {
        fail(LlmError::Kind::MalformedResponse,
            QStringLiteral("The assistant's server sent a response that is not a chat completion%1.")
                .arg(parseError.error != QJsonParseError::NoError
                        ? QStringLiteral(" (%1)").arg(parseError.errorString())
                        : QString()));
        return;
    }
    if (!appendText(content.toString()))
        return;
    m_finishReason = o.value(QLatin1String("choices"))
                         .toArray()
                         .first()
                         .toObject()
                         .value(QLatin1String("finish_reason"))
                         .toString();
    if (!m_text.isEmpty())
        emit delta(m_text);
    succeed();
}

void LlmReply::onTimeout()
{
    if (m_finished)
        return;
    if (!m_headersSeen)
        fail(LlmError::Kind::ConnectTimeout,
            QStringLiteral("The assistant did not answer within %1 seconds.")
                .arg(seconds(m_settings.connectTimeoutMs)));
    else
        fail(LlmError::Kind::IdleTimeout,
            QStringLiteral("The assistant stopped responding (nothing arrived for %1 seconds).")
                .arg(seconds(m_settings.idleTimeoutMs)));
}

void LlmReply::fail(LlmError::Kind kind, const QString &message, int status)
{
    if (m_finished)
        return;
    LlmResult result;
    result.error = { kind, status, message };
    qCWarning(lcLlm).noquote() << QStringLiteral("LLM request failed kind=") + LlmError::kindName(kind)
                               << QStringLiteral("http=") + QString::number(status);
    finishWith(result);
}

void LlmReply::succeed()
{
    if (m_finished)
        return;
    LlmResult result;
    result.ok = true;
    finishWith(result);
}

void LlmReply::finishWith(LlmResult result)
{
    m_finished = true;
    m_timer.stop();
    release();
    result.text = m_text;
    result.finishReason = m_finishReason;
    emit finished(result);
    deleteLater();
}

} // namespace LearnPulse
