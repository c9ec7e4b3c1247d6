// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTDASHBOARD_WINDOWDISTRIBUTION_H
#define STATVENTDASHBOARD_WINDOWDISTRIBUTION_H

#include <statventdashboard/statsdocument.h>

#include <QList>
#include <QString>

namespace StatventDashboard {

/*!
 * What the distribution view draws of one sample window, without a widget: the histogram's
 * positive buckets as bars on a logarithmic value axis, and the window's rows (its percentiles
 * and mean) as marks, computed from the histogram with Statvent::Histogram::percentile() (within
 * its RelativeErrorBound of the exact values; `100th` is the exact maximum).
 *
 * A logarithmic axis has no room for zero or negative values: those samples are counted
 * (zeroCount(), negativeCount()) for the view to say so, not drawn.
 */
class WindowDistribution
{
public:
    //! One non-empty bucket: the samples in (lower, upper].
    struct Bar
    {
        double lower = 0;
        double upper = 0;
        qint64 count = 0;
        friend bool operator==(const Bar &, const Bar &) = default;
    };
    //! A row of the window, placed on the value axis.
    struct Mark
    {
        QString label; //!< `median`, `99th`, `mean`...
        double value = 0;
        double rank = 0; //!< PercentileGroups::rankOf(label), for its colour
    };

    WindowDistribution() = default;
    /*!
     * The distribution of \a window, named \a name. Without a histogram the result is not
     * valid, and has only the name.
     */
    static WindowDistribution of(const QString &name, const StatsDocument::Window &window);

    //! True when the window came with a histogram.
    bool isValid() const { return m_valid; }
    const QString &name() const { return m_name; }
    //! The positive buckets, by increasing value; the lowest and highest are clamped to the
    //! smallest and largest sample where the histogram's range ends (under- and overflow).
    const QList<Bar> &bars() const { return m_bars; }
    //! The window's rows, in the window's order; labels that are no aggregate are left out.
    const QList<Mark> &marks() const { return m_marks; }
    qint64 count() const { return m_count; }
    qint64 zeroCount() const { return m_zeroCount; }
    qint64 negativeCount() const { return m_negativeCount; }
    //! The largest bar's count (0 without bars).
    qint64 largestCount() const { return m_largestCount; }
    //! The value axis's range: the lowest bar's lower bound to the highest bar's upper bound.
    std::pair<double, double> valueRange() const;

private:
    bool m_valid = false;
    QString m_name;
    QList<Bar> m_bars;
    QList<Mark> m_marks;
    qint64 m_count = 0;
    qint64 m_zeroCount = 0;
    qint64 m_negativeCount = 0;
    qint64 m_largestCount = 0;
};

} // namespace StatventDashboard

#endif
