// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_PIPESWEEP_H
#define STATVENTWEB_PIPESWEEP_H

#include <statventweb/sweepresult.h>

#include <QByteArrayView>
#include <QString>

namespace StatventWeb {

/*!
 * One read of every pipe in a pipe directory: the blocking core of PipeCollector.
 *
 * - Only FIFOs named `<pid>.stats` are read. Dotfiles (a recorder's temporary FIFOs) are
 *   passed over silently; anything else (symlinks, regular files, directories, sockets, devices,
 *   other names) is reported in SweepResult::skipped and never opened. Pipes are opened relative
 *   to the directory with O_NOFOLLOW|O_NONBLOCK and checked with fstat() to be FIFOs.
 * - All pipes are read at once in one poll() loop, with one deadline for the whole sweep: a
 *   sweep takes as long as the slowest writer, at most the timeout, however many pipes there are.
 * - A pipe answers when its writer has sent end-of-file. An empty answer is asked again (twice at
 *   most) if the path names a new FIFO by then: a recorder serves nothing to readers who opened
 *   its FIFO at the same moment, so that none gets a part of a snapshot, and has already put a
 *   fresh FIFO in its place. An empty answer from the FIFO still in place is final. Each pipe's text is bounded by
 *   maxBytesPerPipe (longer text is cut after its last complete line) and each line by
 *   Statvent::PipeFormat::MaxLineLength; lines are parsed by Statvent::PipeFormat::parse().
 * - A pipe whose pid names no process is removed at once, without being opened. A pipe that has
 *   not answered by the deadline is removed only if its pid now names a process started after
 *   the pipe was last modified (pid reuse); otherwise its process is alive and merely slow: the
 *   pipe stays, and is reported as unanswered.
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

    //! Sweeps \a options.directory once. Blocks for at most the timeout, plus parsing time.
    static SweepResult run(const Options &options);

    //! The pid a pipe's name `<pid>.stats` stands for (decimal, no leading zero); 0 for any other name.
    static qint64 pidFromName(QByteArrayView name) noexcept;
};

} // namespace StatventWeb

#endif
