// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_SAMPLEWINDOW_H
#define STATVENT_SAMPLEWINDOW_H

#include <statvent/stathandle.h>

/*!
 * \file
 * SampleWindow, the handle an application keeps to record samples on a hot path.
 */

namespace Statvent {

/*!
 * A handle to a window of recent samples (latencies, sizes): obtained once by name
 * (StatRegistry::sampleWindow()), then each record() is one atomic increment and one store into
 * a ring buffer: no lookup, no lock, no sorting (aggregates are computed only when a snapshot is
 * taken).
 *
 * It makes a window: the last StatRegistry::windowSize() samples, reported as one row per
 * percentile and a `mean` row (see Aggregates).
 *
 * Same window as `record(name, ...)`; valid as long as its registry lives.
 */
class STATVENT_EXPORT SampleWindow : public StatHandle<Detail::WindowCell>
{
public:
    using StatHandle::StatHandle;

    //! Adds a sample, dropping the oldest when the window is full. NaN and infinities are refused.
    void record(double value) const noexcept;
    //! How many samples the window holds now (at most StatRegistry::windowSize()).
    int sampleCount() const noexcept;
};

} // namespace Statvent

#endif
