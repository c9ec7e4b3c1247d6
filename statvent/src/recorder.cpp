// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/recorder.h"

#include "logging.h"
#include "pipeacceptor.h"
#include "snapshotwriter.h"
#include "statvent/pipedirectory.h"
#include "statvent/statregistry.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <memory>

#include <unistd.h>

namespace Statvent {

class RecorderPrivate
{
public:
    StatRegistry *registry;
    QString pipeDir = Recorder::defaultPipeDir();
    // The writer must outlive the acceptor, which hands it connected pipes.
    std::unique_ptr<Detail::SnapshotWriter> writer;
    std::unique_ptr<Detail::PipeAcceptor> acceptor;
};

Recorder::Recorder(StatRegistry *registry, QObject *parent)
    : QObject(parent)
    , d(new RecorderPrivate{registry, {}, {}, {}})
{
    d->pipeDir = defaultPipeDir();
    // The pipe must not outlive the application's event loop: remove it when the app quits.
    if (QCoreApplication *app = QCoreApplication::instance())
        connect(app, &QCoreApplication::aboutToQuit, this, &Recorder::stop);
}

Recorder::~Recorder()
{
    stop();
}

QString Recorder::defaultPipeDir()
{
    return PipeDirectory::defaultPath();
}

QString Recorder::pipeDir() const
{
    return d->pipeDir;
}

void Recorder::setPipeDir(const QString &directory)
{
    const QString cleaned = QDir::cleanPath(directory);
    if (cleaned == d->pipeDir)
        return;
    d->pipeDir = cleaned;
    Q_EMIT pipeDirChanged(cleaned);
}

QString Recorder::pipePath() const
{
    return d->pipeDir + u'/' + QFile::decodeName(PipeDirectory::pipeName(::getpid()));
}

QString Recorder::socketPath() const
{
    return d->pipeDir + u'/' + QFile::decodeName(PipeDirectory::socketName(::getpid()));
}

bool Recorder::start()
{
    if (isRunning())
        return true;
    d->writer = std::make_unique<Detail::SnapshotWriter>(d->registry);
    d->acceptor = std::make_unique<Detail::PipeAcceptor>(d->pipeDir, d->writer.get());
    QString problem;
    if (!d->writer->start()) {
        problem = QStringLiteral("cannot start the writer thread");
    } else if (d->acceptor->start(&problem)) {
        Q_EMIT runningChanged(true);
        return true;
    }
    qCWarning(lcStatventRecorder).noquote() << "not serving statistics:" << problem;
    d->acceptor.reset();
    d->writer.reset();
    return false;
}

void Recorder::stop()
{
    if (!isRunning())
        return;
    d->acceptor.reset(); // stops its thread and removes the pipe
    d->writer.reset();
    Q_EMIT runningChanged(false);
}

bool Recorder::isRunning() const
{
    return d->acceptor != nullptr;
}

} // namespace Statvent
