// SPDX-License-Identifier: MIT
#ifndef STATVENT_GAUGE_H
#define STATVENT_GAUGE_H

#include <statvent/statvalue.h>

namespace Statvent {

namespace Detail {
struct ValueCell;
}

/*!
 * A handle to a statistic that is set rather than added to (a level, a timestamp, a size).
 * Each set() is a few atomic stores, with no lookup and no lock. Same statistic as the name.
 * Valid as long as its registry lives; an invalid handle ignores every call.
 */
class STATVENT_EXPORT Gauge
{
public:
    Gauge() noexcept = default;

    bool isValid() const noexcept { return m_cell != nullptr; }

    //! Replaces the value and its type.
    void set(StatValue value) const noexcept;
    StatValue value() const noexcept;

private:
    friend class StatRegistry;
    explicit Gauge(Detail::ValueCell *cell) noexcept
        : m_cell(cell)
    {
    }
    Detail::ValueCell *m_cell = nullptr;
};

} // namespace Statvent

#endif
