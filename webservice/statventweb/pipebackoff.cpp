// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/pipebackoff.h>

#include <algorithm>

namespace StatventWeb {

void PipeBackoff::startSweep()
{
    for (auto &[key, entry] : m_entries)
        entry.seen = false;
}

bool PipeBackoff::shouldSkip(const Key &key, int *failures, int *skipsLeft)
{
    const auto found = m_entries.find(key);
    if (found == m_entries.end())
        return false;
    Entry &entry = found->second;
    entry.seen = true;
    if (entry.skipsLeft == 0)
        return false;
    --entry.skipsLeft;
    *failures = entry.failures;
    *skipsLeft = entry.skipsLeft;
    return true;
}

void PipeBackoff::recordAnswer(const Key &key)
{
    m_entries.erase(key);
}

void PipeBackoff::recordFailure(const Key &key)
{
    Entry &entry = m_entries[key];
    entry.seen = true;
    ++entry.failures;
    if (entry.failures < FailuresBeforeBackingOff)
        return;
    // 1, 2, 4, ... sweeps: doubled for each miss beyond the first that backs off, capped.
    entry.skipsLeft = 1;
    for (int miss = FailuresBeforeBackingOff;
         miss < entry.failures && entry.skipsLeft < MaxSkippedSweeps; ++miss)
        entry.skipsLeft *= 2;
    entry.skipsLeft = std::min(entry.skipsLeft, MaxSkippedSweeps);
}

void PipeBackoff::finishSweep()
{
    std::erase_if(m_entries, [](const auto &item) { return !item.second.seen; });
}

} // namespace StatventWeb
