// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_VALUEHANDLE_H
#define STATVENT_VALUEHANDLE_H

#include <statvent/stathandle.h>
#include <statvent/statvalue.h>

/*!
 * \file
 * What the handles Counter and Gauge share: reading the value. Applications use it through them
 * (value()); include `<statvent/counter.h>` or `<statvent/gauge.h>` rather than this header.
 */

namespace Statvent {

/*!
 * The part of Counter and Gauge that reads their statistic: both point to a plain value, which
 * one adds to and the other replaces.
 */
class STATVENT_EXPORT ValueHandle : public StatHandle<Detail::ValueCell>
{
public:
    //! The statistic's value now; 0 for a handle that is not valid.
    StatValue value() const noexcept;

protected:
    using StatHandle::StatHandle;
};

} // namespace Statvent

#endif
