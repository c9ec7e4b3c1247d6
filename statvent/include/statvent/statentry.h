// SPDX-License-Identifier: MIT
#ifndef STATVENT_STATENTRY_H
#define STATVENT_STATENTRY_H

#include <statvent/statvalue.h>

#include <QByteArray>
#include <QList>

namespace Statvent {

/*!
 * One row of a snapshot: a statistic's name (UTF-8 bytes, as given) and its value.
 * A sample window contributes one row per aggregate (`latency.median`, `latency.mean`, ...).
 */
struct StatEntry
{
    QByteArray name;
    StatValue value;

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
