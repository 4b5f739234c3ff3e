#include "detectortext.h"

#include <QChar>

#include <algorithm>

namespace LearnPulse::DetectorText {

namespace {

// The code point at `i` and its length in UTF-16 units (a lone surrogate is itself, like PCRE's
// non-UTF mode would not see it: it is neither a letter nor a mark nor a number).
struct CodePoint
{
    char32_t value;
    qsizetype units;
};

CodePoint codePointAt(QStringView text, qsizetype i)
{
    const QChar c = text.at(i);
    if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
        return { QChar::surrogateToUcs4(c, text.at(i + 1)), 2 };
    return { c.unicode(), 1 };
}

bool isLetter(char32_t c)
{
    return QChar::isLetter(c);
}

bool isWordTail(char32_t c)
{
    return QChar::isLetter(c) || QChar::isMark(c) || c == u'\'' || c == 0x2019 || c == 0x2018 || c == u'-';
}

bool isPunctuation(char32_t c)
{
    switch (c) {
    case u'.':
    case u'!':
    case u'?':
    case u';':
    case u':':
    case u',':
    case u'(':
    case u')':
    case u'[':
    case u']':
    case u'{':
    case u'}':
    case u'\n':
    case u'\r':
    case u'\t':
    case 0x2026:
    case 0x2014:
    case 0x2013:
        return true;
    default:
        return false;
    }
}

// Advances `i` over code points that satisfy `pred`; returns how many were taken.
template<typename Pred>
int takeWhile(QStringView text, qsizetype &i, Pred pred)
{
    int taken = 0;
    while (i < text.size()) {
        const CodePoint cp = codePointAt(text, i);
        if (!pred(cp.value))
            break;
        i += cp.units;
        ++taken;
    }
    return taken;
}

} // namespace

QList<Span> words(QStringView text)
{
    QList<Span> out;
    out.reserve(text.size() / 4 + 1);
    qsizetype i = 0;
    while (i < text.size()) {
        const CodePoint cp = codePointAt(text, i);
        if (!isLetter(cp.value)) {
            i += cp.units;
            continue;
        }
        const qsizetype start = i;
        i += cp.units;
        takeWhile(text, i, isWordTail);
        out.append({ start, i - start, false });
    }
    return out;
}

QList<Span> normalisedTokens(QStringView text)
{
    QList<Span> out;
    out.reserve(text.size() / 4 + 1);
    qsizetype i = 0;
    auto letterOrNumber = [](char32_t c) { return QChar::isLetter(c) || QChar::isNumber(c); };
    while (i < text.size()) {
        const CodePoint cp = codePointAt(text, i);
        const qsizetype start = i;
        if (letterOrNumber(cp.value)) {
            takeWhile(text, i, letterOrNumber);
            // (?:'[\p{L}]+)*
            while (i + 1 < text.size() && text.at(i) == u'\'' && isLetter(codePointAt(text, i + 1).value)) {
                ++i;
                takeWhile(text, i, isLetter);
            }
            out.append({ start, i - start, false });
        } else if (isPunctuation(cp.value)) {
            takeWhile(text, i, isPunctuation);
            out.append({ start, i - start, true });
        } else if (cp.value == u'-' && i > 0 && text.at(i - 1).isSpace()
            && (i + 1 == text.size() || text.at(i + 1).isSpace())) {
            // A hyphen between spaces is a dash: "open a ticket for me - the portal is locked".
            ++i;
            out.append({ start, 1, true });
        } else {
            i += cp.units;
        }
    }
    return out;
}

void Needles::add(QStringView needle, int group)
{
    if (needle.isEmpty() || group < 0 || group > 63)
        return;
    int node = 0;
    for (const QChar qc : needle) {
        const char16_t c = qc.unicode();
        int next = child(node, c);
        if (next < 0) {
            next = int(m_nodes.size());
            m_nodes.emplace_back();
            auto &edges = m_nodes[size_t(node)].next;
            edges.insert(std::lower_bound(edges.begin(), edges.end(), std::make_pair(c, 0)), { c, next });
        }
        node = next;
    }
    m_nodes[size_t(node)].groups |= quint64(1) << group;
}

int Needles::child(int node, char16_t c) const
{
    const auto &edges = m_nodes[size_t(node)].next;
    const auto it = std::lower_bound(
        edges.begin(), edges.end(), c, [](const std::pair<char16_t, int> &e, char16_t v) { return e.first < v; });
    return it != edges.end() && it->first == c ? it->second : -1;
}

void Needles::build()
{
    // Breadth first: a node's failure link is the longest proper suffix of its text that is also a prefix of a
    // string; it inherits the groups found there.
    std::vector<int> queue;
    for (const auto &[c, next] : m_nodes[0].next) {
        m_nodes[size_t(next)].fail = 0;
        queue.push_back(next);
    }
    for (size_t i = 0; i < queue.size(); ++i) {
        const int node = queue[i];
        for (const auto &[c, next] : m_nodes[size_t(node)].next) {
            int f = m_nodes[size_t(node)].fail;
            while (f != 0 && child(f, c) < 0)
                f = m_nodes[size_t(f)].fail;
            const int target = child(f, c);
            m_nodes[size_t(next)].fail = target >= 0 && target != next ? target : 0;
            m_nodes[size_t(next)].groups |= m_nodes[size_t(m_nodes[size_t(next)].fail)].groups;
            queue.push_back(next);
        }
    }
}

quint64 Needles::groupsIn(QStringView text) const
{
    quint64 found = 0;
    int node = 0;
    for (const QChar qc : text) {
        const char16_t c = qc.unicode();
        int next = child(node, c);
        while (next < 0 && node != 0) {
            node = m_nodes[size_t(node)].fail;
            next = child(node, c);
        }
        node = next < 0 ? 0 : next;
        found |= m_nodes[size_t(node)].groups;
    }
    return found;
}

} // namespace LearnPulse::DetectorText
