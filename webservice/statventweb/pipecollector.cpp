// SPDX-License-Identifier: MIT
#include <statventweb/pipecollector.h>

#include <statventweb/pipebackoff.h>
#include <statventweb/pipesweep.h>
#include <statventweb/weblogging.h>

#include <statvent/recorder.h>

#include <QFile>
#include <QFutureWatcher>
#include <QSet>
#include <QtConcurrent/QtConcurrentRun>

namespace StatventWeb {

class PipeCollectorPrivate
{
public:
    explicit PipeCollectorPrivate(PipeCollector *collector)
        : q(collector)
    {
        options.directory = Statvent::Recorder::defaultPipeDir();
    }

    void sweepDone();
    //! Sets one option of the next sweep, and emits \a changed if its value is new.
    template<typename T, typename Signal>
    void setOption(T PipeSweep::Options::*option, const T &value, Signal changed)
    {
        if (options.*option == value)
            return;
        options.*option = value;
        Q_EMIT (q->*changed)(value);
    }
    //! Logs what is new in \a result: each finding once, when it first appears.
    void reportFindings(const SweepResult &result);

    PipeCollector *const q;
    PipeSweep::Options options;
    QFutureWatcher<SweepResult> watcher;
    //! Set from the start of a sweep until its sweepFinished(): the future alone turns false
    //! in the worker thread, before the result has been delivered here.
    bool sweeping = false;
    std::shared_ptr<const SweepResult> lastResult;
    //! Handed to one sweep at a time (requestSweep() starts none while one is in flight).
    std::shared_ptr<PipeBackoff> backoff = std::make_shared<PipeBackoff>();
    //! What the previous sweep reported, so that a lasting condition is logged once.
    QSet<QString> previousFindings;
};

void PipeCollectorPrivate::sweepDone()
{
    auto result = std::make_shared<const SweepResult>(watcher.result());
    reportFindings(*result);
    lastResult = result;
    sweeping = false;
    Q_EMIT q->sweepingChanged(false);
    Q_EMIT q->sweepFinished(result);
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
        report(QStringLiteral("skipping %1/%2: %3").arg(options.directory, QFile::decodeName(entry.name), entry.reason));
    for (const RefusedEntry &entry : result.refused)
        report(QStringLiteral("refusing %1/%2: %3").arg(options.directory, QFile::decodeName(entry.name), entry.reason));
    for (const UnansweredProcess &process : result.unansweredDetails) {
        // A process merely slow is reported in every answer, not logged; what it did wrong is.
        if (process.reason != UnansweredReason::NoAnswer)
            report(QStringLiteral("process %1 gave no answer: %2").arg(process.pid).arg(process.detail));
    }
    for (const ProcessStats &process : result.processes) {
        if (!process.snapshotRejections.isEmpty()) {
            const Statvent::SnapshotFormat::Rejection &first = process.snapshotRejections.first();
            report(QStringLiteral("process %1 sent malformed records (see rejectedLines in ?by=process); the first, line %2: %3")
                       .arg(process.pid)
                       .arg(first.lineNumber)
                       .arg(Statvent::SnapshotFormat::describe(first.error)));
        }
        if (process.truncated) {
            report(QStringLiteral("process %1 sent more than %2 bytes: only the complete lines within them were read")
                       .arg(process.pid)
                       .arg(options.maxBytesPerPipe));
        }
        if (!process.rejections.isEmpty()) {
            const Statvent::PipeFormat::Rejection &first = process.rejections.first();
            report(QStringLiteral("process %1 sent malformed lines (see rejectedLines in ?by=process); the first, line %2: %3")
                       .arg(process.pid)
                       .arg(first.lineNumber)
                       .arg(Statvent::PipeFormat::describe(first.error)));
        }
    }
    previousFindings = std::move(findings);
}

PipeCollector::PipeCollector(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<PipeCollectorPrivate>(this))
{
    connect(&d->watcher, &QFutureWatcherBase::finished, this, [this] { d->sweepDone(); });
}

PipeCollector::~PipeCollector()
{
    d->watcher.disconnect(this);
    d->watcher.waitForFinished();
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
    d->setOption(&PipeSweep::Options::maxBytesPerPipe, bytes, &PipeCollector::maxBytesPerPipeChanged);
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
    // The sweep works on its own copy of the options: changing them affects the next sweep.
    d->watcher.setFuture(QtConcurrent::run([options = d->options, backoff = d->backoff] {
        return PipeSweep::run(options, backoff.get());
    }));
    Q_EMIT sweepingChanged(true);
}

} // namespace StatventWeb
