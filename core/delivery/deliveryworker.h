#pragma once

#include "config.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

class QNetworkAccessManager;

namespace LearnPulse {

class Database;
class Outbox;

// Delivery off the chat thread: the outbox (ticket emails through libcurl's SMTP, webhooks) and the
// assistant's health check run here, on a thread of their own, so that an SMTP server that never answers
// cannot hold up a teacher's turn. Every outbox/poll_seconds (30 s), and at once when asked (a new ticket).
class DeliveryWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryWorker)

public:
    DeliveryWorker(std::shared_ptr<Database> database, const Config &config, QObject *parent = nullptr);
    ~DeliveryWorker() override;
    // From any thread: finish quickly (no further entry; a mail being sent is stopped and retried later).
    void requestStop() { m_stop = true; }

public slots:
    void start();
    void deliverDue();
    void checkAssistant();
    void reconfigure(const LearnPulse::Config &config);

signals:
    // `attempted` entries were tried (the ticket list shows their delivery state).
    void delivered(int attempted);
    void assistantStatus(const QString &status, bool ok);

private:
    std::shared_ptr<Database> m_db;
    Config m_config;
    std::unique_ptr<Outbox> m_outbox;
    QNetworkAccessManager *m_network = nullptr;
    QTimer *m_timer = nullptr;
    std::atomic_bool m_stop { false };
    bool m_delivering = false;
    bool m_again = false;
};

} // namespace LearnPulse

Q_DECLARE_METATYPE(LearnPulse::Config)
