// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// Aggregates (percentile labels and maths) and a registry's sample windows, on arbitrary sample
// arrays, percentile lists, window sizes and names.
//
// Properties:
// - percentile() is the original statvent's element: the k-th smallest sample with
//   k = floor(n * p / 100) clamped to [1, n] (checked against std::nth_element, not a sort);
// - the mean is the original's sum / n, summed oldest sample first (or, where that sum
//   overflows, a finite value between the smallest and the largest sample);
// - every percentile in (0, 100] gets a label that isLabel() recognises and that reads back as p;
// - isLabel() accepts exactly `median`, `mean` and `<digits>[.<digits>](st|nd|rd|th)`;
// - formatName() replaces every `{0}` (or appends `.label`); appendRows() leaves out exactly the
//   rows whose name is invalid and says so;
// - every row value is finite (a reader rejects anything else);
// - a StatRegistry window of size w reports the rows of the last w samples recorded.

#include "fuzzcheck.h"
#include "fuzzcompare.h"
#include "fuzzinput.h"

#include <statvent/aggregates.h>
#include <statvent/pipeformat.h>
#include <statvent/statregistry.h>

#include <QRegularExpression>
#include <QSet>

#include <charconv>
#include <cmath>
#include <numeric>

using namespace Statvent;

namespace {

double expectedPercentile(QList<double> samples, double p)
{
    const qsizetype n = samples.size();
    if (n == 0)
        return 0.0; // the original's value for an empty window
    const qsizetype rank =
        std::clamp<qsizetype>(qsizetype(std::floor(double(n) * p / 100.0)), 1, n);
    std::nth_element(samples.begin(), samples.begin() + (rank - 1), samples.end());
    return samples[rank - 1];
}

double expectedMean(const QList<double> &samples)
{
    double sum = 0;
    for (double sample : samples)
        sum += sample;
    return sum / double(samples.size());
}

void checkLabel(double p)
{
    const QByteArray label = Aggregates::percentileLabel(p);
    FUZZ_CHECK(Aggregates::isLabel(label));
    if (p == 50.0) {
        FUZZ_CHECK(label == "median");
        return;
    }
    // The label reads back as the percentile it names, so that no two percentiles share one.
    const QByteArray number = label.chopped(2);
    double parsed = 0;
    const auto result = std::from_chars(number.cbegin(), number.cend(), parsed);
    FUZZ_CHECK(result.ec == std::errc() && result.ptr == number.cend() && parsed == p);
    const QByteArray suffix = label.last(2);
    const bool whole = p == std::floor(p);
    const int lastTwo = whole ? int(std::fmod(p, 100.0)) : -1;
    if (whole && lastTwo % 10 == 1 && lastTwo != 11)
        FUZZ_CHECK(suffix == "st");
    else if (whole && lastTwo % 10 == 2 && lastTwo != 12)
        FUZZ_CHECK(suffix == "nd");
    else if (whole && lastTwo % 10 == 3 && lastTwo != 13)
        FUZZ_CHECK(suffix == "rd");
    else
        FUZZ_CHECK(suffix == "th");
}

void checkIsLabel(const QByteArray &bytes)
{
    static const QRegularExpression labelPattern(
        QStringLiteral("\\A(?:median|mean|[0-9]+(?:\\.[0-9]+)?(?:st|nd|rd|th))\\z"));
    FUZZ_CHECK(Aggregates::isLabel(bytes)
               == labelPattern.match(QString::fromLatin1(bytes)).hasMatch());
}

QByteArray expectedName(const QByteArray &name, const QByteArray &label)
{
    if (!name.contains("{0}"))
        return name + '.' + label;
    return QByteArray(name).replace("{0}", label);
}

//! The rows appendRows() must give for \a samples (in recording order) under \a name.
Snapshot expectedRows(const QByteArray &name, const QList<double> &samples,
                      const QList<double> &percentiles)
{
    Snapshot rows;
    if (samples.isEmpty())
        return rows;
    auto add = [&](const QByteArray &label, double value) {
        const QByteArray rowName = expectedName(name, label);
        if (PipeFormat::isValidName(rowName))
            rows.append(StatEntry{rowName, value});
    };
    for (double p : percentiles)
        add(Aggregates::percentileLabel(p), expectedPercentile(samples, p));
    add("mean", expectedMean(samples));
    return rows;
}

/*!
 * Equal rows. A sort may order -0.0 and 0.0 either way, so those two count as equal. Where the
 * original's mean overflows (its sum leaves the double range), any finite value between the
 * smallest and the largest sample will do: a pipe cannot carry the original's infinity.
 */
bool sameRows(const Snapshot &actual, const Snapshot &expected, const QList<double> &samples)
{
    const auto range = std::minmax_element(samples.cbegin(), samples.cend());
    return std::equal(actual.cbegin(), actual.cend(), expected.cbegin(), expected.cend(),
                      [&](const StatEntry &x, const StatEntry &y) {
                          if (x.name != y.name)
                              return false;
                          if (y.value.isFinite())
                              return x.value == y.value;
                          const double mean = x.value.toReal();
                          return std::isfinite(mean) && mean >= *range.first
                              && mean <= *range.second;
                      });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    StatventFuzz::FuzzInput input(data, size);
    const QByteArray name = input.takeBytes(300);
    checkIsLabel(name);

    QList<double> percentiles;
    const int percentileCount = input.takeByte() % 8;
    for (int i = 0; i < percentileCount; ++i) {
        const double p = input.takeInterestingDouble();
        if (p > 0.0 && p <= 100.0) {
            checkLabel(p);
            percentiles.append(p);
        }
    }
    const int windowSize = 1 + input.takeByte() % 200;

    QList<double> samples; // in recording order
    while (!input.atEnd() && samples.size() < 1000) {
        const double sample = input.takeInterestingDouble();
        if (std::isfinite(sample))
            samples.append(sample);
    }

    QList<double> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    for (double p : percentiles)
        FUZZ_CHECK(Aggregates::percentile(sorted, p) == expectedPercentile(samples, p));

    Snapshot rows;
    QList<double> scratch = samples;
    const bool allNamesValid = Aggregates::appendRows(rows, name, scratch, percentiles);
    const Snapshot expected = expectedRows(name, samples, percentiles);
    FUZZ_CHECK(sameRows(rows, expected, samples));
    bool expectAllNamesValid = PipeFormat::isValidName(expectedName(name, "mean"));
    for (double p : percentiles)
        expectAllNamesValid = expectAllNamesValid
            && PipeFormat::isValidName(expectedName(name, Aggregates::percentileLabel(p)));
    FUZZ_CHECK(allNamesValid == expectAllNamesValid);
    for (const StatEntry &row : rows) {
        FUZZ_CHECK(row.value.isReal());
        FUZZ_CHECK(row.value.isFinite());
    }

    // The same samples through a registry's window, which keeps the latest windowSize of them.
    if (PipeFormat::isValidName(name)) {
        StatRegistry registry;
        registry.setWindowSize(windowSize);
        if (!percentiles.isEmpty())
            registry.setPercentiles(percentiles);
        for (double sample : samples)
            registry.record(name, sample);
        const QList<double> kept = samples.mid(std::max<qsizetype>(0, samples.size() - windowSize));
        const Snapshot fromRegistry = registry.snapshot();
        const Snapshot expectedFromRegistry = expectedRows(name, kept, registry.percentiles());
        // A window whose rows would repeat each other is refused where it is made: no rows.
        QSet<QByteArray> rowNames;
        for (const StatEntry &row : expectedFromRegistry)
            rowNames.insert(row.name);
        if (rowNames.size() < expectedFromRegistry.size())
            FUZZ_CHECK(fromRegistry.isEmpty());
        else
            FUZZ_CHECK(sameRows(fromRegistry, expectedFromRegistry, kept));
    }
    return 0;
}
