// libFuzzer: a transcript file read back after a crash is untrusted: parse or refuse, never crash.
#include "transcriptreader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const auto r
        = LearnPulse::TranscriptReader::parse(QByteArrayView(reinterpret_cast<const char *>(data), qsizetype(size)));
    if (r.ok() && !r->id.startsWith(QLatin1String("TICKET-")))
        __builtin_trap();
    return 0;
}
