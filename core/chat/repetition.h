#pragma once

#include <QString>
#include <QStringList>

namespace LearnPulse {

// The repetition signal (issue 16): a teacher who asks the same thing again, in other words, within the
// last few messages (Intercom hands over after a three-turn loop). Explainable: the words two messages
// share decide, not a model. Each teacher message is stored with its content words.
namespace Repetition {

// The content words of a message: lower case, without common function words, crudely stemmed
// ("students" and "student" are one word), class codes like "7c" kept.
QStringList contentWords(const QString &text);

// Whether the message says "again" (then two shared content words are enough).
bool saysAgain(const QString &message);

// The decision itself runs in Redis, with the rest of the turn (resources/redis/turn.lua): the same
// question again, in other words, within the last few teacher messages when most content words are
// shared (Jaccard index >= 0.6, or one contained in the other at >= 0.8, at least three words shared), or
// the message says "again" and shares at least two.

} // namespace Repetition

} // namespace LearnPulse
