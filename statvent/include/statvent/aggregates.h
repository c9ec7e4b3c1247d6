// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_AGGREGATES_H
#define STATVENT_AGGREGATES_H

#include <statvent/statentry.h>

#include <QByteArrayView>
#include <QList>

#include <functional>
#include <optional>

/*!
 * \file
 * How a sample window becomes report rows (`latency.median`, `latency.95th`, `latency.mean`):
 * for an application that names its rows with a NameFormatter, and for a reader of the pipe
 * text that recognises them (Aggregates::isLabel()) or recomputes them (Aggregates::appendRows()).
 */

namespace Statvent {

/*!
 * Turns a statistic's name and an aggregate label into the reported name, like the original's
 * `format_func(name, label)`. Must return a valid name (see PipeFormat::isValidName()).
 */
using NameFormatter = std::function<QByteArray(QByteArrayView name, QByteArrayView label)>;

/*!
 * How a window of samples becomes report rows, exactly as the original statvent computes them:
 * the window is sorted; for each percentile p, `index = floor(n * p / 100) - 1`, clamped to 0;
 * plus the arithmetic mean.
 *
 * Labels: `median` for 50, English ordinals otherwise (`95th`, `99th`, `1st`, `2nd`, `3rd`,
 * `11th`, `99.9th`), and `mean`.
 */
class STATVENT_EXPORT Aggregates
{
public:
    //! The label for a percentile in (0, 100].
    static QByteArray percentileLabel(double percentile);
    //! True for `median`, `mean` and any ordinal percentile label (`95th`, `99.9th`, `1st`).
    static bool isLabel(QByteArrayView label) noexcept;
    /*!
     * The percentile a label names, the inverse of percentileLabel(): 50 for `median`, 99.9 for
     * `99.9th`. std::nullopt for `mean` and for anything that names no percentile in (0, 100].
     */
    static std::optional<double> percentileOf(QByteArrayView label) noexcept;

    /*!
     * The default formatter: every `{0}` in \a name is replaced by \a label; a name without
     * `{0}` gets `.label` appended (the original would give every aggregate the same name).
     */
    static QByteArray formatName(QByteArrayView name, QByteArrayView label);

    //! The value at \a percentile of \a sortedSamples (ascending); 0.0 for an empty window.
    static double percentile(const QList<double> &sortedSamples, double percentile) noexcept;

    /*!
     * Appends one row per percentile and one `mean` row for \a samples (reordered in place).
     * An empty window adds no rows. \a formatter may be empty: formatName() is used.
     * Rows whose formatted name is not valid (PipeFormat::isValidName()) are left out, and
     * the function then returns false.
     */
    static bool appendRows(Snapshot &out, QByteArrayView name, QList<double> &samples,
                           const QList<double> &percentiles, const NameFormatter &formatter = {});
};

} // namespace Statvent

#endif
