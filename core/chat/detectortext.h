#pragma once

#include <QList>
#include <QStringView>

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

// ([\p{L}\p{N}]+(?:'[\p{L}]+)*)|([.!?;:,()\[\]{}\n\r\t\x{2026}\x{2014}\x{2013}]+)
QList<Span> normalisedTokens(QStringView text);

} // namespace LearnPulse::DetectorText
