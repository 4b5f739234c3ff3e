// libFuzzer: an admin's rules file is untrusted input: any bytes give a detector or a clear error.
#include "detector.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray json(reinterpret_cast<const char *>(data), qsizetype(size));
    const LearnPulse::DetectorLoadResult r = LearnPulse::Detector::fromJson(json, QStringLiteral("fuzz.json"));
    if (!r.detector && r.error.isEmpty())
        __builtin_trap();
    if (r.detector)
        (void)r.detector->detect(QStringLiteral("This doesn't help, Omar is confused."));
    return 0;
}
