// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_TYPEDSNAPSHOT_H
#define STATVENT_TYPEDSNAPSHOT_H

#include <statvent/histogram.h>
#include <statvent/statentry.h>

#include <QByteArray>
#include <QList>

#include <algorithm>
#include <optional>

namespace Statvent {

/*!
 * One sample window at snapshot time: what it holds, and which rows of the snapshot report it.
 */
struct WindowStats
{
    //! The window's name as given to record(), e.g. `latency.{0}`.
    QByteArray name;
    //! How many samples the window holds now.
    qint64 count = 0;
    //! The sum of those samples: their exact mean is sum / count.
    double sum = 0;
    //! The window's rows are `stats[firstRow, firstRow + rowCount)` of its TypedSnapshot:
    //! the percentiles in order, then the mean. An empty window has no rows.
    qsizetype firstRow = 0;
    qsizetype rowCount = 0;
    //! Each row's label, in the order of the rows: `median`, `95th`, ..., `mean`.
    QList<QByteArray> labels;
    //! The distribution of the samples the window holds, when its writer reports it (a window
    //! read from an older writer has none). Its sum is the window's sum.
    std::optional<Histogram> histogram;

    friend bool operator==(const WindowStats &a, const WindowStats &b) noexcept
    {
        return a.name == b.name && a.count == b.count && a.sum == b.sum && a.firstRow == b.firstRow
            && a.rowCount == b.rowCount && a.labels == b.labels && a.histogram == b.histogram;
    }
    friend bool operator!=(const WindowStats &a, const WindowStats &b) noexcept
    {
        return !(a == b);
    }
};

/*!
 * Every statistic of a process at one moment, each with its kind, and the sample windows
 * behind the rows of kind StatKind::Window. This is what the recorder's socket carries
 * (SnapshotFormat); a FIFO carries only the rows, untyped (PipeFormat).
 */
struct TypedSnapshot
{
    //! Every row with its kind, in the order the statistics were created; window rows have
    //! kind StatKind::Window and follow each other, window by window.
    Snapshot stats;
    //! The windows, in the order of their first row.
    QList<WindowStats> windows;

    //! Same rows (name, value and kind) and same windows.
    friend bool operator==(const TypedSnapshot &a, const TypedSnapshot &b) noexcept
    {
        const auto sameRow = [](const StatEntry &x, const StatEntry &y) {
            return x.name == y.name && x.value == y.value && x.kind == y.kind;
        };
        return std::equal(a.stats.cbegin(), a.stats.cend(), b.stats.cbegin(), b.stats.cend(),
                          sameRow)
            && a.windows == b.windows;
    }
    friend bool operator!=(const TypedSnapshot &a, const TypedSnapshot &b) noexcept
    {
        return !(a == b);
    }
};

} // namespace Statvent

#endif
