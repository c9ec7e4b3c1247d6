// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_STATCOMBINER_H
#define STATVENTWEB_STATCOMBINER_H

#include <statventweb/sweepresult.h>

#include <QLatin1StringView>
#include <QStringView>

#include <optional>

namespace StatventWeb {

/*!
 * Combines each statistic across the processes that report it, in one of four modes (chosen
 * over HTTP with `?aggregate=`, a name kept for compatibility). "Aggregates", in the library,
 * are something else: a sample window's percentile rows.
 *
 * - `sum` (the default, as in the original statvent): integers are summed exactly and the total
 *   converted once: it is an integer if it fits in qint64 (INT64_MAX + 1 - 1 is INT64_MAX),
 *   else a real; a sum that involves a real is a real (the original's promotion).
 * - `max` / `min`: the largest / smallest value, keeping its type. `max` is the honest
 *   cross-process view of a percentile such as `latency.100th`; summed percentiles mean nothing.
 * - `avg`: the arithmetic mean over the processes that report the statistic (their exact sum,
 *   divided once); always a real.
 *
 * Each combined statistic has the kind of its rows if they agree (Statvent::combinedKind());
 * in any mode but `sum`, a counter's row is a gauge: the largest, smallest or mean of counters
 * can go down.
 *
 * The result lists each name once, in the order the names are first met (processes by pid,
 * then each pipe's own order).
 */
class StatCombiner
{
public:
    //! How the values of one statistic from several processes become one.
    enum class Mode : quint8 { Sum, Max, Min, Avg };

    static Statvent::Snapshot combine(const QList<ProcessStats> &processes, Mode mode);

    //! `sum`, `max`, `min`, `avg`; empty for anything else.
    static std::optional<Mode> modeFromName(QStringView name);
    static QLatin1StringView name(Mode mode) noexcept;
};

} // namespace StatventWeb

#endif
