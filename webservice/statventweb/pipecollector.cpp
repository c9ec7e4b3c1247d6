// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include <statventweb/pipecollector.h>

#include <statventweb/pipebackoff.h>
#include <statventweb/pipesweep.h>
#include <statventweb/weblogging.h>

#include <statvent/recorder.h>

#include <QFile>
#include <QSet>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace StatventWeb {

class PipeCollectorPrivate
{
public:
    explicit PipeCollectorPrivate(PipeCollector *collector)
        : q(collector)
    {
        options.directory = Statvent::Recorder::defaultPipeDir();
    }

    //! The worker thread's loop: runs each sweep handed to it until the collector stops.
    void work();
    //! In the collector's thread: takes the finished sweep from the worker and announces it.
    void sweepDone();
    //! Sets one option of the next sweep, and emits \a changed if its value is new.
    template<typename T, typename Signal>
    void setOption(T PipeSweep::Options::*option, const T &value, Signal changed)
    {
        if (options.*option == value)
            return;
        options.*option = value;
        Q_EMIT(q->*changed)(value);
    }
    //! Logs what is new in \a result: each finding once, when it first appears.
    void reportFindings(const SweepResult &result);

    PipeCollector *const q;
    PipeSweep::Options options;
    //! Set from the start of a sweep until its sweepFinished(), in the collector's thread.
    bool sweeping = false;
    std::shared_ptr<const SweepResult> lastResult;
    //! What the previous sweep reported, so that a lasting condition is logged once.
    QSet<QString> previousFindings;

    // The handover between the collector's thread and the worker. It is a std::mutex and a
    // std::condition_variable, not Qt's, so that ThreadSanitizer sees every handover (Debian's
    // Qt is not instrumented); only the queued call announcing a result goes through Qt.
    std::mutex mutex;
    std::condition_variable wake;
    //! The options of the sweep to run next (guarded by mutex).
    std::optional<PipeSweep::Options> pendingSweep;
    //! The sweep finished and not yet taken by sweepDone() (guarded by mutex).
    std::optional<SweepResult> finishedSweep;
    /*!
     * The result that sweepDone() replaced, for the worker to release (guarded by mutex). Its
     * names are those the next sweep shares (PipeSweep::run()): released on the main thread, a
     * hundred thousand reference counts went back and forth between the two threads' caches,
     * and the release itself came before the answer to the request that asked for the sweep.
     */
    std::shared_ptr<const SweepResult> replacedResult;
    //! Set by the destructor: the worker finishes the sweep in flight, if any, and returns
    //! (guarded by mutex).
    bool stopping = false;
    //! Used by the worker thread only, one sweep at a time.
    PipeBackoff backoff;
    //! The processes of the worker's last sweep (shared with its result): their names are
    //! shared by the next sweep (PipeSweep::run()). Used by the worker thread only.
    QList<ProcessStats> previousProcesses;
    //! Runs work() from the constructor until the destructor joins it.
    std::thread worker;
};

void PipeCollectorPrivate::work()
{
    std::unique_lock lock(mutex);
    for (;;) {
        wake.wait(lock, [this] { return stopping || pendingSweep || replacedResult; });
        if (stopping)
            return;
        if (replacedResult) {
            std::shared_ptr<const SweepResult> released = std::move(replacedResult);
            lock.unlock();
            released.reset(); // freed here unless someone still holds it
            lock.lock();
            continue;
        }
        // The sweep works on its own copy of the options: changing them affects the next sweep.
        const PipeSweep::Options sweepOptions = std::move(*pendingSweep);
        pendingSweep.reset();
        lock.unlock();
        SweepResult result = PipeSweep::run(sweepOptions, &backoff, previousProcesses);
        previousProcesses = result.processes;
        lock.lock();
        if (stopping)
            return;
        finishedSweep = std::move(result);
        // Only the call crosses Qt's event queue; the result is taken under mutex.
        QMetaObject::invokeMethod(q, "sweepDone", Qt::QueuedConnection);
    }
}

void PipeCollectorPrivate::sweepDone()
{
    std::unique_lock lock(mutex);
    auto result = std::make_shared<const SweepResult>(std::move(*finishedSweep));
    finishedSweep.reset();
    lock.unlock();
    reportFindings(*result);
    std::shared_ptr<const SweepResult> replaced = std::exchange(lastResult, result);
    sweeping = false;
    Q_EMIT q->sweepingChanged(false);
    Q_EMIT q->sweepFinished(result);
    if (replaced) {
        {
            std::lock_guard handover(mutex);
            replacedResult = std::move(replaced);
        }
        wake.notify_one();
    }
}

void PipeCollectorPrivate::reportFindings(const SweepResult &result)
{
    QSet<QString> findings;
    auto report = [&](const QString &finding) {
        findings.insert(finding);
        if (!previousFindings.contains(finding))
            qCWarning(lcStatventWeb).noquote() << finding;
    };
    for (const QString &problem : result.problems)
        report(problem);
    for (const SkippedEntry &entry : result.skipped)
        report(QStringLiteral("skipping %1/%2: %3")
                   .arg(options.directory, QFile::decodeName(entry.name), entry.reason));
    for (const RefusedEntry &entry : result.refused)
        report(QStringLiteral("refusing %1/%2: %3")
                   .arg(options.directory, QFile::decodeName(entry.name), entry.reason));
    for (const UnansweredProcess &process : result.unansweredDetails) {
        // A process merely slow is reported in every answer, not logged; what it did wrong is.
        if (process.reason != UnansweredReason::NoAnswer)
            report(QStringLiteral("process %1 gave no answer: %2")
                       .arg(process.pid)
                       .arg(process.detail));
    }
    // One finding per process and format, however many of its lines were refused: the count is
    // in ?by=process.
    const auto reportFirstRejection = [&](const ProcessStats &process, QLatin1StringView what,
                                          qsizetype lineNumber, QLatin1StringView reason) {
        report(QStringLiteral("process %1 sent malformed %2 (see rejectedLines in ?by=process); "
                              "the first, line %3: %4")
                   .arg(process.pid)
                   .arg(what)
                   .arg(lineNumber)
                   .arg(reason));
    };
    for (const ProcessStats &process : result.processes) {
        if (!process.snapshotRejections.isEmpty()) {
            const Statvent::SnapshotFormat::Rejection &first = process.snapshotRejections.first();
            reportFirstRejection(process, QLatin1StringView("records"), first.lineNumber,
                                 Statvent::SnapshotFormat::describe(first.error));
        }
        if (process.truncated) {
            report(QStringLiteral("process %1 sent more than %2 bytes: only the complete lines "
                                  "within them were read")
                       .arg(process.pid)
                       .arg(options.maxBytesPerPipe));
        }
        if (!process.rejections.isEmpty()) {
            const Statvent::PipeFormat::Rejection &first = process.rejections.first();
            reportFirstRejection(process, QLatin1StringView("lines"), first.lineNumber,
                                 Statvent::PipeFormat::describe(first.error));
        }
    }
    previousFindings = std::move(findings);
}

PipeCollector::PipeCollector(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<PipeCollectorPrivate>(this))
{
    d->worker = std::thread([d = d.get()] { d->work(); });
}

PipeCollector::~PipeCollector()
{
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    d->wake.notify_one();
    // A sweep in flight ends within its timeout; a result it announced is never delivered, as
    // ~QObject drops the events posted to this collector.
    d->worker.join();
}

QString PipeCollector::pipeDir() const
{
    return d->options.directory;
}

void PipeCollector::setPipeDir(const QString &directory)
{
    d->setOption(&PipeSweep::Options::directory, directory, &PipeCollector::pipeDirChanged);
}

int PipeCollector::timeout() const
{
    return d->options.timeoutMs;
}

void PipeCollector::setTimeout(int milliseconds)
{
    d->setOption(&PipeSweep::Options::timeoutMs, milliseconds, &PipeCollector::timeoutChanged);
}

qint64 PipeCollector::maxBytesPerPipe() const
{
    return d->options.maxBytesPerPipe;
}

void PipeCollector::setMaxBytesPerPipe(qint64 bytes)
{
    d->setOption(&PipeSweep::Options::maxBytesPerPipe, bytes,
                 &PipeCollector::maxBytesPerPipeChanged);
}

bool PipeCollector::isSweeping() const
{
    return d->sweeping;
}

std::shared_ptr<const SweepResult> PipeCollector::lastResult() const
{
    return d->lastResult;
}

void PipeCollector::requestSweep()
{
    if (d->sweeping)
        return;
    d->sweeping = true;
    {
        std::lock_guard lock(d->mutex);
        d->pendingSweep = d->options;
    }
    d->wake.notify_one();
    Q_EMIT sweepingChanged(true);
}

} // namespace StatventWeb

#include "moc_pipecollector.cpp"
