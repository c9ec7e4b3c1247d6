// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_STATCOMBINER_H
#define STATVENTWEB_STATCOMBINER_H

#include <statventweb/sweepresult.h>

#include <QLatin1StringView>
#include <QStringView>

#include <optional>

namespace StatventWeb {

/*!
 * Combines each statistic across the processes that report it.
 *
 * - `sum` (the default, as in the original statvent): integers stay exact; a sum that leaves
 *   the qint64 range, or that involves a real, is a real (Statvent::StatValue's own addition).
 * - `max` / `min`: the largest / smallest value, keeping its type. `max` is the honest
 *   cross-process view of a percentile such as `latency.100th`; summed percentiles mean nothing.
 * - `avg`: the arithmetic mean over the processes that report the statistic; always a real.
 *
 * The result lists each name once, in the order the names are first met (processes by pid,
 * then each pipe's own order).
 */
class StatCombiner
{
public:
    enum class Aggregate : quint8 { Sum, Max, Min, Avg };

    static Statvent::Snapshot combine(const QList<ProcessStats> &processes, Aggregate aggregate);

    //! `sum`, `max`, `min`, `avg`; empty for anything else.
    static std::optional<Aggregate> aggregateFromName(QStringView name);
    static QLatin1StringView name(Aggregate aggregate) noexcept;
};

} // namespace StatventWeb

#endif
