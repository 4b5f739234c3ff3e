// libFuzzer: the detector must classify any text without crashing, and deterministically.
#include "detector.h"

#include <QString>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const LearnPulse::Detection a = LearnPulse::Detector::builtin().detect(text);
    const LearnPulse::Detection b = LearnPulse::Detector::builtin().detect(text);
    if (a.rules != b.rules || a.dissatisfied != b.dissatisfied || (a.explicitRequest && !a.dissatisfied))
        __builtin_trap();
    return 0;
}
