#include "detectortext.h"

#include <QChar>

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
        } else {
            i += cp.units;
        }
    }
    return out;
}

} // namespace LearnPulse::DetectorText
