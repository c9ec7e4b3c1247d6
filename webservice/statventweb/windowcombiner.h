// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_WINDOWCOMBINER_H
#define STATVENTWEB_WINDOWCOMBINER_H

#include <statventweb/statcombiner.h>
#include <statventweb/sweepresult.h>

#include <statvent/histogram.h>

#include <QByteArray>
#include <QList>

#include <optional>

namespace StatventWeb {

//! One sample window as the processes that report it over their sockets add up to.
struct CombinedWindow
{
    //! The window's name as given to record(), e.g. `latency.{0}`.
    QByteArray name;
    //! Each row's label (`median`, `95th`, ..., `mean`) and the row's statistic name, in the
    //! order of the first process that reports the window with rows.
    QList<QByteArray> labels;
    QList<QByteArray> rowNames;
    //! The samples the windows hold now, over every process that reports the window.
    qint64 count = 0;
    double sum = 0;
    //! The processes' histograms added up, when every process that reports the window sent one.
    std::optional<Statvent::Histogram> histogram;
    /*!
     * The histogram holds the samples behind every row of the window that any process reports:
     * each process that reports one of the rows reports it as a row of this window, with a
     * histogram and the same labels (no FIFO writer, no older writer, no plain statistic of the
     * same name). Whatever the mode; in `sum` mode the rows are then merged.
     */
    bool mergeable = false;
    //! The window's rows in the combined statistics are the host's true values: the merged
    //! histogram's percentiles, or the one process's own exact rows if only one has samples.
    bool merged = false;
};

//! The combined view of a sweep: every statistic combined, and the windows behind the rows.
struct CombinedView
{
    //! StatCombiner::combine(), with the rows of merged windows rewritten by WindowCombiner.
    Statvent::Snapshot stats;
    QList<CombinedWindow> windows;
};

/*!
 * Combines the sample windows of several processes, so that a host's percentiles are true ones:
 * Statvent::WindowMerge's rule applied to the processes of a sweep. In `sum` mode the rows of a
 * window that merges are replaced, in the combined statistics, by the host's true values; in
 * the other modes the rows stay combined by the mode, and the histogram is still given.
 */
class WindowCombiner
{
public:
    /*!
     * The windows of \a processes, by first appearance (processes by pid). \a combined is
     * StatCombiner::combine()'s result for the same processes in \a mode; the rows of merged
     * windows are rewritten in it.
     */
    static QList<CombinedWindow> combine(const QList<ProcessStats> &processes,
                                         StatCombiner::Mode mode, Statvent::Snapshot &combined);

    /*!
     * StatCombiner::combine() of \a processes in \a mode, then combine() on it: the one place
     * where the service's combined view (`/stats`, `/metrics`) is computed.
     */
    static CombinedView combinedView(const QList<ProcessStats> &processes, StatCombiner::Mode mode);
};

} // namespace StatventWeb

#endif
