#include "tickettablemodel.h"

#include "detector.h"
#include "words.h"

#include <QColor>
#include <QDateTime>
#include <QLocale>

#include <limits>

namespace LearnPulse {

namespace {

constexpr qint64 noTime = std::numeric_limits<qint64>::min();

// The summary column shows what counted in words (made from the rules), so it sorts by the rules: tickets where
// the same rules counted, in the same order, stand together (not alphabetically by the words).
const char *const sortColumns[] = { "id", "created", "teacher_name", "teacher_email", "rules", "signal_count", "status",
    "waiting_since", "assignee_name", "email_status" };
static_assert(std::size(sortColumns) == TicketTableModel::ColumnCount);

QString waitingText(double hours)
{
    const int minutes = int(hours * 60);
    if (minutes < 60)
        return TicketTableModel::tr("%n min", nullptr, minutes);
    return TicketTableModel::tr("%1 h %2 min").arg(minutes / 60).arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

} // namespace

TicketTableModel::TicketTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

int TicketTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TicketTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant TicketTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole && section == SummaryColumn)
        return tr("What counted as the teacher being unhappy; sorting puts tickets where the same rules "
                  "counted together");
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IdColumn:
        return tr("Ticket ID");
    case CreatedColumn:
        return tr("Created");
    case TeacherColumn:
        return tr("Teacher");
    case EmailColumn:
        return tr("Email");
    case SummaryColumn:
        return tr("Summary");
    case SignalsColumn:
        return tr("Signals");
    case StatusColumn:
        return tr("Status");
    case EmailStatusColumn:
        return tr("Email status");
    case WaitingColumn:
        return tr("Waiting");
    case AssigneeColumn:
        return tr("Assignee");
    }
    return {};
}

bool TicketTableModel::isOverdue(int row, const QDateTime &now) const
{
    if (row < 0 || row >= m_rows.size() || m_rows.at(row).waitingSinceMs == 0)
        return false;
    return TicketRecord::workingHoursBetween(
               QDateTime::fromMSecsSinceEpoch(m_rows.at(row).waitingSinceMs, Qt::UTC), now)
        >= m_targetHours;
}

QString TicketTableModel::shortId(const QString &ticketId)
{
    const QString hex = ticketId.section(QLatin1Char('-'), 1, 1);
    return hex.size() == 8 ? hex : ticketId;
}

QVariant TicketTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &t = m_rows.at(index.row());
    if (role == Qt::UserRole)
        return t.id;
    if (role == Qt::TextAlignmentRole && index.column() == SignalsColumn)
        return int(Qt::AlignRight | Qt::AlignVCenter);
    // Tooltips of stored text: shown as the text it is, never as markup (a summary "<img src=...>" stays words).
    if (role == Qt::ToolTipRole && index.column() == EmailStatusColumn)
        return Words::plainToolTip(t.emailStatus);
    if (role == Qt::ToolTipRole && index.column() == IdColumn)
        return Words::plainToolTip(t.id);
    if (role == Qt::ToolTipRole && index.column() == SummaryColumn)
        return Words::plainToolTip(t.summary);
    if (index.column() == WaitingColumn && (role == Qt::ForegroundRole || role == Qt::ToolTipRole)
        && isOverdue(index.row())) {
        if (role == Qt::ForegroundRole)
            return QColor(0xc6, 0x28, 0x28);
        return Words::counted(m_targetHours, tr("Past the first-response target of %1 working hour"),
            tr("Past the first-response target of %1 working hours"));
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case IdColumn:
        return shortId(t.id);
    case CreatedColumn:
        if (t.createdMs == noTime)
            return QString();
        return QLocale().toString(QDateTime::fromMSecsSinceEpoch(t.createdMs), QLocale::ShortFormat);
    case TeacherColumn:
        return t.teacherName;
    case EmailColumn:
        return t.teacherEmail;
    case SummaryColumn:
        return t.summary;
    case SignalsColumn:
        return t.signalCount;
    case StatusColumn:
        return Words::status(t.status);
    case EmailStatusColumn:
        return Words::emailDelivery(t.emailStatus);
    case WaitingColumn:
        if (t.waitingSinceMs == 0)
            return QString();
        return waitingText(TicketRecord::workingHoursBetween(
            QDateTime::fromMSecsSinceEpoch(t.waitingSinceMs, Qt::UTC), QDateTime::currentDateTimeUtc()));
    case AssigneeColumn:
        return t.assigneeName;
    }
    return {};
}

bool TicketTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_pendingRequest == 0 && m_total >= 0 && m_rows.size() < m_total;
}

void TicketTableModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        request(int(m_rows.size()));
}

void TicketTableModel::request(int offset)
{
    TicketFilter f = m_filter;
    f.offset = offset;
    // Keyset paging: a further page starts after the last row shown (its cost does not grow with depth).
    f.afterId = offset > 0 && !m_rows.isEmpty() ? m_rows.constLast().id : QString();
    f.limit = offset > 0 ? furtherPageSize : pageSize;
    m_pendingRequest = m_nextRequest++;
    emit pageRequested(m_pendingRequest, f);
}

void TicketTableModel::sort(int column, Qt::SortOrder order)
{
    if (column < 0 || column >= ColumnCount)
        return;
    m_filter.sortColumn = QLatin1String(sortColumns[column]);
    m_filter.descending = order == Qt::DescendingOrder;
    reload();
}

void TicketTableModel::setFilter(const TicketFilter &filter)
{
    const QString column = m_filter.sortColumn;
    const bool descending = m_filter.descending;
    m_filter = filter;
    m_filter.sortColumn = column;
    m_filter.descending = descending;
    reload();
}

void TicketTableModel::reload()
{
    // The rows stay on screen until the new first page arrives, so that the view does not flicker.
    m_resetOnArrival = true;
    request(0);
}

void TicketTableModel::addPage(quint64 requestId, const QList<TicketRecord> &rows, int total, const QString &error)
{
    if (requestId != m_pendingRequest)
        return; // an answer to a request that a newer one replaced
    m_pendingRequest = 0;
    if (!error.isEmpty()) {
        emit loadFailed(error);
        return;
    }
    QList<Row> compact;
    compact.reserve(rows.size());
    if (m_resetOnArrival)
        m_strings.clear(); // rows of the former list go with it
    for (const TicketRecord &t : rows)
        compact.append(rowFor(t));
    if (m_resetOnArrival) {
        beginResetModel();
        m_rows = std::move(compact);
        m_total = qMax(0, total);
        m_resetOnArrival = false;
        endResetModel();
    } else if (!compact.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + compact.size() - 1));
        m_rows += compact;
        if (total >= 0)
            m_total = total;
        endInsertRows();
    } else if (m_rows.size() < m_total) {
        m_total = int(m_rows.size()); // a further page came back empty (tickets went away): nothing more to fetch
    }
    emit loaded();
}

QString TicketTableModel::shared(const QString &text)
{
    auto it = m_strings.constFind(text);
    if (it == m_strings.constEnd())
        it = m_strings.insert(text);
    return *it;
}

TicketTableModel::Row TicketTableModel::rowFor(const TicketRecord &t)
{
    Row r;
    r.id = t.id;
    r.id.squeeze();
    r.teacherName = shared(t.teacherName);
    r.teacherEmail = shared(t.teacherEmail);
    // What differs between tickets: what counted, in words (the summary line is much the same for all).
    const QString counted = Detection::rulesInWords(t.rules);
    r.summary = shared(counted.isEmpty() ? t.summary : counted.left(1).toUpper() + counted.mid(1));
    r.status = shared(t.status);
    r.emailStatus = shared(t.emailStatus);
    r.assigneeName = shared(t.assigneeName);
    r.waitingSinceMs = t.waitingSince.isValid() ? t.waitingSince.toMSecsSinceEpoch() : 0;
    r.createdMs = t.created.isValid() ? t.created.toMSecsSinceEpoch() : noTime;
    r.signalCount = t.signalCount;
    return r;
}

QString TicketTableModel::ticketIdAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id : QString();
}

int TicketTableModel::rowOf(const QString &ticketId) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).id == ticketId)
            return int(i);
    return -1;
}

} // namespace LearnPulse
