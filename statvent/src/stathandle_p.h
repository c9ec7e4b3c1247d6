// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_STATHANDLE_P_H
#define STATVENT_STATHANDLE_P_H

#include "logging.h"
#include "statvent/stathandle.h"

namespace Statvent {

// Here rather than in the installed header: it reads the cell, whose type users never see.
template<typename Cell>
bool StatHandle<Cell>::acceptsUpdate(bool finite, const char *operation) const noexcept
{
    if (Q_UNLIKELY(!m_cell))
        return false;
    if (Q_UNLIKELY(!finite)) {
        if (m_cell->claimWarning())
            Detail::warnRefused(m_cell->name(), operation, Detail::NonFiniteReason);
        return false;
    }
    return true;
}

} // namespace Statvent

#endif
