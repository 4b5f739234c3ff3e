#pragma once

#include <QString>
#include <QStringList>

namespace LearnPulse {

// The repetition signal (issue 16): a teacher who asks the same thing again, in other words, within the
// last few messages (Intercom hands over after a three-turn loop). Explainable: the words two messages
// share decide, not a model. Each teacher message is stored with its content words.
namespace Repetition {

// The content words of a message: lower case, without common function words, crudely stemmed
// ("students" and "student" are one word); what the message is about — class codes like "7C", names
// written with a capital inside a sentence — marked with '#'.
QStringList contentWords(const QString &text);

// Whether the message says "again" (then two shared content words are enough).
bool saysAgain(const QString &message);

// The decision itself runs in Redis, with the rest of the turn (resources/redis/turn.lua): the same
// question again, in other words, within the last few teacher messages when most content words are
// shared (Jaccard index >= 0.6, or one contained in the other at >= 0.8, at least three words shared), or
// the message says "again" and shares at least two — unless each names something ('#') the other does not
// (the same question about another class is a new one).

} // namespace Repetition

} // namespace LearnPulse
