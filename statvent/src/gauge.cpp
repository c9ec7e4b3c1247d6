// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/gauge.h"

#include "stathandle_p.h"
#include "valuecell.h"

namespace Statvent {

void Gauge::set(StatValue value) const noexcept
{
    if (acceptsUpdate(value.isFinite(), "set"))
        m_cell->set(value);
}

} // namespace Statvent
