#pragma once

#include "sseparser.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace LearnPulse {

struct Config;

struct ChatMessage
{
    QString role; // "system", "user" or "assistant"
    QString content;
};

struct LlmError
{
    enum class Kind
    {
        None,
        NotConfigured,
        ConnectionRefused,
        HostNotFound,
        ConnectTimeout,
        IdleTimeout,
        Http,
        MalformedResponse,
        Dropped,
        TooLarge,
        Cancelled,
        Network,
    };
    Kind kind = Kind::None;
    int httpStatus = 0;
    QString message; // readable, for the person at the keyboard; never holds the API key

    static QString kindName(Kind kind);
};

struct LlmResult
{
    bool ok = false;
    QString text; // the whole reply (on error: what arrived before it)
    QString finishReason; // as the server said ("stop", "length", ...)
    LlmError error;
};

struct LlmSettings
{
    QUrl baseUrl;
    QString model;
    QString apiKey;
    int connectTimeoutMs = 10000;
    int idleTimeoutMs = 60000;
    int maxReplyChars = 20000;

    static LlmSettings fromConfig(const Config &config);
};

// One chat-completions request in flight. Emits delta() for each piece of a streamed reply and
// finished() exactly once; deletes itself after finished(). abandon() cancels it (finished() at once, with
// a Cancelled error). Owned by its LlmClient, which abandons what is still in flight when it goes.
class LlmReply final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LlmReply)

public:
    ~LlmReply() override;
    void abandon(const QString &reason = {});
    bool isFinished() const { return m_finished; }

signals:
    void delta(const QString &text);
    void finished(const LlmResult &result);

private:
    friend class LlmClient;
    LlmReply(QNetworkReply *reply, const LlmSettings &settings, bool stream, QObject *parent);

    void onMetaData();
    void onReadyRead();
    void onFinished();
    void onTimeout();
    void handleEvent(const SseEvent &event);
    bool appendText(const QString &piece);
    void fail(LlmError::Kind kind, const QString &message, int httpStatus = 0);
    void release(); // aborts and lets go of the network reply (its manager deletes it)
    void succeed();
    // The one end of every request: stops the timer, lets go of the network reply, emits finished() with
    // what arrived, and deletes this object later.
    void finishWith(LlmResult result);
    int httpStatus() const;

    QPointer<QNetworkReply> m_reply;
    LlmSettings m_settings;
    bool m_stream;
    bool m_headersSeen = false;
    bool m_eventStream = false;
    bool m_done = false;
    bool m_finished = false;
    QTimer m_timer;
    SseParser m_parser;
    QByteArray m_body; // non-streamed replies and error bodies
    QString m_text;
    QString m_finishReason;
};

// Client for the OpenAI-compatible chat-completions API (POST {base}/chat/completions), served by
// Ollama, llama.cpp, vLLM, LM Studio and OpenAI. Asynchronous: lives in the thread that uses it.
class LlmClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LlmClient)

public:
    explicit LlmClient(LlmSettings settings, QObject *parent = nullptr);
    ~LlmClient() override;

    const LlmSettings &settings() const { return m_settings; }
    LlmReply *chat(const QList<ChatMessage> &messages, bool stream = true);

private:
    LlmSettings m_settings;
    QNetworkAccessManager *m_network;
};

} // namespace LearnPulse

Q_DECLARE_METATYPE(LearnPulse::LlmResult)
