// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/counter.h"

#include "stathandle_p.h"
#include "valuecell.h"

namespace Statvent {

void Counter::incr(StatValue value) const noexcept
{
    if (acceptsUpdate(value.isFinite(), "incr"))
        m_cell->add(value);
}

} // namespace Statvent
