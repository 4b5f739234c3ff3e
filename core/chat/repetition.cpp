#include "repetition.h"

#include <QRegularExpression>
#include <QSet>

namespace LearnPulse::Repetition {

namespace {

const QSet<QString> &stopwords()
{
    static const QSet<QString> words = [] {
        QSet<QString> s;
        for (const char *w : { "the", "and", "for", "are", "was", "were", "you", "your", "can", "could", "would",
                 "will", "what", "which", "who", "whom", "how", "why", "when", "where", "that", "this", "these",
                 "those", "with", "from", "about", "into", "have", "has", "had", "does", "did", "not", "but", "all",
                 "any", "some", "please", "tell", "show", "give", "list", "need", "want", "know", "just", "again",
                 "also", "there", "their", "them", "they", "our", "out", "get", "got", "let", "its", "it's", "i'm",
                 "i've", "asked", "ask", "asking", "question", "still", "yet", "more", "one", "thanks", "thank", "hi",
                 "hello", "okay", "ok", "then", "than", "much", "many", "very", "really", "should", "shall", "may",
                 "might", "must", "me", "my", "mine", "is", "be", "been", "being", "do", "of", "in", "on", "at", "to",
                 "a", "an", "or", "if", "so", "as", "by", "it", "we", "he", "she", "him", "her", "his", "i" })
            s.insert(QLatin1String(w));
        return s;
    }();
    return words;
}

QString stem(QString w)
{
    for (const char *suffix : { "ing", "ies", "es", "ed", "s" }) {
        const QLatin1String s(suffix);
        if (w.size() > qsizetype(strlen(suffix)) + 3 && w.endsWith(s)) {
            w.chop(s.size());
            if (s == QLatin1String("ies"))
                w += QLatin1Char('y');
            break;
        }
    }
    return w;
}

} // namespace

QStringList contentWords(const QString &text)
{
    static const QRegularExpression word(
        QStringLiteral("[\\p{L}\\p{N}]+(?:['\u2019][\\p{L}]+)?"), QRegularExpression::UseUnicodePropertiesOption);
    QStringList out;
    auto it = word.globalMatch(text);
    bool sentenceStart = true;
    qsizetype previousEnd = 0;
    while (it.hasNext()) {
        const auto m = it.next();
        // A new sentence starts after . ! ? between the words.
        const QStringView between = QStringView(text).mid(previousEnd, m.capturedStart() - previousEnd);
        if (between.contains(QLatin1Char('.')) || between.contains(QLatin1Char('!'))
            || between.contains(QLatin1Char('?')))
            sentenceStart = true;
        previousEnd = m.capturedEnd();
        const QString original = m.captured();
        const QString w = original.toLower().replace(QChar(0x2019), QLatin1Char('\''));
        const bool hasDigit = std::any_of(w.cbegin(), w.cend(), [](QChar c) { return c.isDigit(); });
        const bool name = !sentenceStart && original.at(0).isUpper();
        sentenceStart = false;
        if (stopwords().contains(w) || (w.size() < 3 && !hasDigit))
            continue;
        // What a question is about (a class code, a student's name) is marked: the same question about
        // another class or student is a new question.
        const QString s = hasDigit || name ? QLatin1Char('#') + w : stem(w);
        if (!out.contains(s))
            out << s;
    }
    return out;
}

bool saysAgain(const QString &message)
{
    static const QRegularExpression again(QStringLiteral("\\bagain\\b"), QRegularExpression::CaseInsensitiveOption);
    return again.match(message).hasMatch();
}

} // namespace LearnPulse::Repetition
