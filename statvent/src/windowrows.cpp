// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "windowrows.h"

#include "statvent/pipeformat.h"

#include <QVarLengthArray>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace Statvent::Detail {

qsizetype WindowRows::percentileIndex(qsizetype n, double percentile) noexcept
{
    // The original's formula, evaluated in the same order so results match it bit for bit.
    const qsizetype index = qsizetype(std::floor(double(n) * percentile / 100.0)) - 1;
    return std::clamp<qsizetype>(index, 0, n - 1);
}

QList<QByteArray> WindowRows::percentileLabels(const QList<double> &percentiles)
{
    QList<QByteArray> labels;
    labels.reserve(percentiles.size());
    for (double p : percentiles)
        labels.append(Aggregates::percentileLabel(p));
    return labels;
}

QList<QByteArray> WindowRows::rowNames(QByteArrayView name, const QList<QByteArray> &labels,
                                       const NameFormatter &formatter)
{
    QList<QByteArray> names;
    names.reserve(labels.size() + 1);
    auto append = [&](QByteArrayView label) {
        QByteArray rowName =
            formatter ? formatter(name, label) : Aggregates::formatName(name, label);
        names.append(PipeFormat::isValidName(rowName) ? std::move(rowName) : QByteArray());
    };
    for (const QByteArray &label : labels)
        append(label);
    append("mean");
    return names;
}

WindowRows::Values WindowRows::values(QList<double> &samples, const QList<double> &percentiles,
                                      std::optional<double> knownSum)
{
    Q_ASSERT(!samples.isEmpty());
    Values values;
    values.sum = knownSum ? *knownSum : std::accumulate(samples.cbegin(), samples.cend(), 0.0);
    values.mean = values.sum / double(samples.size());
    if (!std::isfinite(values.mean)) {
        // The sum overflowed although every sample, hence the mean, is finite: a pipe cannot carry
        // "inf". Sum again in long double's wider range (only then: it would change the last bits
        // of ordinary means, which match the original's).
        values.mean = double(std::accumulate(samples.cbegin(), samples.cend(), 0.0L)
                             / double(samples.size()));
    }
    // Only the samples at the percentiles' ranks are needed, not a sorted window: each is
    // selected in turn, lowest rank first, among the samples above the one selected before.
    // That costs a fraction of a sort, which was half the time of a snapshot with windows.
    QVarLengthArray<std::pair<qsizetype, qsizetype>, 8>
        ranks; // (index in sorted order, percentile)
    for (qsizetype i = 0; i < percentiles.size(); ++i)
        ranks.append({percentileIndex(samples.size(), percentiles[i]), i});
    std::sort(ranks.begin(), ranks.end());
    values.percentiles.resize(percentiles.size());
    auto unselected = samples.begin();
    for (const auto &[index, i] : ranks) {
        const auto nth = samples.begin() + index;
        if (nth >= unselected) { // else: the same rank as the one before, already in place
            std::nth_element(unselected, nth, samples.end());
            unselected = nth + 1;
        }
        values.percentiles[i] = *nth;
    }
    return values;
}

double WindowRows::appendNamedRows(Snapshot &out, const QList<QByteArray> &rowNames,
                                   QList<double> &samples, const QList<double> &percentiles)
{
    Q_ASSERT(rowNames.size() == percentiles.size() + 1);
    if (samples.isEmpty())
        return 0;
    const Values rows = values(samples, percentiles);
    for (qsizetype i = 0; i < percentiles.size(); ++i) {
        if (!rowNames[i].isEmpty())
            out.append(StatEntry{rowNames[i], rows.percentiles[i]});
    }
    if (!rowNames.back().isEmpty())
        out.append(StatEntry{rowNames.back(), rows.mean});
    return rows.sum;
}

} // namespace Statvent::Detail
