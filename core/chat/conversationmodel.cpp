#include "conversationmodel.h"

#include "chatengine.h"

namespace LearnPulse {

ConversationModel::ConversationModel(QObject *parent)
    : QAbstractListModel(parent)
{ }

int ConversationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_messages.size());
}

QVariant ConversationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Message &m = m_messages.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return m.text;
    case KindRole:
        return int(m.kind);
    case TimeRole:
        return m.time;
    case PendingRole:
        return m.pending;
    case AuthorRole:
        return m.author;
    default:
        return {};
    }
}

QHash<int, QByteArray> ConversationModel::roleNames() const
{
    return { { Qt::DisplayRole, "text" }, { KindRole, "kind" }, { TimeRole, "time" }, { PendingRole, "pending" },
        { AuthorRole, "author" } };
}

ConversationModel::Kind ConversationModel::kindOf(const QString &historyRole)
{
    if (historyRole == QLatin1String("teacher"))
        return Kind::Teacher;
    if (historyRole == QLatin1String("application"))
        return Kind::Application;
    return Kind::Assistant;
}

ConversationModel::Message ConversationModel::fromSupportReply(const ThreadMessage &reply)
{
    return { Kind::Support, reply.body, reply.time.toLocalTime(), false, reply.authorName };
}

void ConversationModel::setHistory(
    const QList<HistoryEntry> &history, const QList<ThreadMessage> &supportReplies, const SessionState &state)
{
    beginResetModel();
    m_messages.clear();
    m_messages.reserve(history.size() + supportReplies.size());
    qsizetype offerAt = -1;
    // Both lists are in time order: merged, a reply comes after the messages sent before it.
    qsizetype next = 0;
    for (const HistoryEntry &e : history) {
        for (; next < supportReplies.size() && supportReplies.at(next).time < e.timestamp; ++next)
            m_messages.append(fromSupportReply(supportReplies.at(next)));
        Message m { kindOf(e.role), e.content, e.timestamp.toLocalTime(), false, {} };
        m.key = e.key();
        const QStringList rules = m.kind == Kind::Teacher ? state.rulesOf(e) : QStringList();
        if (rules.contains(QStringLiteral("to_support")) || isWrittenToSupport(e.content, rules)) {
            // Words the teacher wrote to support: shown as written, and whom they were for.
            m.author = QStringLiteral("support");
        } else if (rules.contains(QStringLiteral("contact_support_button"))) {
            // The press of Contact support, recorded as the teacher's request: shown as the application's
            // note, as it was when pressed, not as words the teacher typed.
            static const QString prefix = QStringLiteral("I would like to contact support: ");
            m.kind = Kind::Application;
            m.text = e.content.startsWith(prefix)
                ? QStringLiteral("You asked to contact support: \u201c%1\u201d").arg(e.content.mid(prefix.size()))
                : QStringLiteral("You asked to contact support.");
        } else if (m.kind == Kind::Teacher) {
            const QStringList taken = state.rulesOf(e, true);
            m.withdrawn = !taken.isEmpty();
            m.signalNote = signalWords(m.withdrawn ? taken : state.rulesOf(e));
        } else if (m.kind == Kind::Assistant && state.votes.contains(m.key)) {
            m.vote = state.votes.value(m.key) ? QStringLiteral("up") : QStringLiteral("down");
        } else if (m.kind == Kind::Application && ChatEngine::isOffer(e.content)) {
            offerAt = m_messages.size();
        }
        m_messages.append(m);
    }
    for (; next < supportReplies.size(); ++next)
        m_messages.append(fromSupportReply(supportReplies.at(next)));
    if (offerAt >= 0 && state.offer == QLatin1String("open"))
        m_messages[offerAt].offerOpen = true;
    endResetModel();
}

bool ConversationModel::isWrittenToSupport(const QString &content, const QStringList &rules)
{
    // Before "to_support" existed, words written to support were marked like a press of Contact support; a
    // press always records one of the two sentences below, so anything else is the teacher's own words.
    return rules.contains(QStringLiteral("contact_support_button"))
        && content != QLatin1String("I would like to contact support.")
        && !content.startsWith(QLatin1String("I would like to contact support: "));
}

int ConversationModel::rowOf(const QString &key, Kind kind) const
{
    for (qsizetype row = m_messages.size() - 1; row >= 0 && !key.isEmpty(); --row)
        if (m_messages.at(row).kind == kind && m_messages.at(row).key == key)
            return int(row);
    return -1;
}

int ConversationModel::lastRowOf(Kind kind) const
{
    for (qsizetype row = m_messages.size() - 1; row >= 0; --row)
        if (m_messages.at(row).kind == kind)
            return int(row);
    return -1;
}

void ConversationModel::update(int row, const Message &message)
{
    if (row < 0 || row >= m_messages.size() || m_messages.at(row).pending)
        return;
    m_messages[row] = message;
    emit dataChanged(index(row), index(row));
}

QString ConversationModel::signalWords(const QStringList &rules)
{
    return Detection::rulesInWords(rules, QStringLiteral("you "));
}

void ConversationModel::append(const Message &message)
{
    const int row = int(m_messages.size());
    beginInsertRows({}, row, row);
    m_messages.append(message);
    endInsertRows();
}

void ConversationModel::appendToPending(const QString &piece)
{
    if (!hasPending() || piece.isEmpty())
        return;
    const int row = int(m_messages.size()) - 1;
    m_messages.last().text += piece;
    const QModelIndex i = index(row);
    emit dataChanged(i, i, { Qt::DisplayRole });
    emit textAppended(row, piece);
}

void ConversationModel::removeLast()
{
    if (m_messages.isEmpty())
        return;
    const int row = int(m_messages.size()) - 1;
    beginRemoveRows({}, row, row);
    m_messages.removeLast();
    endRemoveRows();
}

} // namespace LearnPulse
