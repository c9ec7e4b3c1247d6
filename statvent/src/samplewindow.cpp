// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/samplewindow.h"

#include "stathandle_p.h"
#include "windowcell.h"

#include <cmath>

namespace Statvent {

void SampleWindow::record(double value) const noexcept
{
    if (acceptsUpdate(std::isfinite(value), "record"))
        m_cell->record(value);
}

int SampleWindow::sampleCount() const noexcept
{
    return m_cell ? m_cell->ring.load(std::memory_order_acquire)->sampleCount() : 0;
}

} // namespace Statvent
