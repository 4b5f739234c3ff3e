#include "benchsupport.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace LearnPulse::Bench {

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

void die(const QString &why)
{
    std::fprintf(stderr, "%s: %s\n", qPrintable(QCoreApplication::applicationName()), qPrintable(why));
    std::exit(1);
}

} // namespace LearnPulse::Bench
