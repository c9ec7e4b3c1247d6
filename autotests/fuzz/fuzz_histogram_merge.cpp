// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Histogram: a sample set split at random among up to 8 "processes", each a Histogram, merged as
// the web service merges the windows of a host.
//
// Properties:
// - the merged histogram counts every finite sample once, and equals the histogram of all the
//   samples added to one (same buckets, zero count, min and max; the sum up to rounding);
// - merging in the other order gives the same histogram;
// - its percentiles 50, 95 and 99 (and one the input picks) are within
//   Histogram::RelativeErrorBound of the exact percentile of all samples
//   (Aggregates::percentile()) when all samples lie in the documented range, and between the
//   smallest and the largest sample always; percentile 100 is the exact maximum;
// - cumulativeCounts() are the numbers of samples at or below each of prometheusBounds().

#include "fuzzcheck.h"
#include "fuzzinput.h"

#include <statvent/aggregates.h>
#include <statvent/histogram.h>

#include <algorithm>
#include <cmath>

using namespace Statvent;

namespace {

bool inRange(double sample)
{
    const double magnitude = std::fabs(sample);
    return magnitude == 0.0
        || (magnitude > std::ldexp(1.0, Histogram::LowestExponent)
            && magnitude <= std::ldexp(1.0, Histogram::HighestExponent));
}

bool sameBuckets(const Histogram &a, const Histogram &b)
{
    return a.count() == b.count() && a.zeroCount() == b.zeroCount() && a.min() == b.min()
        && a.max() == b.max() && a.positiveBuckets() == b.positiveBuckets()
        && a.negativeBuckets() == b.negativeBuckets();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    StatventFuzz::FuzzInput input(data, size);
    const int processes = 1 + input.takeByte() % 8;
    const double chosen = double(input.takeByte() % 101);
    QList<Histogram> parts(processes);
    QList<double> samples;
    while (!input.atEnd() && samples.size() < 2000) {
        const quint8 process = input.takeByte() % processes;
        const double sample = input.takeInterestingDouble();
        parts[process].add(sample);
        if (std::isfinite(sample))
            samples.append(sample);
    }

    Histogram merged;
    for (const Histogram &part : parts)
        merged.merge(part);
    Histogram reversed;
    for (auto part = parts.crbegin(); part != parts.crend(); ++part)
        reversed.merge(*part);
    const Histogram whole = Histogram::fromSamples(samples);
    FUZZ_CHECK(merged.count() == samples.size());
    FUZZ_CHECK(sameBuckets(merged, whole));
    FUZZ_CHECK(sameBuckets(reversed, whole));
    FUZZ_CHECK(std::isfinite(merged.sum()));

    std::sort(samples.begin(), samples.end());
    const bool allInRange = std::all_of(samples.cbegin(), samples.cend(), inRange);
    for (double p : {50.0, 95.0, 99.0, chosen}) {
        const double estimate = merged.percentile(p);
        const double exact = Aggregates::percentile(samples, p);
        FUZZ_CHECK(samples.isEmpty()
                   || (estimate >= samples.constFirst() && estimate <= samples.constLast()));
        if (allInRange)
            FUZZ_CHECK(std::fabs(estimate - exact)
                       <= Histogram::RelativeErrorBound * std::fabs(exact));
    }
    FUZZ_CHECK(merged.percentile(100) == (samples.isEmpty() ? 0.0 : samples.constLast()));

    const QList<double> bounds = Histogram::prometheusBounds();
    const QList<qint64> counts = merged.cumulativeCounts();
    FUZZ_CHECK(counts.size() == bounds.size());
    for (qsizetype k = 0; k < bounds.size(); ++k) {
        const auto end = std::upper_bound(samples.cbegin(), samples.cend(), bounds.at(k));
        FUZZ_CHECK(counts.at(k) == end - samples.cbegin());
    }
    return 0;
}
