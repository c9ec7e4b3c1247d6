// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/valuehandle.h"

#include "valuecell.h"

namespace Statvent {

StatValue ValueHandle::value() const noexcept
{
    return m_cell ? m_cell->load() : StatValue();
}

} // namespace Statvent
