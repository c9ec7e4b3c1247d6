// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_SWEEPRESULT_H
#define STATVENTWEB_SWEEPRESULT_H

#include <statvent/pipeformat.h>
#include <statvent/snapshotformat.h>
#include <statvent/statentry.h>
#include <statvent/typedsnapshot.h>

#include <QByteArray>
#include <QList>
#include <QString>

namespace StatventWeb {

//! Which of a process's two doors answered: its Unix socket `<pid>.sock` or its FIFO `<pid>.stats`.
enum class Channel : quint8 {
    Fifo, //!< untyped `name: value` text (Statvent::PipeFormat): every stat is StatKind::Untyped
    Socket, //!< typed text (Statvent::SnapshotFormat): kinds, and the sample windows
};

//! What one process said in one sweep.
struct ProcessStats
{
    qint64 pid = 0;
    //! The door that answered. A process with a socket is read over it, never over its FIFO.
    Channel channel = Channel::Fifo;
    /*!
     * In the order of the text's lines; each name once (a repeated name is a rejected line).
     * Each row's `kind` is what the socket said (Counter, Gauge, Window), or Untyped from a FIFO.
     */
    Statvent::Snapshot stats;
    /*!
     * The sample windows behind the rows of kind Window (socket only; empty from a FIFO): each
     * window's count, sum and labels, and which rows of `stats` are its rows
     * (`stats[firstRow, firstRow + rowCount)`).
     */
    QList<Statvent::WindowStats> windows;
    //! Lines that were skipped: malformed, repeated, or cut off by the byte limit.
    qsizetype rejectedLines = 0;
    //! The first few rejected lines of a FIFO's text, for the warning that names them.
    QList<Statvent::PipeFormat::Rejection> rejections;
    //! The first few rejected records of a socket's text, likewise.
    QList<Statvent::SnapshotFormat::Rejection> snapshotRejections;
    //! The FIFO sent more than the byte limit; only the complete lines before it were read.
    bool truncated = false;
};

//! Why a live process gave no answer in a sweep.
enum class UnansweredReason : quint8 {
    NoAnswer, //!< nothing arrived by the deadline (or the socket could not be reached)
    Unfinished, //!< bytes arrived but no end by the deadline: cut, and none of them counted
    Empty, //!< the FIFO answered with no bytes, also when asked again
    Incomplete, //!< the socket's text is not complete (Statvent::SnapshotFormat), or too long
    Failed, //!< reading failed
    BackedOff, //!< not asked in this sweep: it missed the deadline in several sweeps in a row
};

//! A live process that gave no answer, and why.
struct UnansweredProcess
{
    qint64 pid = 0;
    Channel channel = Channel::Fifo; //!< the door that was asked
    UnansweredReason reason = UnansweredReason::NoAnswer;
    //! A sentence for people: what happened, with the figures (bytes, milliseconds, sweeps).
    QString detail;
};

//! An entry of the pipe directory that was not read, and why.
struct SkippedEntry
{
    QByteArray name; //!< as found in the directory, byte for byte
    QString reason;
};

/*!
 * An entry named after a process that cannot be trusted to speak for it: a FIFO or socket
 * owned by another user than the process's, or a socket served by another process. It is never
 * read (or, for a socket, nothing is read from it) and never removed.
 */
struct RefusedEntry
{
    QByteArray name; //!< as found in the directory, byte for byte
    qint64 pid = 0; //!< the process the name claims to speak for
    QString reason;
};

//! The outcome of one sweep of the pipe directory (see PipeSweep).
struct SweepResult
{
    //! Processes that answered completely (up to end-of-file) in time, by ascending pid.
    QList<ProcessStats> processes;
    //! Live processes that gave no answer, by ascending pid; their entries are left in place.
    QList<qint64> unanswered;
    //! Why each of `unanswered` gave no answer: one element per pid, in the same order.
    QList<UnansweredProcess> unansweredDetails;
    //! Entries refused as impostors, by ascending pid (those pids may still have answered
    //! through a door they own).
    QList<RefusedEntry> refused;
    //! Processes whose stale pipe or socket this sweep removed (the pid is gone, or now names a
    //! newer process).
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
