// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_COUNTER_H
#define STATVENT_COUNTER_H

#include <statvent/valuehandle.h>

/*!
 * \file
 * Counter, the handle an application keeps to add to a statistic on a hot path.
 */

namespace Statvent {

/*!
 * A handle to a statistic for hot paths: obtained once by name (StatRegistry::counter()),
 * then each incr() is one atomic add, with no lookup and no lock.
 *
 * It makes a counter: a statistic only ever incremented by non-negative amounts. An incr() by a
 * negative amount turns it into a gauge for good.
 *
 * It is the same statistic as the name: `incr("x")` and `counter("x").incr()` add to one value,
 * which value() reads.
 * A handle is a small copyable value, valid as long as its registry lives. A default-constructed
 * handle, or one obtained for an invalid name, is not valid and ignores every call.
 */
class STATVENT_EXPORT Counter : public ValueHandle
{
public:
    using ValueHandle::ValueHandle;

    //! Adds \a value; an integer sum that overflows qint64 turns the statistic into a real.
    void incr(StatValue value = 1) const noexcept;
};

} // namespace Statvent

#endif
