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

// A session id is a random UUID in its canonical lower-case 36-character form; anything else (a
// path such as "../x", a key pattern such as "*") is refused before it reaches Redis or a file name.
bool isValidSessionId(QStringView id);
Status checkSessionId(QStringView id);

} // namespace MessageValidator

} // namespace LearnPulse
