// SPDX-License-Identifier: MIT
#include "statvent/samplewindow.h"

#include "logging.h"
#include "windowcell.h"

#include <cmath>

namespace Statvent {

void SampleWindow::record(double value) const noexcept
{
    if (Q_UNLIKELY(!m_cell))
        return;
    if (Q_UNLIKELY(!std::isfinite(value))) {
        if (m_cell->claimWarning())
            Detail::warnRefused(m_cell->name(), "record", Detail::NonFiniteReason);
        return;
    }
    m_cell->record(value);
}

int SampleWindow::sampleCount() const noexcept
{
    return m_cell ? m_cell->ring.load(std::memory_order_acquire)->sampleCount() : 0;
}

} // namespace Statvent
