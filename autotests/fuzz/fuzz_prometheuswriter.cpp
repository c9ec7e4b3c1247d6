// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
// statvent-web's PrometheusWriter on arbitrary sweeps: any names (any bytes) and values in.
//
// Properties: both views pass ExpositionChecker (the text format 0.0.4, checked in process);
// every statistic is one series, in the family of its kind (`statvent_stat` untyped,
// `statvent_stat_total` counter, `statvent_value` gauge; in the combined view the kind
// StatCombiner gives it), whose labels give back its exact name (the `name` label for UTF-8
// names; for others `name_hex`, with `name` the U+FFFD-replaced text) and whose value is the
// statistic's (an infinite sum as +-Inf); the sweep's gauges are right.
//
// With STATVENT_FUZZ_EXPOSITION_DIR set, each text is also saved there, so that .ci/run-fuzzers
// can hand the texts of the whole corpus to promtool.

#include "expositionchecker.h"
#include "fuzzcheck.h"
#include "fuzzsweep.h"
#include <statventweb/prometheuswriter.h>

#include <QCryptographicHash>
#include <QFile>

#include <cmath>

using namespace Statvent;
using namespace StatventWeb;
using StatventFuzz::ExpositionChecker;
using StatventFuzz::FuzzInput;

namespace {

void save(const QByteArray &text)
{
    static const QString directory = qEnvironmentVariable("STATVENT_FUZZ_EXPOSITION_DIR");
    if (directory.isEmpty())
        return;
    QFile file(
        directory + u'/'
        + QString::fromLatin1(QCryptographicHash::hash(text, QCryptographicHash::Sha1).toHex())
        + u".prom");
    FUZZ_CHECK(file.open(QIODevice::WriteOnly) && file.write(text) == text.size());
}

QByteArray nameOf(const ExpositionChecker::Sample &sample)
{
    const QByteArray name = sample.label("name");
    if (!sample.hasLabel("name_hex")) {
        FUZZ_CHECK(name.isValidUtf8());
        return name;
    }
    const QByteArray bytes = QByteArray::fromHex(sample.label("name_hex"));
    FUZZ_CHECK(!bytes.isValidUtf8());
    FUZZ_CHECK(name == QString::fromUtf8(bytes).toUtf8());
    return bytes;
}

void checkValue(double written, const StatValue &value)
{
    if (value.isFinite())
        FUZZ_CHECK(written == value.toReal());
    else
        FUZZ_CHECK(std::isinf(written) && std::signbit(written) == std::signbit(value.toReal()));
}

double gauge(const QList<ExpositionChecker::Sample> &samples, QByteArrayView metric)
{
    const auto found = std::find_if(samples.cbegin(), samples.cend(), [metric](const auto &sample) {
        return sample.metric == metric;
    });
    FUZZ_CHECK(found != samples.cend());
    return found->value;
}

//! The family of a statistic of kind \a kind.
QByteArray familyOf(StatKind kind)
{
    switch (kind) {
    case StatKind::Counter:
        return QByteArrayLiteral("statvent_stat_total");
    case StatKind::Gauge:
        return QByteArrayLiteral("statvent_value");
    case StatKind::Untyped:
    case StatKind::Window:
        break;
    }
    return QByteArrayLiteral("statvent_stat");
}

struct Series
{
    QByteArray family;
    double value = 0;
};

/*!
 * Checks \a text and returns its statistics' series, keyed by name and by the value of the
 * label that tells the series of one name apart (\a extraLabel).
 */
QHash<std::pair<QByteArray, QByteArray>, Series>
checkText(const QByteArray &text, const SweepResult &result, QByteArrayView extraLabel)
{
    save(text);
    const ExpositionChecker::Result checked = ExpositionChecker::check(text);
    if (!checked.error.isEmpty())
        std::fprintf(stderr, "%s\n%s\n", checked.error.constData(), text.constData());
    FUZZ_CHECK(checked.error.isEmpty());

    QHash<std::pair<QByteArray, QByteArray>, Series> series;
    for (const ExpositionChecker::Sample &sample : checked.samples) {
        if (sample.metric != "statvent_stat" && sample.metric != "statvent_stat_total"
            && sample.metric != "statvent_value")
            continue;
        FUZZ_CHECK(sample.labels.size() == (sample.hasLabel("name_hex") ? 3 : 2));
        const std::pair<QByteArray, QByteArray> key{nameOf(sample), sample.label(extraLabel)};
        FUZZ_CHECK(!series.contains(key)); // one series per statistic, whatever its family
        series.insert(key, Series{sample.metric, sample.value});
    }
    FUZZ_CHECK(gauge(checked.samples, "statvent_processes") == double(result.processes.size()));
    FUZZ_CHECK(gauge(checked.samples, "statvent_unanswered_pipes")
               == double(result.unanswered.size()));
    FUZZ_CHECK(gauge(checked.samples, "statvent_removed_pipes") == double(result.removed.size()));
    FUZZ_CHECK(gauge(checked.samples, "statvent_rejected_lines") == double(result.rejectedLines()));
    return series;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput input(data, size);
    const StatCombiner::Mode mode = StatventFuzz::takeMode(input);
    SweepResult result = StatventFuzz::takeSweepResult(input);
    // A duration comes from a clock: never negative, never NaN.
    result.duration = std::isfinite(result.duration) ? std::fabs(result.duration) : 0.0;

    const QLatin1StringView modeLatin1 = StatCombiner::name(mode);
    const QByteArray modeName(modeLatin1.data(), modeLatin1.size());
    const Snapshot combined = StatCombiner::combine(result.processes, mode);
    const auto combinedSeries =
        checkText(PrometheusWriter::combined(result, mode), result, "aggregate");
    FUZZ_CHECK(combinedSeries.size() == combined.size());
    for (const StatEntry &entry : combined) {
        const auto found = combinedSeries.constFind({entry.name, modeName});
        FUZZ_CHECK(found != combinedSeries.constEnd());
        FUZZ_CHECK(found->family == familyOf(entry.kind));
        checkValue(found->value, entry.value);
    }

    const auto processSeries = checkText(PrometheusWriter::byProcess(result), result, "pid");
    qsizetype rows = 0;
    for (const ProcessStats &process : result.processes) {
        rows += process.stats.size();
        for (const StatEntry &entry : process.stats) {
            const auto found =
                processSeries.constFind({entry.name, QByteArray::number(process.pid)});
            FUZZ_CHECK(found != processSeries.constEnd());
            FUZZ_CHECK(found->family == familyOf(entry.kind));
            checkValue(found->value, entry.value);
        }
    }
    FUZZ_CHECK(processSeries.size() == rows);
    return 0;
}
