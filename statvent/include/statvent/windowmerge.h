// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_WINDOWMERGE_H
#define STATVENT_WINDOWMERGE_H

#include <statvent/histogram.h>
#include <statvent/statvent_export.h>

#include <QByteArray>
#include <QList>

#include <optional>

namespace Statvent {

/*!
 * One sample window as several processes report it, merged into the host's true percentiles:
 * the rule that statvent-web and the dashboard both apply to a host's windows.
 *
 * Add each process's report of the window (add()), and tell it about any process that reports
 * one of the window's rows otherwise (addForeignRow(): a FIFO writer, which sends no window, a
 * plain statistic of that name, a window of another name). The histograms merge exactly (their
 * buckets are the same in every process). The window's rows are the host's true values
 * (isMerged()) when every report came with a histogram and the same row labels, each label a
 * percentile (Aggregates::percentileOf()) or `mean`, and no foreign row: each percentile row
 * is then the merged histogram's (within Histogram::RelativeErrorBound of the exact percentile
 * of all the samples, `100th` exact), `mean` the total sum over the total count. With only one
 * report that has samples, its own rows are already exact and stay (mergedRowValues() is empty).
 */
class STATVENT_EXPORT WindowMerge
{
public:
    /*!
     * One process's report: its rows' \a labels in their order (none for an empty window), the
     * \a count and \a sum of the samples it holds, and its \a histogram if it sent one.
     */
    void add(const QList<QByteArray> &labels, qint64 count, double sum,
             const std::optional<Histogram> &histogram);
    //! A process reports one of the window's rows, but not as a row of this window: its
    //! samples are unknown, so neither the rows nor the histogram can be the host's.
    void addForeignRow() noexcept;

    //! The samples all the reports hold.
    qint64 count() const noexcept { return m_count; }
    double sum() const noexcept { return m_sum; }
    //! The labels of the first report with rows.
    const QList<QByteArray> &labels() const noexcept { return m_labels; }
    //! The host's histogram: the reports' histograms added up, when every report had one and
    //! no process reports a row otherwise (whatever the labels).
    const std::optional<Histogram> &histogram() const noexcept { return m_histogram; }
    //! The window's rows can be the host's true values (see the class description).
    bool isMerged() const noexcept;
    /*!
     * The true value of each row, in the order of labels(), to put in place of the rows'
     * combined values: empty unless isMerged() and more than one report has samples.
     */
    QList<double> mergedRowValues() const;

private:
    QList<QByteArray> m_labels;
    qint64 m_count = 0;
    double m_sum = 0;
    std::optional<Histogram> m_histogram;
    qsizetype m_reportsWithRows = 0;
    bool m_histogramIsTheHosts = true;
    bool m_sameLabels = true;
};

} // namespace Statvent

#endif
