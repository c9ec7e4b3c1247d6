// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_SWEEPRESULT_H
#define STATVENTWEB_SWEEPRESULT_H

#include <statvent/pipeformat.h>
#include <statvent/statentry.h>
#include <statvent/typedsnapshot.h>

#include <QByteArray>
#include <QList>
#include <QString>

namespace StatventWeb {

//! What one process's pipe said in one sweep.
struct ProcessStats
{
    //! How the process's statistics were read.
    enum class Channel : quint8 {
        Fifo, //!< the FIFO `<pid>.stats`: untyped text
        Socket, //!< the socket `<pid>.sock`: typed, with the windows' counts and sums
    };

    qint64 pid = 0;
    //! In the order of the pipe's lines; each name once (a repeated name is a rejected line).
    //! Each row has its kind (Statvent::StatKind::Untyped for every row read from a FIFO).
    Statvent::Snapshot stats;
    Channel channel = Channel::Fifo;
    //! The sample windows behind the rows of kind Window (read from a socket only).
    QList<Statvent::WindowStats> windows;
    //! Lines that were skipped: malformed, repeated, or cut off by the byte limit.
    qsizetype rejectedLines = 0;
    //! The first few rejections, for the warning that names them.
    QList<Statvent::PipeFormat::Rejection> rejections;
    //! The pipe sent more than the byte limit; only the complete lines before it were read.
    bool truncated = false;
};

//! An entry of the pipe directory that was not read, and why.
struct SkippedEntry
{
    QByteArray name; //!< as found in the directory, byte for byte
    QString reason;
};

//! The outcome of one sweep of the pipe directory (see PipeSweep).
struct SweepResult
{
    //! Processes whose pipe answered completely (up to end-of-file) in time, by ascending pid.
    QList<ProcessStats> processes;
    //! Live processes whose pipe did not answer in time; their pipes are left in place.
    QList<qint64> unanswered;
    //! Processes whose stale pipe this sweep removed (the pid is gone, or now names a newer process).
    QList<qint64> removed;
    //! Entries of the directory that are not pipes to read (symlinks, regular files, ...).
    QList<SkippedEntry> skipped;
    //! Problems that concern the sweep itself (unreadable directory, a pipe that cannot be removed).
    QStringList problems;
    //! When the sweep finished, in seconds since the epoch.
    double timestamp = 0;
    //! How long the sweep took, in seconds.
    double duration = 0;

    qsizetype rejectedLines() const
    {
        qsizetype total = 0;
        for (const ProcessStats &process : processes)
            total += process.rejectedLines;
        return total;
    }
};

} // namespace StatventWeb

#endif
