// libFuzzer: the SSE parser must take any bytes, split anywhere, and give the same events as whole.
#include "sseparser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    LearnPulse::SseParser whole(4096, 8192);
    const QList<LearnPulse::SseEvent> a = whole.feed(bytes);
    LearnPulse::SseParser split(4096, 8192);
    QList<LearnPulse::SseEvent> b;
    const qsizetype step = size > 0 ? qsizetype(data[0] % 7) + 1 : 1;
    for (qsizetype i = 0; i < bytes.size(); i += step)
        b += split.feed(bytes.sliced(i, qMin(step, bytes.size() - i)));
    // Bounded whatever comes: no event beyond its cap is ever given out.
    for (const auto &events : { a, b })
        for (const LearnPulse::SseEvent &e : events)
            if (e.data.size() > 8192)
                __builtin_trap();
    if (!whole.hasError() && !split.hasError()) {
        if (a.size() != b.size())
            __builtin_trap();
        for (qsizetype i = 0; i < a.size(); ++i)
            if (a[i].data != b[i].data || a[i].event != b[i].event)
                __builtin_trap();
    }
    return 0;
}
