// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/aggregates.h"

#include "windowrows.h"

#include <algorithm>
#include <charconv>
#include <cmath>

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
    const auto result =
        std::to_chars(buffer, buffer + sizeof buffer, percentile, std::chars_format::fixed);
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
    return std::all_of(whole.begin(), whole.end(), isDigit)
        && std::all_of(fraction.begin(), fraction.end(), isDigit);
}

std::optional<double> Aggregates::percentileOf(QByteArrayView label) noexcept
{
    if (label == "median")
        return 50.0;
    if (label == "mean" || !isLabel(label))
        return std::nullopt;
    const QByteArrayView number = label.chopped(2);
    double percentile = 0;
    const auto result = std::from_chars(number.data(), number.data() + number.size(), percentile,
                                        std::chars_format::fixed);
    if (result.ec != std::errc() || !(percentile > 0.0 && percentile <= 100.0))
        return std::nullopt;
    return percentile;
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

double Aggregates::percentile(const QList<double> &sortedSamples, double percentile) noexcept
{
    if (sortedSamples.isEmpty())
        return 0.0;
    return sortedSamples[Detail::WindowRows::percentileIndex(sortedSamples.size(), percentile)];
}

bool Aggregates::appendRows(Snapshot &out, QByteArrayView name, QList<double> &samples,
                            const QList<double> &percentiles, const NameFormatter &formatter)
{
    const QList<QByteArray> names = Detail::WindowRows::rowNames(
        name, Detail::WindowRows::percentileLabels(percentiles), formatter);
    Detail::WindowRows::appendNamedRows(out, names, samples, percentiles);
    return !names.contains(QByteArray());
}

} // namespace Statvent
