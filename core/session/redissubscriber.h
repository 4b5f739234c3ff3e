#pragma once

#include "redisclient.h"

#include <QObject>
#include <QTimer>

#include <memory>

namespace LearnPulse {

// Listens to a Redis pub/sub channel without blocking: hiredis's asynchronous API driven by Qt socket
// notifiers in the thread's event loop. (Debian's hiredis Qt adapter connects to
// QSocketNotifier::activated(int), a Qt 5 signal that Qt 6 no longer has, so the same few hooks live
// here.) Reconnects by itself when the connection drops.
class RedisSubscriber final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisSubscriber)

public:
    RedisSubscriber(RedisEndpoint endpoint, QByteArray channel, QObject *parent = nullptr);
    ~RedisSubscriber() override;

    void start();
    bool isSubscribed() const { return m_subscribed; }

signals:
    void message(const QByteArray &payload);
    void subscribedChanged(bool subscribed);

private:
    struct Private;
    void connectNow();
    void handleDisconnect();
    void setSubscribed(bool subscribed);

    RedisEndpoint m_endpoint;
    QByteArray m_channel;
    std::unique_ptr<Private> d;
    QTimer m_retry;
    bool m_subscribed = false;
};

} // namespace LearnPulse
