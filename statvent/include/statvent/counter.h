// SPDX-License-Identifier: MIT
#ifndef STATVENT_COUNTER_H
#define STATVENT_COUNTER_H

#include <statvent/statvalue.h>

namespace Statvent {

namespace Detail {
struct ValueCell;
}

/*!
 * A handle to a statistic for hot paths: obtained once by name (StatRegistry::counter()),
 * then each incr() is one atomic add, with no lookup and no lock.
 *
 * It is the same statistic as the name: `incr("x")` and `counter("x").incr()` add to one value.
 * A handle is a small copyable value, valid as long as its registry lives. A default-constructed
 * handle, or one obtained for an invalid name, is not valid and ignores every call.
 */
class STATVENT_EXPORT Counter
{
public:
    Counter() noexcept = default;

    bool isValid() const noexcept { return m_cell != nullptr; }

    //! Adds \a value; an integer sum that overflows qint64 turns the statistic into a real.
    void incr(StatValue value = 1) const noexcept;
    StatValue value() const noexcept;

private:
    friend class StatRegistry;
    explicit Counter(Detail::ValueCell *cell) noexcept
        : m_cell(cell)
    {
    }
    Detail::ValueCell *m_cell = nullptr;
};

} // namespace Statvent

#endif
