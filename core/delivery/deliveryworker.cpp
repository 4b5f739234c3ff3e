#include "deliveryworker.h"

#include "database.h"
#include "logging.h"
#include "outbox.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>

namespace LearnPulse {

DeliveryWorker::DeliveryWorker(std::shared_ptr<Database> database, const Config &config, QObject *parent)
    : QObject(parent)
    , m_db(std::move(database))
    , m_config(config)
{
    qRegisterMetaType<Config>();
}

DeliveryWorker::~DeliveryWorker()
{
    m_outbox.reset();
    m_db->closeThreadConnection(); // runs on the delivery thread as it ends (deleteLater after finished())
}

void DeliveryWorker::start()
{
    // Made here, on the worker's own thread, so that they belong to it.
    m_network = new QNetworkAccessManager(this); // the one manager for this thread's HTTP
    // A teacher's seat login cannot read the outbox: the support seats deliver what its tickets queue.
    if (m_db->actsForEverySeatAs(Role::Support)) {
        m_outbox = std::make_unique<Outbox>(m_db, m_config);
        m_outbox->setNetwork(m_network);
        m_outbox->setStopFlag(&m_stop);
    }
    m_timer = new QTimer(this);
    m_timer->setInterval(m_config.outboxPollSeconds * 1000);
    connect(m_timer, &QTimer::timeout, this, &DeliveryWorker::deliverDue);
    m_timer->start();
    checkAssistant();
    deliverDue();
}

void DeliveryWorker::deliverDue()
{
    // A webhook post waits in a local event loop, where the timer or a new ticket may ask again: one
    // delivery at a time, and the request is not lost.
    if (!m_outbox)
        return;
    if (m_delivering) {
        m_again = true;
        return;
    }
    m_delivering = true;
    Outbox::Report report = m_outbox->deliverDue();
    while (std::exchange(m_again, false) && !m_stop) {
        const Outbox::Report more = m_outbox->deliverDue();
        report.attempted += more.attempted;
    }
    m_delivering = false;
    if (report.attempted == 0
        && !report.errors.isEmpty()) // the outbox could not be read (sending failures log themselves)
        qCWarning(lcOutbox).noquote() << QStringLiteral("Cannot read the outbox: ") + report.errors.constFirst();
    if (report.attempted > 0)
        emit delivered(report.attempted);
}

void DeliveryWorker::checkAssistant()
{
    if (!m_network)
        return;
    // GET {base}/models answers quickly on every OpenAI-compatible server.
    QUrl url(m_config.llmBaseUrl);
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path + QStringLiteral("/models"));
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        emit assistantStatus(tr("Assistant unavailable: its address is not an http:// or https:// URL"), false);
        return;
    }
    QNetworkRequest request(url);
    request.setTransferTimeout(5000);
    if (!m_config.llmApiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_config.llmApiKey.toUtf8());
    // Owned by the manager; held here only while it runs.
    QPointer<QNetworkReply> reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        if (!reply)
            return;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() == QNetworkReply::NoError || (status > 0 && status < 500 && status != 401 && status != 403))
            emit assistantStatus(tr("Assistant ready"), true);
        else
            emit assistantStatus(tr("Assistant unavailable: %1").arg(reply->errorString()), false);
        reply->deleteLater();
    });
}

void DeliveryWorker::reconfigure(const Config &config)
{
    m_config = config; // the outbox holds a reference and sees the new values
    if (m_timer)
        m_timer->setInterval(m_config.outboxPollSeconds * 1000);
    checkAssistant();
}

} // namespace LearnPulse
