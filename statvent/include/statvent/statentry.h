// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_STATENTRY_H
#define STATVENT_STATENTRY_H

#include <statvent/statvalue.h>
#include <statvent/statvent_export.h>

#include <QByteArray>
#include <QList>

namespace Statvent {

/*!
 * What a statistic is, derived from how it is used and never refused: a Counter becomes a Gauge
 * for good on its first set() or negative incr(); StatRegistry::gauge() makes a Gauge at once.
 * The text of a FIFO carries no kind.
 */
enum class StatKind : quint8 {
    Untyped, //!< the kind is not known: read from a FIFO, whose text carries none
    Counter, //!< only ever incr()-ed by non-negative amounts
    Gauge, //!< set(), or incr()-ed by a negative amount at least once
    Window, //!< a row of a sample window (a percentile or the mean of record()-ed samples)
};

/*!
 * The kind of one statistic that is \a a in one process and \a b in another, as a view that
 * combines the processes (statvent-web's totals, the dashboard's sums) reports it: the weaker
 * one. The same kind stays; a counter beside a gauge is a gauge (their sum can go down); any
 * other mix (an untyped statistic from a FIFO, a window row beside a plain statistic) is untyped.
 */
STATVENT_EXPORT StatKind combinedKind(StatKind a, StatKind b) noexcept;

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
    StatKind kind = StatKind::Untyped;

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
