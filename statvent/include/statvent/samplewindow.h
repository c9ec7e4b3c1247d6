// SPDX-License-Identifier: MIT
#ifndef STATVENT_SAMPLEWINDOW_H
#define STATVENT_SAMPLEWINDOW_H

#include <statvent/statvent_export.h>

namespace Statvent {

namespace Detail {
struct WindowCell;
}

/*!
 * A handle to a window of recent samples (latencies, sizes), reported as percentiles and mean.
 * Each record() is one atomic increment and one store into a ring buffer: no lookup, no lock,
 * no sorting (aggregates are computed only when a snapshot is taken).
 * Same window as `record(name, ...)`; valid as long as its registry lives.
 */
class STATVENT_EXPORT SampleWindow
{
public:
    SampleWindow() noexcept = default;

    bool isValid() const noexcept { return m_cell != nullptr; }

    //! Adds a sample, dropping the oldest when the window is full. NaN and infinities are refused.
    void record(double value) const noexcept;
    //! How many samples the window holds now (at most StatRegistry::windowSize()).
    int sampleCount() const noexcept;

private:
    friend class StatRegistry;
    explicit SampleWindow(Detail::WindowCell *cell) noexcept
        : m_cell(cell)
    {
    }
    Detail::WindowCell *m_cell = nullptr;
};

} // namespace Statvent

#endif
