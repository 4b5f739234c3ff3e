#pragma once

#include "mailer.h"
#include "result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>

namespace LearnPulse {

class Database;
struct Config;

// One email or webhook post waiting in (or done with) the outbox.
struct OutboxEntry
{
    qint64 id = 0;
    QString ticketId;
    QString kind; // "email" or "webhook"
    QJsonObject payload;
    QString state; // pending, sending, sent, failed
    int tries = 0;
    QDateTime nextAttempt;
    QString lastError;
    QDateTime created;
    QDateTime sentAt;

    QJsonObject toJson() const; // without the payload's body
};

// What to put in the outbox with a new ticket (written in the ticket's own transaction).
struct OutboxItem
{
    QString kind;
    QJsonObject payload;
};

// The durable outbox (DESIGN.md, "Tickets"): ticket emails and webhook posts are written to the index
// database with the ticket, then delivered by whoever calls deliverDue() (the console's worker, or a
// one-shot learnpulsectl before it exits). A failure is retried with exponential backoff up to a
// maximum number of tries; a row is claimed with a lease before it is sent and marked sent after, so
// it is never sent again after a success. Blocking: use from a worker thread.
class Outbox final
{
public:
    Outbox(std::shared_ptr<Database> database, const Config &config);

    static QString timestamp(const QDateTime &t); // the sortable UTC form stored in the table
    static OutboxItem emailFor(const Config &config, const QString &ticketId, const QString &summary,
        const QString &teacherName, const QString &teacherEmail, const QString &transcriptPath);
    static OutboxItem webhookFor(const QString &ticketId, const QString &summary);

    Result<QList<OutboxEntry>> list();
    // Makes every pending or failed entry due now (a failed one gets a fresh set of tries).
    Result<int> retryAll();

    struct Report
    {
        int attempted = 0;
        int sent = 0;
        int failed = 0;
        QStringList errors;
    };
    // Delivers what is due (all tickets, or only `ticketId`), at most `max` entries.
    Report deliverDue(int max = 50, const QString &ticketId = {});

    // Seconds a claimed entry stays claimed; after that a crashed sender's entry is retried.
    static constexpr int leaseSeconds = 300;
    // Webhooks go through this manager (the delivery thread's); without one each post makes its own.
    void setNetwork(QNetworkAccessManager *network) { m_network = network; }
    // Set by another thread to end a batch: no further entry is started, and a mail being sent is stopped.
    void setStopFlag(const std::atomic_bool *stop) { m_stop = stop; }

private:
    DeliveryResult deliver(const OutboxEntry &entry) const;
    void recordOutcome(const OutboxEntry &entry, const DeliveryResult &outcome);

    std::shared_ptr<Database> m_db;
    const Config &m_config;
    QNetworkAccessManager *m_network = nullptr;
    const std::atomic_bool *m_stop = nullptr;
};

} // namespace LearnPulse
