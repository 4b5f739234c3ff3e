#pragma once

#include <QString>

namespace LearnPulse {

// The ticket's transcript (and its thread, as TicketThread::render() writes it) for reading in the ticket
// browser: the header in a few lines, then one bubble per message with its speaker, its time in local time,
// the rules that counted in words, and `search`'s words highlighted. The text is untrusted (a teacher, the
// assistant, another seat wrote it): everything is escaped, nothing of it becomes markup. The raw text stays
// what is mailed and exported.
namespace TranscriptHtml {

QString render(const QString &transcript, const QString &search = {}, bool dark = false);

} // namespace TranscriptHtml

} // namespace LearnPulse
