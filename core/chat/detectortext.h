#pragma once

#include <QList>
#include <QStringView>

#include <utility>
#include <vector>

// The detector's tokenisers, written by hand: they run on every teacher message, and iterating
// QRegularExpression matches cost most of the detector's time (docs/BENCHMARKS.md). Each one is the
// exact equivalent of the regular expression in its comment; tst_detector checks that on random text.
namespace LearnPulse::DetectorText {

struct Span
{
    qsizetype start = 0;
    qsizetype length = 0;
    bool punctuation = false; // normalisedTokens(): a run of clause punctuation, not a word

    bool operator==(const Span &) const = default;
};

// [\p{L}][\p{L}\p{M}'\x{2019}\x{2018}\-]*
QList<Span> words(QStringView text);

// ([\p{L}\p{N}]+(?:'[\p{L}]+)*)|([.!?;:,()\[\]{}\n\r\t\x{2026}\x{2014}\x{2013}]+|(?<=\s)-(?=\s|\z))
QList<Span> normalisedTokens(QStringView text);

// Which of many short strings occur in a text, found in one pass (Aho-Corasick over UTF-16 code units): the
// message rules' "requires" strings, looked for in every message. Each string belongs to a group (0-63).
class Needles
{
public:
    void add(QStringView needle, int group);
    // After the last add(), before groupsIn().
    void build();
    // Bit g is set when a string of group g occurs in `text`.
    quint64 groupsIn(QStringView text) const;

private:
    struct Node
    {
        std::vector<std::pair<char16_t, int>> next; // sorted by code unit
        int fail = 0;
        quint64 groups = 0; // of the strings that end here, or at a suffix of this node's text
    };
    int child(int node, char16_t c) const;
    std::vector<Node> m_nodes { Node() };
};

} // namespace LearnPulse::DetectorText
