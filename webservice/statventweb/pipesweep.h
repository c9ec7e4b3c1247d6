// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_PIPESWEEP_H
#define STATVENTWEB_PIPESWEEP_H

#include <statventweb/sweepresult.h>

#include <QString>

namespace StatventWeb {

class PipeBackoff;

/*!
 * One read of every process in a pipe directory: the blocking core of PipeCollector.
 *
 * - Each process `<pid>` is asked through its Unix socket `<pid>.sock` when it has one, and
 *   through its FIFO `<pid>.stats` otherwise (the original statvent, older recorders). Names are
 *   read with Statvent::PipeDirectory::parseName(). Dotfiles (a recorder's spare FIFOs) are
 *   passed over silently; anything else (symlinks, regular files, directories, devices, a FIFO
 *   named `.sock` or a socket named `.stats`, other names) is reported in SweepResult::skipped
 *   and never opened. FIFOs are opened relative to the directory with O_NOFOLLOW|O_NONBLOCK and
 *   checked with fstat() to be FIFOs.
 * - Trust: an entry is read only if its owner is one of the user ids of the process its name
 *   names (/proc/<pid>/status), and a socket only if SO_PEERCRED says the process listening on
 *   it is that pid. Anything else is refused (SweepResult::refused) and never read; a refused
 *   socket leaves the process's FIFO, if any, to be asked instead.
 * - All entries are read at once in one poll() loop, with one deadline for the whole sweep: a
 *   sweep takes as long as the slowest writer, at most the timeout, however many there are.
 *   Each round of poll() reads at most 64 KiB from each entry, so that a writer that floods
 *   cannot starve the others; at the deadline, a writer still sending is cut and reported
 *   (UnansweredReason::Unfinished), none of its text counted.
 * - A FIFO's text is parsed as it arrives, line by line (Statvent::PipeFormat::parseLine()),
 *   keeping one copy of each name and nothing of a repeated one; it is bounded by
 *   maxBytesPerPipe (longer text is cut after its last complete line) and each line by
 *   Statvent::PipeFormat::MaxLineLength. A FIFO answers when its writer has sent end-of-file.
 * - An empty FIFO answer is asked again (twice at most) if the path names a new FIFO by then:
 *   a recorder serves nothing to readers who opened its FIFO at the same moment, so that none
 *   gets a part of a snapshot, and has already put a fresh FIFO in its place. An empty answer
 *   that stays empty is no answer (UnansweredReason::Empty), never a process without stats.
 * - A socket's text counts only when Statvent::SnapshotFormat::parse() finds it complete: a text
 *   cut short, or longer than maxBytesPerPipe, is reported (UnansweredReason::Incomplete).
 * - The entries of a pid that names no process are removed at once, without being opened. An
 *   entry that has not answered by the deadline is removed only if its pid now names a process
 *   started after the entry was last modified (pid reuse); otherwise its process is alive and
 *   merely slow: the entry stays, and is reported as unanswered. With a PipeBackoff, an entry
 *   that missed the deadline in several sweeps in a row is left out of more and more sweeps.
 */
class PipeSweep
{
public:
    static constexpr int DefaultTimeoutMs = 100;
    static constexpr qint64 DefaultMaxBytesPerPipe = qint64(64) * 1024 * 1024;

    struct Options
    {
        QString directory;
        int timeoutMs = DefaultTimeoutMs;
        qint64 maxBytesPerPipe = DefaultMaxBytesPerPipe;
    };

    /*!
     * Sweeps \a options.directory once. Blocks for at most the timeout, plus the parsing of
     * the socket texts that ended in time. \a backoff, if given, carries from sweep to sweep
     * which entries missed the deadline (see PipeBackoff); without it, every entry is asked.
     * \a previous, the processes of the sweep before (SweepResult::processes), changes nothing
     * in the result but its cost: a process read again shares the names it listed then instead
     * of copying them (Statvent::SnapshotFormat::Reader::setPrevious()).
     */
    static SweepResult run(const Options &options, PipeBackoff *backoff = nullptr,
                           const QList<ProcessStats> &previous = {});
};

} // namespace StatventWeb

#endif
