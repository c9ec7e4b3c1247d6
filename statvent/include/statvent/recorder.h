// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_RECORDER_H
#define STATVENT_RECORDER_H

#include <statvent/statvent_export.h>

#include <QObject>
#include <QString>

#include <memory>

/*!
 * \file
 * Recorder, for an application that serves a registry of its own (not the global one, which
 * `Statvent::startRecorder()` serves) through a named pipe.
 */

namespace Statvent {

class StatRegistry;
class RecorderPrivate;

/*!
 * Serves snapshots of a registry through a named pipe, `<pipeDir>/<pid>.stats`: whoever opens
 * the pipe (`cat` will do) gets one complete snapshot as pipe text, then end-of-file. Programs
 * may connect to the Unix stream socket `<pipeDir>/<pid>.sock` instead (`socat -
 * UNIX-CONNECT:<path>`): each connection gets a complete snapshot of its own, then
 * end-of-file, however many connect at once.
 *
 * A recorder thread sleeps in the kernel until a reader comes; the application spends nothing
 * while nobody reads. See docs/ARCHITECTURE.md for how readers are kept apart, why the pipe is
 * never missing, and what happens to symlinks, SIGPIPE and deleted pipes.
 */
class STATVENT_EXPORT Recorder : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QString pipeDir READ pipeDir WRITE setPipeDir NOTIFY pipeDirChanged)
    Q_PROPERTY(bool running READ isRunning NOTIFY runningChanged)

public:
    explicit Recorder(StatRegistry *registry, QObject *parent = nullptr);
    //! Stops the recorder and removes its pipe.
    ~Recorder() override;

    //! `$STATVENT_PIPE_DIR` if set and not empty, else `/tmp/stats-pipe`.
    static QString defaultPipeDir();

    QString pipeDir() const;
    //! Takes effect at the next start().
    void setPipeDir(const QString &directory);
    //! `<pipeDir>/<pid>.stats`
    QString pipePath() const;
    //! `<pipeDir>/<pid>.sock`: the Unix stream socket, one whole snapshot per connection.
    QString socketPath() const;

    /*!
     * Creates the directory if needed (mode 0755), publishes the pipe and the socket and
     * starts serving. Returns true when the pipe or the socket is in place (or the recorder
     * already runs); one that cannot be published, because its name is taken by something that
     * is not this user's, is reported with a warning and retried every second. False with a
     * warning saying why when neither can be published.
     */
    bool start();
    //! Stops serving and removes the pipe and the socket; returns within 100 ms even if no reader ever came.
    void stop();
    bool isRunning() const;

Q_SIGNALS:
    void pipeDirChanged(const QString &pipeDir);
    void runningChanged(bool running);

private:
    std::unique_ptr<RecorderPrivate> d;
};

} // namespace Statvent

#endif
