// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/windowcombiner.h>

#include <statventweb/nameindex.h>

#include <statvent/aggregates.h>

#include <QHash>

namespace StatventWeb {

namespace {

using Statvent::StatKind;
using Statvent::WindowStats;

//! A window being combined, with what decides whether its rows can come from the histogram.
struct PendingWindow
{
    CombinedWindow window;
    //! Every reporter sent a histogram.
    bool allHistograms = true;
    //! Every reporter with rows listed the same rows under the same labels.
    bool sameRows = true;
    //! The processes that report the window with rows (an empty window has none).
    qsizetype reportersWithRows = 0;
};

//! The value of the row with \a label of a window whose merged histogram is \a histogram.
std::optional<double> mergedRow(QByteArrayView label, const CombinedWindow &window)
{
    if (label == "mean")
        return window.count > 0 ? window.sum / double(window.count) : 0.0;
    const std::optional<double> percentile = Statvent::Aggregates::percentileOf(label);
    if (!percentile)
        return std::nullopt;
    return window.histogram->percentile(*percentile);
}

} // namespace

QList<CombinedWindow> WindowCombiner::combine(const QList<ProcessStats> &processes,
                                              StatCombiner::Mode mode, Statvent::Snapshot &combined)
{
    QList<PendingWindow> pending;
    QHash<QByteArray, qsizetype> windowOf;
    // How many processes report each row name as a row of any window: more than report the
    // window itself means another window (of another name) makes a row of that name too.
    QHash<QByteArray, qsizetype> windowRowReporters;
    for (const ProcessStats &process : processes) {
        for (const WindowStats &window : process.windows) {
            auto found = windowOf.constFind(window.name);
            if (found == windowOf.cend()) {
                found = windowOf.insert(window.name, pending.size());
                pending.append(
                    {CombinedWindow{window.name, {}, {}, 0, 0, {}, false, false}, true, true, 0});
            }
            PendingWindow &entry = pending[*found];
            CombinedWindow &combinedWindow = entry.window;
            QList<QByteArray> rowNames;
            rowNames.reserve(window.rowCount);
            for (qsizetype i = 0; i < window.rowCount; ++i) {
                rowNames.append(process.stats.at(window.firstRow + i).name);
                ++windowRowReporters[rowNames.constLast()];
            }
            if (!rowNames.isEmpty())
                ++entry.reportersWithRows;
            if (combinedWindow.rowNames.isEmpty() && !rowNames.isEmpty()) {
                combinedWindow.labels = window.labels;
                combinedWindow.rowNames = rowNames;
            } else if (!rowNames.isEmpty()
                       && (rowNames != combinedWindow.rowNames
                           || window.labels != combinedWindow.labels)) {
                entry.sameRows = false; // other percentiles: no row has one meaning for all
            }
            combinedWindow.count += window.count;
            combinedWindow.sum += window.sum;
            if (!window.histogram) {
                entry.allHistograms = false;
            } else if (entry.allHistograms) {
                if (combinedWindow.histogram)
                    combinedWindow.histogram->merge(*window.histogram);
                else
                    combinedWindow.histogram = window.histogram;
            }
        }
    }

    if (pending.isEmpty())
        return {}; // FIFO writers only: nothing to index
    NameIndex rowOf(combined.size());
    for (qsizetype row = 0; row < combined.size(); ++row)
        rowOf.findOrInsert(combined.at(row).name, row);

    QList<CombinedWindow> result;
    result.reserve(pending.size());
    for (PendingWindow &entry : pending) {
        CombinedWindow &window = entry.window;
        if (!entry.allHistograms)
            window.histogram.reset();
        // A row's combined kind is Window only if every process that reports it reports it as
        // a window's row: no FIFO writer and no plain statistic shares its name.
        bool mergeRows =
            window.histogram.has_value() && entry.sameRows && !window.rowNames.isEmpty();
        QList<qsizetype> rows;
        QList<double> values;
        for (qsizetype i = 0; mergeRows && i < window.rowNames.size(); ++i) {
            const QByteArray &name = window.rowNames.at(i);
            const qsizetype row = rowOf.find(name).row;
            const std::optional<double> value = mergedRow(window.labels.value(i), window);
            mergeRows = row >= 0 && combined.at(row).kind == StatKind::Window && value
                && windowRowReporters.value(name) == entry.reportersWithRows;
            rows.append(row);
            values.append(value.value_or(0));
        }
        window.mergeable = mergeRows;
        if (mergeRows && mode == StatCombiner::Mode::Sum) {
            // One process's own rows are already the exact values the histogram approximates.
            if (entry.reportersWithRows > 1) {
                for (qsizetype i = 0; i < rows.size(); ++i)
                    combined[rows.at(i)].value = Statvent::StatValue(values.at(i));
            }
            window.merged = true;
        }
        result.append(std::move(window));
    }
    return result;
}

CombinedView WindowCombiner::combinedView(const QList<ProcessStats> &processes,
                                          StatCombiner::Mode mode)
{
    CombinedView view;
    view.stats = StatCombiner::combine(processes, mode);
    view.windows = combine(processes, mode, view.stats);
    return view;
}

} // namespace StatventWeb
