// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_PROCESSINFO_H
#define STATVENTWEB_PROCESSINFO_H

#include <QtGlobal>

#include <optional>

#include <sys/types.h>

namespace StatventWeb {

/*!
 * What the kernel says about a pid: whether it exists, and when the process holding it started.
 * Used to tell a stale pipe (its process is gone, or its pid now names another process) from
 * the pipe of a live process that is merely slow, and to tell whose a process is.
 */
class ProcessInfo
{
public:
    //! False only when the pid names no process at all (kill(pid, 0) fails with ESRCH).
    static bool exists(qint64 pid) noexcept;

    /*!
     * When the process holding \a pid started, in nanoseconds since the epoch: /proc/<pid>/stat
     * field 22 (clock ticks since boot) plus /proc/stat's `btime`. Since `btime` is truncated to
     * whole seconds the result may be up to a second early, never late. Empty when the process
     * is gone or /proc cannot be read.
     */
    static std::optional<qint64> startTimeNs(qint64 pid);

    /*!
     * True when \a pid now names a process that started more than a second after \a fileTimeNs
     * (a pipe's modification time): the pipe belonged to an earlier process with the same pid.
     * The second of slack covers the truncated boot time and small clock adjustments, so a live
     * process's own pipe is never taken for a stale one.
     */
    static bool startedAfter(qint64 pid, qint64 fileTimeNs);

    //! The user ids a process holds (/proc/<pid>/status, line `Uid:`).
    struct UserIds
    {
        uid_t real = 0;
        uid_t effective = 0;
        uid_t saved = 0;
        uid_t filesystem = 0;

        /*!
         * Whether a file owned by \a owner may have been made by this process: \a owner is
         * one of its ids. A user who holds none of them cannot make a file owned by it.
         */
        bool contains(uid_t owner) const noexcept
        {
            return owner == real || owner == effective || owner == saved || owner == filesystem;
        }
    };
    //! Empty when the process is gone or /proc cannot be read.
    static std::optional<UserIds> userIds(qint64 pid);

    /*!
     * The owner of /proc/<pid>, one stat() call: the process's effective uid (root's for a
     * process that is not dumpable, such as a set-user-ID program). Empty when the process is
     * gone or /proc does not show it.
     */
    static std::optional<uid_t> directoryOwner(qint64 pid);
};

} // namespace StatventWeb

#endif
