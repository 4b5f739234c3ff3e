#pragma once

#include "sessionstore.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace LearnPulse {

class TicketStore;
struct Account;
struct Config;

// Everything a ticket is made of.
struct TicketRequest
{
    SessionState session;
    QList<HistoryEntry> history;
    QString teacherName;
    QString teacherEmail;
    QString teacherUserId;
    QString teacherRole;
    QString summary;
    QDateTime now; // invalid: the current time
    QHash<int, QString> signalNotes; // history index -> why that message counted as a signal, in words
};

struct TicketResult
{
    bool success = false;
    QString ticketId;
    bool emailSent = false;
    QString conversationFile;
    QDateTime timestamp;
    QString error;
    bool alreadyExisted = false; // the session had a ticket; that one is returned

    QJsonObject toJson() const;
};

// Opens support tickets (DESIGN.md, "Tickets"): writes the transcript atomically (mode 0600 in a 0700
// directory) and indexes it. Blocking: use from a worker thread.
class TicketService final
{
public:
    TicketService(const Config &config, std::shared_ptr<TicketStore> store);
    const std::shared_ptr<TicketStore> &store() const { return m_store; }

    static QString ticketIdFor(const QString &sessionId, const QDateTime &utc);
    static QString fileNameFor(const QString &sessionId, const QDateTime &utc);
    static QString summaryFor(const SessionState &session);
    static QString transcriptText(const QString &ticketId, const QDateTime &created, const TicketRequest &request);

    TicketResult createTicket(const TicketRequest &request);

private:
    const Config &m_config;
    std::shared_ptr<TicketStore> m_store;
};

} // namespace LearnPulse
