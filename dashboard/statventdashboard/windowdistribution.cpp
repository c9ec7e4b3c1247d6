// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventdashboard/windowdistribution.h>

#include <statventdashboard/percentilegroups.h>

#include <statvent/aggregates.h>

#include <algorithm>

namespace StatventDashboard {

using namespace Qt::StringLiterals;
using Statvent::Histogram;

WindowDistribution WindowDistribution::of(const QString &name, const StatsDocument::Window &window)
{
    WindowDistribution distribution;
    distribution.m_name = name;
    if (!window.histogram)
        return distribution;
    const Histogram &histogram = *window.histogram;
    distribution.m_valid = true;
    distribution.m_count = histogram.count();
    distribution.m_zeroCount = histogram.zeroCount();
    for (const Histogram::Bucket &bucket : histogram.negativeBuckets())
        distribution.m_negativeCount += bucket.count;
    for (const Histogram::Bucket &bucket : histogram.positiveBuckets()) {
        Bar bar{Histogram::lowerBound(bucket.index), Histogram::upperBound(bucket.index),
                bucket.count};
        // The under- and overflow buckets reach 0 and DBL_MAX, which a logarithmic axis cannot
        // span: the underflow is drawn one doubling wide, the overflow up to the largest sample.
        if (bucket.index == Histogram::UnderflowIndex)
            bar.lower = bar.upper / 2;
        if (bucket.index == Histogram::OverflowIndex)
            bar.upper = histogram.max();
        distribution.m_bars.append(bar);
        distribution.m_largestCount = std::max(distribution.m_largestCount, bucket.count);
    }
    for (const auto &[label, row] : window.rows) {
        if (!Statvent::Aggregates::isLabel(label.toUtf8()))
            continue;
        const double rank = PercentileGroups::rankOf(label);
        const double value = label == "mean"_L1 ? histogram.mean() : histogram.percentile(rank);
        distribution.m_marks.append({label, value, rank});
    }
    return distribution;
}

std::pair<double, double> WindowDistribution::valueRange() const
{
    if (m_bars.isEmpty())
        return {0, 0};
    return {m_bars.first().lower, m_bars.last().upper};
}

} // namespace StatventDashboard
