// SPDX-License-Identifier: MIT
#include "statvent/counter.h"

#include "logging.h"
#include "valuecell.h"

namespace Statvent {

void Counter::incr(StatValue value) const noexcept
{
    if (Q_UNLIKELY(!m_cell))
        return;
    if (Q_UNLIKELY(!value.isFinite())) {
        if (m_cell->claimWarning())
            Detail::warnRefused(m_cell->name(), "incr", Detail::NonFiniteReason);
        return;
    }
    m_cell->add(value);
}

StatValue Counter::value() const noexcept
{
    return m_cell ? m_cell->load() : StatValue();
}

} // namespace Statvent
