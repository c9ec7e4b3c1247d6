// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_WINDOWROWS_H
#define STATVENT_WINDOWROWS_H

#include "statvent/aggregates.h"

#include <QVarLengthArray>

#include <optional>

namespace Statvent::Detail {

/*!
 * How a registry turns its windows into snapshot rows: the row names are made once per window
 * and list of percentiles, the values at each snapshot. Aggregates::appendRows() is the same
 * computation in one call, for users.
 */
class WindowRows
{
public:
    //! Aggregates::percentileLabel() of each percentile.
    static QList<QByteArray> percentileLabels(const QList<double> &percentiles);
    /*!
     * The names of a window's rows: one per label, then the `mean` row, as \a formatter (or
     * Aggregates::formatName()) makes them. A name that is not valid (PipeFormat::isValidName())
     * is returned empty.
     */
    static QList<QByteArray> rowNames(QByteArrayView name, const QList<QByteArray> &labels,
                                      const NameFormatter &formatter = {});
    //! The values of a window's rows.
    struct Values
    {
        //! The samples' sum, as the mean sums them (infinite if that overflows).
        double sum = 0;
        double mean = 0;
        //! One per percentile, in the order asked.
        QVarLengthArray<double, 8> percentiles;
    };
    /*!
     * The values of the rows of \a samples (not empty; reordered in place) for \a percentiles.
     * \a knownSum, if given, is the samples' sum already made (finite), which is then not made
     * again.
     */
    static Values values(QList<double> &samples, const QList<double> &percentiles,
                         std::optional<double> knownSum = std::nullopt);
    /*!
     * Appends one row per percentile and the `mean` row for \a samples (reordered in place),
     * named by \a rowNames as rowNames() made them; rows with an empty name are left out.
     * Returns the samples' sum, as values() does.
     */
    static double appendNamedRows(Snapshot &out, const QList<QByteArray> &rowNames,
                                  QList<double> &samples, const QList<double> &percentiles);
    //! Where the \a percentile of \a n sorted samples (n > 0) is, by the original's formula.
    static qsizetype percentileIndex(qsizetype n, double percentile) noexcept;
};

} // namespace Statvent::Detail

#endif
