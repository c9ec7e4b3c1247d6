// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_GAUGE_H
#define STATVENT_GAUGE_H

#include <statvent/valuehandle.h>

/*!
 * \file
 * Gauge, the handle an application keeps to set a statistic on a hot path.
 */

namespace Statvent {

/*!
 * A handle to a statistic that is set rather than added to (a level, a timestamp, a size):
 * obtained once by name (StatRegistry::gauge()), then each set() is a few atomic stores, with
 * no lookup and no lock.
 *
 * It makes a gauge: a statistic whose value goes up and down, reported as it was last set.
 *
 * Same statistic as the name: `set("x", 3)` and `gauge("x").set(3)` replace one value, which
 * value() reads. Valid as long as its registry lives; an invalid handle ignores every call.
 */
class STATVENT_EXPORT Gauge : public ValueHandle
{
public:
    using ValueHandle::ValueHandle;

    //! Replaces the value and its type.
    void set(StatValue value) const noexcept;
};

} // namespace Statvent

#endif
