// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_PIPEBACKOFF_H
#define STATVENTWEB_PIPEBACKOFF_H

#include <QtGlobal>

#include <map>
#include <tuple>

#include <sys/types.h>

namespace StatventWeb {

/*!
 * Remembers, from one sweep to the next, the pipes and sockets of live processes that missed
 * the deadline, so that one that never answers stops costing every sweep the whole timeout.
 *
 * After FailuresBeforeBackingOff sweeps in a row without an answer by the deadline, an entry is
 * left out of the next sweep; after each further miss, out of twice as many (1, 2, 4, ...,
 * at most MaxSkippedSweeps); then it is asked again. An answer forgets it. Entries are told
 * apart by pid and by file (device and inode), so that a new FIFO or socket starts afresh.
 *
 * PipeSweep uses it; it is not thread-safe: one sweep at a time may use one PipeBackoff.
 */
class PipeBackoff
{
public:
    static constexpr int FailuresBeforeBackingOff = 3;
    static constexpr int MaxSkippedSweeps = 64;

    struct Key
    {
        qint64 pid = 0;
        dev_t device = 0;
        ino_t inode = 0;

        friend bool operator<(const Key &a, const Key &b) noexcept
        {
            return std::tie(a.pid, a.device, a.inode) < std::tie(b.pid, b.device, b.inode);
        }
    };

    //! Starts a sweep: entries that the sweep does not look at are forgotten by finishSweep().
    void startSweep();
    /*!
     * Whether this sweep leaves out \a key. If so, counts the sweep as skipped and sets
     * \a failures to the misses in a row so far and \a skipsLeft to the sweeps still to skip.
     */
    bool shouldSkip(const Key &key, int *failures, int *skipsLeft);
    //! \a key answered, or gave an answer that cost no waiting: it is forgotten.
    void recordAnswer(const Key &key);
    //! \a key missed the deadline.
    void recordFailure(const Key &key);
    //! Forgets the entries this sweep did not look at (their files are gone).
    void finishSweep();

    //! How many entries are remembered.
    qsizetype size() const { return qsizetype(m_entries.size()); }

private:
    struct Entry
    {
        int failures = 0;
        int skipsLeft = 0;
        bool seen = false;
    };
    std::map<Key, Entry> m_entries;
};

} // namespace StatventWeb

#endif
