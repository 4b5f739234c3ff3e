#include "messagevalidator.h"

#include <QStringDecoder>

#include <algorithm>

namespace LearnPulse::MessageValidator {

Result<QString> validateUtf8(QByteArrayView bytes, int maxChars)
{
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(bytes);
    if (decoder.hasError())
        return Result<QString>::failure(QStringLiteral("The message is not valid UTF-8 text."));
    return validate(text, maxChars);
}

Result<QString> validate(const QString &text, int maxChars)
{
    if (text.trimmed().isEmpty())
        return Result<QString>::failure(QStringLiteral("The message is empty."));
    qsizetype codePoints = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isHighSurrogate()) {
            if (i + 1 >= text.size() || !text.at(i + 1).isLowSurrogate())
                return Result<QString>::failure(QStringLiteral("The message contains invalid Unicode text."));
            ++i;
        } else if (c.isLowSurrogate()) {
            return Result<QString>::failure(QStringLiteral("The message contains invalid Unicode text."));
        } else if (c.unicode() == 0) {
            return Result<QString>::failure(QStringLiteral("The message contains a NUL character."));
        } else if (c.category() == QChar::Other_Control && c != QLatin1Char('\n') && c != QLatin1Char('\t')
            && c != QLatin1Char('\r')) {
            return Result<QString>::failure(QStringLiteral("The message contains a control character (U+%1).")
                                                .arg(c.unicode(), 4, 16, QLatin1Char('0')));
        }
        ++codePoints;
    }
    if (codePoints > maxChars)
        return Result<QString>::failure(
            QStringLiteral("The message is too long: %1 characters, at most %2 are allowed.")
                .arg(codePoints)
                .arg(maxChars));
    return text;
}

namespace {

// Characters that change how the text around them is shown without being seen themselves: the bidirectional
// embeddings, overrides and isolates (U+202E shows "txt.exe" for "exe.txt") and the invisible separators.
// The joiners U+200C/U+200D stay: emoji sequences and several scripts need them.
bool isDirectionControl(char16_t u)
{
    return (u >= 0x202a && u <= 0x202e) || (u >= 0x2066 && u <= 0x2069);
}

bool isInvisible(char16_t u)
{
    return u == 0x200b || (u >= 0x2060 && u <= 0x2064) || u == 0xfeff;
}

} // namespace

QString neutralise(const QString &text)
{
    const auto needsWork = [](QChar c) {
        const char16_t u = c.unicode();
        return (u < 0x20 && u != u'\n' && u != u'\t') || (u >= 0x7f && u <= 0x9f) || u == 0x2028 || u == 0x2029
            || isDirectionControl(u) || isInvisible(u);
    };
    if (std::none_of(text.cbegin(), text.cend(), needsWork))
        return text; // the usual case: no copy
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t u = text.at(i).unicode();
        if (u == u'\r') {
            out += QLatin1Char('\n');
            if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('\n'))
                ++i;
        } else if (u == 0x0b || u == 0x0c || u == 0x85 || u == 0x2028 || u == 0x2029) {
            out += QLatin1Char('\n');
        } else if (isInvisible(u)) {
            continue; // nothing to see: nothing shown
        } else if (needsWork(text.at(i))) {
            out += QChar(0xfffd); // a control, or a change of direction: seen as what it is
        } else {
            out += text.at(i);
        }
    }
    return out;
}

bool isValidSessionId(QStringView id)
{
    // A lower-case UUID, 8-4-4-4-12 hex digits; checked on every turn, so by hand rather than by a regex.
    if (id.size() != 36)
        return false;
    for (qsizetype i = 0; i < id.size(); ++i) {
        const char16_t c = id.at(i).unicode();
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != u'-')
                return false;
        } else if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f'))) {
            return false;
        }
    }
    return true;
}

Status checkSessionId(QStringView id)
{
    if (isValidSessionId(id))
        return {};
    return Status::failure(
        QStringLiteral("Invalid session id: a session id is a UUID such as 3f9a1c2e-0000-4000-8000-000000000000."));
}

} // namespace LearnPulse::MessageValidator
