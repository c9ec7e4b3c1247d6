// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_STATHANDLE_H
#define STATVENT_STATHANDLE_H

#include <statvent/statvent_export.h>

/*!
 * \file
 * What the handles Counter, Gauge and SampleWindow share. Applications use it through them
 * (isValid()); include `<statvent/counter.h>`, `<statvent/gauge.h>` or
 * `<statvent/samplewindow.h>` rather than this header.
 */

namespace Statvent {

class StatRegistry;

namespace Detail {
class ValueCell;
struct WindowCell;
} // namespace Detail

/*!
 * The part every handle shares: the statistic it points to, or none.
 *
 * A handle is a small copyable value, valid as long as its registry lives. A default-constructed
 * handle, or one obtained for an invalid name, is not valid and ignores every call.
 */
template<typename Cell>
class StatHandle
{
public:
    //! False for a default-constructed handle and for one obtained for an invalid name.
    bool isValid() const noexcept { return m_cell != nullptr; }

protected:
    StatHandle() noexcept = default;
    /*!
     * A handle to \a cell; none (not valid) when it is null. Only the registry makes handles:
     * the handles inherit this constructor, and it is accessible wherever this one is.
     */
    explicit StatHandle(Cell *cell) noexcept
        : m_cell(cell)
    {
    }

    /*!
     * Whether an update may reach the statistic: not when the handle is not valid, nor when the
     * value is not \a finite, which is refused with one warning per statistic naming \a operation.
     * Defined inside the library, the only place that makes handles.
     */
    bool acceptsUpdate(bool finite, const char *operation) const noexcept;

    //! The statistic's storage, private to the library.
    Cell *m_cell = nullptr;

private:
    friend class StatRegistry;
};

} // namespace Statvent

#endif
