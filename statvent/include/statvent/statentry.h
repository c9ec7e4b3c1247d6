// SPDX-License-Identifier: MIT
#ifndef STATVENT_STATENTRY_H
#define STATVENT_STATENTRY_H

#include <statvent/statvalue.h>

#include <QByteArray>
#include <QList>

namespace Statvent {

/*!
 * What a statistic is, derived from how it is used (never refused):
 * - Counter: only ever incr()-ed by non-negative amounts (a rate is meaningful);
 * - Gauge: set() at least once, incr()-ed by a negative amount at least once (a gauge for
 *   good), or made by StatRegistry::gauge();
 * - Window: a row of a sample window (record()).
 */
enum class StatKind : quint8 { Counter, Gauge, Window };

/*!
 * One row of a snapshot: a statistic's name (UTF-8 bytes, as given), its value and its kind.
 * A sample window contributes one row per aggregate (`latency.median`, `latency.mean`, ...).
 *
 * Two rows are equal when their names and values are: the kind is not compared, as the pipe
 * text, which carries no kind, reads back equal rows.
 */
struct StatEntry
{
    QByteArray name;
    StatValue value;
    StatKind kind = StatKind::Gauge;

    friend bool operator==(const StatEntry &a, const StatEntry &b) noexcept
    {
        return a.name == b.name && a.value == b.value;
    }
    friend bool operator!=(const StatEntry &a, const StatEntry &b) noexcept { return !(a == b); }
};

//! Every statistic of a registry at one moment, in the order the statistics were created.
using Snapshot = QList<StatEntry>;

} // namespace Statvent

#endif
