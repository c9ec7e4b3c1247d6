// SPDX-License-Identifier: MIT
#include "statvent/aggregates.h"

#include "statvent/pipeformat.h"

#include <QVarLengthArray>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>

namespace Statvent {

namespace {

constexpr QByteArrayView Placeholder = "{0}";

bool isDigit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

} // namespace

QByteArray Aggregates::percentileLabel(double percentile)
{
    if (percentile == 50.0)
        return QByteArrayLiteral("median");
    // Fixed notation, as isLabel() reads it: 0.00001 is "0.00001th", never "1e-05th". The
    // shortest fixed form of a double in (0, 100] takes at most 330 characters (a subnormal).
    char buffer[400];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, percentile, std::chars_format::fixed);
    QByteArray label(buffer, result.ptr - buffer);
    if (percentile != std::floor(percentile))
        return label + "th";
    const qint64 whole = qint64(percentile);
    if (whole % 100 >= 11 && whole % 100 <= 13)
        return label + "th";
    switch (whole % 10) {
    case 1:
        return label + "st";
    case 2:
        return label + "nd";
    case 3:
        return label + "rd";
    default:
        return label + "th";
    }
}

bool Aggregates::isLabel(QByteArrayView label) noexcept
{
    if (label == "median" || label == "mean")
        return true;
    if (label.size() < 3)
        return false;
    const QByteArrayView suffix = label.last(2);
    if (suffix != "st" && suffix != "nd" && suffix != "rd" && suffix != "th")
        return false;
    const QByteArrayView number = label.chopped(2);
    // Digits, optionally one '.' followed by more digits: "95", "99.9".
    const qsizetype dot = number.indexOf('.');
    const QByteArrayView whole = dot < 0 ? number : number.first(dot);
    const QByteArrayView fraction = dot < 0 ? QByteArrayView() : number.sliced(dot + 1);
    if (whole.isEmpty() || (dot >= 0 && fraction.isEmpty()))
        return false;
    return std::all_of(whole.begin(), whole.end(), isDigit) && std::all_of(fraction.begin(), fraction.end(), isDigit);
}

QByteArray Aggregates::formatName(QByteArrayView name, QByteArrayView label)
{
    qsizetype at = name.indexOf(Placeholder);
    if (at < 0)
        return name.toByteArray() + '.' + label.toByteArray();
    QByteArray out;
    out.reserve(name.size() + label.size());
    qsizetype from = 0;
    while (at >= 0) {
        out.append(name.sliced(from, at - from));
        out.append(label);
        from = at + Placeholder.size();
        at = name.indexOf(Placeholder, from);
    }
    out.append(name.sliced(from));
    return out;
}

namespace {

//! Where the \a percentile of \a n sorted samples (n > 0) is.
qsizetype percentileIndex(qsizetype n, double percentile) noexcept
{
    // The original's formula, evaluated in the same order so results match it bit for bit.
    const qsizetype index = qsizetype(std::floor(double(n) * percentile / 100.0)) - 1;
    return std::clamp<qsizetype>(index, 0, n - 1);
}

} // namespace

double Aggregates::percentile(const QList<double> &sortedSamples, double percentile) noexcept
{
    if (sortedSamples.isEmpty())
        return 0.0;
    return sortedSamples[percentileIndex(sortedSamples.size(), percentile)];
}

QList<QByteArray> Aggregates::percentileLabels(const QList<double> &percentiles)
{
    QList<QByteArray> labels;
    labels.reserve(percentiles.size());
    for (double p : percentiles)
        labels.append(percentileLabel(p));
    return labels;
}

bool Aggregates::appendRows(Snapshot &out, QByteArrayView name, QList<double> &samples,
                            const QList<double> &percentiles, const NameFormatter &formatter)
{
    const QList<QByteArray> names = rowNames(name, percentileLabels(percentiles), formatter);
    appendNamedRows(out, names, samples, percentiles);
    return !names.contains(QByteArray());
}

QList<QByteArray> Aggregates::rowNames(QByteArrayView name, const QList<QByteArray> &labels, const NameFormatter &formatter)
{
    QList<QByteArray> names;
    names.reserve(labels.size() + 1);
    auto append = [&](QByteArrayView label) {
        QByteArray rowName = formatter ? formatter(name, label) : formatName(name, label);
        names.append(PipeFormat::isValidName(rowName) ? std::move(rowName) : QByteArray());
    };
    for (const QByteArray &label : labels)
        append(label);
    append("mean");
    return names;
}

void Aggregates::appendNamedRows(Snapshot &out, const QList<QByteArray> &rowNames, QList<double> &samples,
                                 const QList<double> &percentiles)
{
    Q_ASSERT(rowNames.size() == percentiles.size() + 1);
    if (samples.isEmpty())
        return;
    double mean = std::accumulate(samples.cbegin(), samples.cend(), 0.0) / double(samples.size());
    if (!std::isfinite(mean)) {
        // The sum overflowed although every sample, hence the mean, is finite: a pipe cannot carry
        // "inf". Sum again in long double's wider range (only then: it would change the last bits
        // of ordinary means, which match the original's).
        mean = double(std::accumulate(samples.cbegin(), samples.cend(), 0.0L) / double(samples.size()));
    }
    // Only the samples at the percentiles' ranks are needed, not a sorted window: each is
    // selected in turn, lowest rank first, among the samples above the one selected before.
    // That costs a fraction of a sort, which was half the time of a snapshot with windows.
    QVarLengthArray<std::pair<qsizetype, qsizetype>, 8> ranks; // (index in sorted order, percentile)
    for (qsizetype i = 0; i < percentiles.size(); ++i)
        ranks.append({percentileIndex(samples.size(), percentiles[i]), i});
    std::sort(ranks.begin(), ranks.end());
    QVarLengthArray<double, 8> values(percentiles.size());
    auto unselected = samples.begin();
    for (const auto &[index, i] : ranks) {
        const auto nth = samples.begin() + index;
        if (nth >= unselected) { // else: the same rank as the one before, already in place
            std::nth_element(unselected, nth, samples.end());
            unselected = nth + 1;
        }
        values[i] = *nth;
    }
    for (qsizetype i = 0; i < percentiles.size(); ++i) {
        if (!rowNames[i].isEmpty())
            out.append(StatEntry{rowNames[i], values[i]});
    }
    if (!rowNames.back().isEmpty())
        out.append(StatEntry{rowNames.back(), mean});
}

} // namespace Statvent
