// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENTWEB_PIPECOLLECTOR_H
#define STATVENTWEB_PIPECOLLECTOR_H

#include <statventweb/sweepresult.h>

#include <QObject>
#include <QString>

#include <memory>

namespace StatventWeb {

class PipeCollectorPrivate;

/*!
 * Sweeps a pipe directory (see PipeSweep) on a worker thread of its own, so that the thread that
 * owns the collector (the HTTP server's) keeps serving while a sweep waits for slow writers.
 *
 * requestSweep() starts a sweep unless one is already in flight; either way the caller gets the
 * next sweepFinished(). So any number of concurrent requests share one sweep.
 *
 * What a sweep skipped, refused, could not do, or found malformed, and why a process gave no
 * answer (except a process merely slow) is logged as a warning (category `statvent.web`) once
 * when it appears, not again while it persists from sweep to sweep.
 *
 * The collector keeps a PipeBackoff from sweep to sweep: an entry that misses the deadline in
 * several sweeps in a row stops costing every sweep the whole timeout.
 */
class PipeCollector : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString pipeDir READ pipeDir WRITE setPipeDir NOTIFY pipeDirChanged)
    Q_PROPERTY(int timeout READ timeout WRITE setTimeout NOTIFY timeoutChanged)
    Q_PROPERTY(qint64 maxBytesPerPipe READ maxBytesPerPipe WRITE setMaxBytesPerPipe NOTIFY
                   maxBytesPerPipeChanged)
    Q_PROPERTY(bool sweeping READ isSweeping NOTIFY sweepingChanged)

public:
    explicit PipeCollector(QObject *parent = nullptr);
    //! Stops the worker thread, after the sweep in flight if any (at most the timeout).
    ~PipeCollector() override;

    //! Default: Statvent::Recorder::defaultPipeDir(), where the recorders put their pipes.
    QString pipeDir() const;
    void setPipeDir(const QString &directory);
    //! Milliseconds one sweep waits, in all, for slow writers (default PipeSweep::DefaultTimeoutMs).
    int timeout() const;
    void setTimeout(int milliseconds);
    //! Bytes read from one pipe at most (default PipeSweep::DefaultMaxBytesPerPipe).
    qint64 maxBytesPerPipe() const;
    void setMaxBytesPerPipe(qint64 bytes);

    bool isSweeping() const;
    //! The last finished sweep, or null before the first one.
    std::shared_ptr<const SweepResult> lastResult() const;

public Q_SLOTS:
    //! Starts a sweep, or joins the one in flight; sweepFinished() follows.
    void requestSweep();

Q_SIGNALS:
    void sweepFinished(const std::shared_ptr<const StatventWeb::SweepResult> &result);
    void sweepingChanged(bool sweeping);
    void pipeDirChanged(const QString &pipeDir);
    void timeoutChanged(int timeout);
    void maxBytesPerPipeChanged(qint64 maxBytesPerPipe);

private:
    std::unique_ptr<PipeCollectorPrivate> d;
    // Called by name from the worker thread: a queued call by name carries no object of ours
    // from the worker to this thread (unlike a functor), so ThreadSanitizer sees no handover
    // other than the std::mutex guarding the result.
    Q_PRIVATE_SLOT(d, void sweepDone())
};

} // namespace StatventWeb

#endif
