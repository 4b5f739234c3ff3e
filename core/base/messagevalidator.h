#pragma once

#include "result.h"

#include <QByteArrayView>
#include <QString>

namespace LearnPulse {

// Step 1 of a turn (DESIGN.md): checks a teacher message before anything is stored, so that bad
// input gets a clear error and writes nothing.
namespace MessageValidator {

// Text that came as bytes (stdin, a socket): must be valid UTF-8.
Result<QString> validateUtf8(QByteArrayView bytes, int maxChars);
// Text already decoded: not empty or blank, at most `maxChars` characters (code points), no NUL or
// other control characters except tab and line breaks, no lone surrogates.
Result<QString> validate(const QString &text, int maxChars);

// Text as it may be stored, shown, written into a transcript or printed to a terminal: every kind of line
// break (CR LF, CR, U+2028, U+2029, U+0085, vertical tab, form feed) becomes "\n", so that only "\n" starts a
// line and a transcript can indent every continuation line; other control characters (C0 but tab and
// newline, DEL, C1: an escape sequence) and the bidirectional embeddings, overrides and isolates (U+202A-202E,
// U+2066-2069) become U+FFFD; invisible separators (U+200B, U+2060-2064, U+FEFF) are left out. Text from a
// person, a server, a row or a file.
QString neutralise(const QString &text);

// A session id is a random UUID in its canonical lower-case 36-character form; anything else (a
// path such as "../x", a key pattern such as "*") is refused before it reaches Redis or a file name.
bool isValidSessionId(QStringView id);
Status checkSessionId(QStringView id);

} // namespace MessageValidator

} // namespace LearnPulse
