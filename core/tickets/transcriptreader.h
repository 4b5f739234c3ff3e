#pragma once

#include "result.h"
#include "ticketstore.h"

#include <QByteArrayView>

namespace LearnPulse {

// Reads back a transcript file that TicketService wrote (the header fields, the teacher, the
// context, the signals), so that a ticket whose index row was lost in a crash can be indexed again.
// Input is untrusted: anything malformed is refused with the reason, never guessed.
namespace TranscriptReader {

constexpr qsizetype maxBytes = 16 * 1024 * 1024;

// The index row the transcript describes (conversationFile left empty).
Result<TicketRecord> parse(QByteArrayView bytes);

} // namespace TranscriptReader

} // namespace LearnPulse
