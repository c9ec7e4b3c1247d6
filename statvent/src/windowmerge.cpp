// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/windowmerge.h"

#include "statvent/aggregates.h"

#include <algorithm>

namespace Statvent {

namespace {

constexpr QByteArrayView MeanLabel = "mean";

} // namespace

void WindowMerge::add(const QList<QByteArray> &labels, qint64 count, double sum,
                      const std::optional<Histogram> &histogram)
{
    if (!labels.isEmpty()) {
        if (m_reportsWithRows == 0)
            m_labels = labels;
        else if (labels != m_labels)
            m_sameLabels = false; // other percentiles: no row has one meaning for all
        ++m_reportsWithRows;
    }
    m_count += count;
    m_sum += sum;
    if (!histogram) {
        m_histogramIsTheHosts = false;
        m_histogram.reset();
    } else if (m_histogramIsTheHosts) {
        if (m_histogram)
            m_histogram->merge(*histogram);
        else
            m_histogram = histogram;
    }
}

void WindowMerge::addForeignRow() noexcept
{
    m_histogramIsTheHosts = false;
    m_histogram.reset();
}

bool WindowMerge::isMerged() const noexcept
{
    return m_histogram && m_sameLabels && !m_labels.isEmpty()
        && std::all_of(m_labels.cbegin(), m_labels.cend(), [](const QByteArray &label) {
               return label == MeanLabel || Aggregates::percentileOf(label).has_value();
           });
}

QList<double> WindowMerge::mergedRowValues() const
{
    QList<double> values;
    if (m_reportsWithRows < 2 || !isMerged())
        return values;
    values.reserve(m_labels.size());
    for (const QByteArray &label : m_labels) {
        if (label == MeanLabel)
            values.append(m_count > 0 ? m_sum / double(m_count) : 0.0);
        else
            values.append(m_histogram->percentile(*Aggregates::percentileOf(label)));
    }
    return values;
}

} // namespace Statvent
