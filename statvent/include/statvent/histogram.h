// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_HISTOGRAM_H
#define STATVENT_HISTOGRAM_H

#include <statvent/statvent_export.h>

#include <QList>
#include <QtGlobal>

#include <optional>

namespace Statvent {

/*!
 * The distribution of a window's samples in buckets that are the same in every process and on
 * every host, so that histograms of several processes merge exactly by adding counts, and a
 * percentile of the merged histogram is within a known bound of the exact percentile of all
 * their samples.
 *
 * **Buckets.** Base-2 exponential buckets at the fixed scale Scale = 4 (Prometheus native
 * histograms call it the schema; OpenTelemetry exponential histograms use the same boundaries,
 * their index being this one minus 1): bucket \c i holds the magnitudes in
 * `(2^((i-1)/16), 2^(i/16)]`, so each bucket is 2^(1/16) = 1.0443 times wider than the one
 * below it. Exact powers of two are upper edges: 1.0 is in bucket 0, 2.0 in bucket 16.
 * Boundaries come from a table of the 16 correctly rounded values of 2^(r/16) scaled with
 * `std::ldexp()`, and indexes from a value's exponent and mantissa bits and that table, never
 * from `log2()`: every host computes the same bits, and a value equal to a bound is in the
 * bucket that bound ends.
 *
 * **Range.** Magnitudes in (2^-64, 2^64], about (5.4e-20, 1.8e19], have buckets -1023 to 1024.
 * Below, (0, 2^-64] (subnormals included) is the underflow bucket UnderflowIndex; above,
 * (2^64, DBL_MAX] is the overflow bucket OverflowIndex. Exact zeros (+0.0 and -0.0) are counted
 * in the zero bucket. A negative value is counted in the negative bucket of its magnitude
 * (mirrored). NaN and infinities are never recorded.
 *
 * **Error bound.** percentile() returns, for a sample in a regular bucket `(lo, hi]`, the value
 * `2 lo hi / (lo + hi)`, clamped to [min(), max()]; its relative distance to any value of the
 * bucket is at most `(b - 1) / (b + 1)` with `b = 2^(1/16)`, that is **2.166 %**
 * (RelativeErrorBound). So for samples whose magnitudes lie in the range, a percentile of a
 * histogram, merged or not, is within 2.166 % (relative) of the exact percentile of the same
 * samples under the original's rank formula `sorted[max(0, floor(n * p / 100) - 1)]`
 * (Aggregates::percentile()). The lowest rank gives min() and the highest max(), exactly;
 * percentile(100) is max(). Zeros are exact. In the underflow and overflow buckets the bound
 * does not hold: the value returned is only known to lie in the bucket and in [min(), max()].
 *
 * **Count, sum, min, max.** Exact: count() is the number of samples, min() and max() the
 * smallest and largest, sum() their sum in the order they were added (a sum that would leave
 * the doubles saturates at ±DBL_MAX), so mean() is exact up to rounding.
 *
 * Only non-empty buckets are stored, sorted by index: a window of 100 samples has at most
 * 100 buckets, whatever the range.
 *
 * **Prometheus.** Prometheus 2.42 scrapes native histograms only with a feature flag and the
 * protobuf format, so exporters write classic histograms: prometheusBounds() is a fixed list of
 * `le` bounds, the buckets of the coarser scale 1 (2^(k/2)) from 2^-20 to 2^40, each of which is
 * a bound of the fine scale, so cumulativeCounts() are exact sums of fine buckets.
 */
class STATVENT_EXPORT Histogram
{
public:
    //! The scale (schema): bucket i holds magnitudes in (2^((i-1)/2^Scale), 2^(i/2^Scale)].
    static constexpr int Scale = 4;
    //! Buckets per doubling.
    static constexpr int BucketsPerOctave = 1 << Scale;
    //! Magnitudes up to 2^LowestExponent (subnormals included) share the underflow bucket.
    static constexpr int LowestExponent = -64;
    //! Magnitudes above 2^HighestExponent share the overflow bucket.
    static constexpr int HighestExponent = 64;
    //! The bucket of magnitudes in (0, 2^-64].
    static constexpr int UnderflowIndex = LowestExponent * BucketsPerOctave;
    //! The bucket of magnitudes in (2^64, DBL_MAX].
    static constexpr int OverflowIndex = HighestExponent * BucketsPerOctave + 1;
    //! The largest relative error of percentile() for samples in the range: (b - 1) / (b + 1)
    //! = 0.0216575 rounded up, with room for the rounding of the computation.
    static constexpr double RelativeErrorBound = 0.02166;
    //! Prometheus's classic bounds are those of this coarser scale (each 2^(1/2) times the last).
    static constexpr int PrometheusScale = 1;
    //! The first and last of prometheusBounds() are 2^PrometheusLowestExponent and 2^...Highest.
    static constexpr int PrometheusLowestExponent = -20;
    static constexpr int PrometheusHighestExponent = 40;

    //! One non-empty bucket.
    struct Bucket
    {
        int index = 0;
        qint64 count = 0;

        friend bool operator==(const Bucket &a, const Bucket &b) noexcept
        {
            return a.index == b.index && a.count == b.count;
        }
        friend bool operator!=(const Bucket &a, const Bucket &b) noexcept { return !(a == b); }
    };

    Histogram() = default;

    /*!
     * The histogram of \a samples, with sum() added in their order; NaN and infinities are left
     * out. Faster than add() one by one for a window's samples (two passes, no sort).
     */
    static Histogram fromSamples(const QList<double> &samples);

    /*!
     * A histogram from its parts as a reader gets them (SnapshotFormat): buckets sorted by
     * strictly increasing index in [UnderflowIndex, OverflowIndex], counts above 0, finite
     * \a min <= \a max and \a sum, non-negative \a zeroCount. std::nullopt when any of that is
     * not so. With no sample at all, \a min and \a max are ignored.
     */
    static std::optional<Histogram> fromParts(qint64 zeroCount, const QList<Bucket> &negative,
                                              const QList<Bucket> &positive, double min, double max,
                                              double sum);

    //! The bucket of a magnitude (the sign is ignored); 0.0 and NaN have none: 0 is returned.
    static int bucketIndex(double value) noexcept;
    //! The bucket's lower bound, excluded: 2^((index-1)/16); 0.0 for UnderflowIndex.
    static double lowerBound(int index) noexcept;
    //! The bucket's upper bound, included: 2^(index/16); DBL_MAX for OverflowIndex.
    static double upperBound(int index) noexcept;

    //! Counts \a value; NaN and infinities are not counted.
    void add(double value);
    //! Adds \a other's counts and sum, and takes the smaller minimum and the larger maximum.
    void merge(const Histogram &other);

    bool isEmpty() const noexcept { return m_count == 0; }
    //! The number of samples (saturating at the largest qint64).
    qint64 count() const noexcept { return m_count; }
    qint64 zeroCount() const noexcept { return m_zeroCount; }
    double sum() const noexcept { return m_sum; }
    //! The smallest sample; 0.0 when empty.
    double min() const noexcept { return isEmpty() ? 0.0 : m_min; }
    //! The largest sample; 0.0 when empty.
    double max() const noexcept { return isEmpty() ? 0.0 : m_max; }
    //! sum() / count(); 0.0 when empty.
    double mean() const noexcept;
    //! The buckets of positive samples, by increasing index.
    const QList<Bucket> &positiveBuckets() const noexcept { return m_positive; }
    //! The buckets of negative samples by their magnitude, by increasing index.
    const QList<Bucket> &negativeBuckets() const noexcept { return m_negative; }

    /*!
     * The value at percentile \a p (clamped to [0, 100]) by the original's rank
     * `max(0, floor(n * p / 100) - 1)`: a value of the bucket holding that rank, within
     * RelativeErrorBound of the exact one (see the class description); the exact minimum and
     * maximum at the lowest and highest rank. 0.0 when empty, like an empty window.
     */
    double percentile(double p) const noexcept;

    //! The `le` bounds of classic Prometheus histograms: 2^(k/2) for k in [-40, 80], increasing.
    static QList<double> prometheusBounds();
    //! For each of prometheusBounds(), how many samples are <= it (the +Inf bucket is count()).
    QList<qint64> cumulativeCounts() const;

    //! Same counts, buckets, min, max and sum.
    friend bool operator==(const Histogram &a, const Histogram &b) noexcept
    {
        return a.m_count == b.m_count && a.m_zeroCount == b.m_zeroCount && a.min() == b.min()
            && a.max() == b.max() && a.m_sum == b.m_sum && a.m_positive == b.m_positive
            && a.m_negative == b.m_negative;
    }
    friend bool operator!=(const Histogram &a, const Histogram &b) noexcept { return !(a == b); }

private:
    QList<Bucket> m_positive;
    QList<Bucket> m_negative;
    qint64 m_count = 0;
    qint64 m_zeroCount = 0;
    double m_sum = 0;
    double m_min = 0;
    double m_max = 0;
};

} // namespace Statvent

#endif
