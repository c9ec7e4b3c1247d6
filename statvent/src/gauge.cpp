// SPDX-License-Identifier: MIT
#include "statvent/gauge.h"

#include "logging.h"
#include "valuecell.h"

namespace Statvent {

void Gauge::set(StatValue value) const noexcept
{
    if (Q_UNLIKELY(!m_cell))
        return;
    if (Q_UNLIKELY(!value.isFinite())) {
        if (m_cell->claimWarning())
            Detail::warnRefused(m_cell->name(), "set", Detail::NonFiniteReason);
        return;
    }
    m_cell->set(value);
}

StatValue Gauge::value() const noexcept
{
    return m_cell ? m_cell->load() : StatValue();
}

} // namespace Statvent
