// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/windowcombiner.h>

#include <nameindex.h>

#include <statvent/windowmerge.h>

#include <QHash>

namespace StatventWeb {

using Statvent::Detail::NameIndex;

namespace {

using Statvent::StatKind;
using Statvent::WindowStats;

//! A window being combined: the library's merge, and the row names the processes gave it.
struct PendingWindow
{
    QByteArray name;
    QList<QByteArray> rowNames; //!< of the first report with rows
    //! Some reports label their rows otherwise (other percentiles): then their row names
    //! differ too, as they should, and only the kinds of the first one's rows are checked.
    bool otherLabels = false;
    Statvent::WindowMerge merge;
};

} // namespace

QList<CombinedWindow> WindowCombiner::combine(const QList<ProcessStats> &processes,
                                              StatCombiner::Mode mode, Statvent::Snapshot &combined)
{
    QList<PendingWindow> pending;
    QHash<QByteArray, qsizetype> windowOf;
    // How many processes report each row name as a row of any window, and each window with
    // rows: a row with more reporters than its window has is also another window's row.
    QHash<QByteArray, qsizetype> windowRowReporters;
    QList<qsizetype> reportersWithRows;
    for (const ProcessStats &process : processes) {
        for (const WindowStats &window : process.windows) {
            auto found = windowOf.constFind(window.name);
            if (found == windowOf.cend()) {
                found = windowOf.insert(window.name, pending.size());
                pending.append({window.name, {}, false, {}});
                reportersWithRows.append(0);
            }
            PendingWindow &entry = pending[*found];
            QList<QByteArray> rowNames;
            rowNames.reserve(window.rowCount);
            for (qsizetype i = 0; i < window.rowCount; ++i) {
                rowNames.append(process.stats.at(window.firstRow + i).name);
                ++windowRowReporters[rowNames.constLast()];
            }
            if (!rowNames.isEmpty()) {
                ++reportersWithRows[*found];
                if (entry.rowNames.isEmpty())
                    entry.rowNames = rowNames;
                else if (window.labels != entry.merge.labels())
                    entry.otherLabels = true;
                else if (rowNames != entry.rowNames)
                    entry.merge.addForeignRow(); // the same labels, other names: not one row
            }
            entry.merge.add(window.labels, window.count, window.sum, window.histogram);
        }
    }

    if (pending.isEmpty())
        return {}; // FIFO writers only: nothing to index
    NameIndex rowOf(combined.size());
    for (qsizetype row = 0; row < combined.size(); ++row)
        rowOf.findOrInsert(combined.at(row).name, row);

    QList<CombinedWindow> result;
    result.reserve(pending.size());
    for (qsizetype w = 0; w < pending.size(); ++w) {
        PendingWindow &entry = pending[w];
        QList<qsizetype> rows;
        for (const QByteArray &name : std::as_const(entry.rowNames)) {
            const qsizetype row = rowOf.find(name).row;
            // A row's combined kind is Window only if every process that reports it reports it
            // as a window's row: no FIFO writer and no plain statistic shares its name. More
            // reporters than the window has: another window makes a row of that name too.
            if (row < 0 || combined.at(row).kind != StatKind::Window
                || (!entry.otherLabels
                    && windowRowReporters.value(name) != reportersWithRows.at(w)))
                entry.merge.addForeignRow();
            rows.append(row);
        }
        const Statvent::WindowMerge &merge = entry.merge;
        const bool mergeable = merge.isMerged();
        const bool merged = mergeable && mode == StatCombiner::Mode::Sum;
        if (merged) {
            const QList<double> values = merge.mergedRowValues();
            for (qsizetype i = 0; i < values.size(); ++i)
                combined[rows.at(i)].value = Statvent::StatValue(values.at(i));
        }
        result.append(CombinedWindow{entry.name, merge.labels(), entry.rowNames, merge.count(),
                                     merge.sum(), merge.histogram(), mergeable, merged});
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
