// SPDX-License-Identifier: MIT
#ifndef STATVENT_PIPEACCEPTOR_H
#define STATVENT_PIPEACCEPTOR_H

#include "recorderthread.h"

#include <QByteArray>
#include <QString>

#include <sys/types.h>

namespace Statvent::Detail {

class SnapshotWriter;

/*!
 * The recorder's first thread: keeps `<dir>/<pid>.stats` in place and notices readers.
 *
 * The published FIFO is always held open read-write by this process, so a reader's open()
 * never blocks and never finds the pipe without a writer. inotify reports the reader's open;
 * the thread then at once renames a spare FIFO, made in advance, over the path, and hands the
 * connected FIFO to the SnapshotWriter. So the path never goes missing (rename is atomic), each
 * reader gets a FIFO of its own unless two open the same one within the few microseconds before
 * the swap, and the thread sleeps in poll() whenever nobody reads.
 *
 * inotify also reports the FIFO being deleted or replaced, and the directory being removed: the
 * pipe is then published again (the directory recreated if needed), with retries every second
 * while that fails. Nothing is ever opened through a symlink, and an existing path that is not
 * a FIFO of this user is left alone, with a warning.
 */
class PipeAcceptor
{
public:
    PipeAcceptor(const QString &directory, SnapshotWriter *writer);
    ~PipeAcceptor();
    PipeAcceptor(const PipeAcceptor &) = delete;
    PipeAcceptor &operator=(const PipeAcceptor &) = delete;

    //! Publishes the pipe and starts the thread; false with \a problem set if the pipe cannot be made.
    bool start(QString *problem);
    //! Stops the thread and removes the pipe (if it is still ours).
    void stop();

private:
    struct Fifo
    {
        int fd = -1;
        int watch = -1;
        dev_t device = 0;
        ino_t inode = 0;
        QByteArray readerKey; // how the writer's ReaderCounter knows it
        bool isOpen() const { return fd >= 0; }
    };

    void run();
    void handOffToWriter();
    //! Checks that the path still names our FIFO; publishes a fresh one if not.
    void ensurePublished();
    bool openDirectory(QString *problem);
    bool directoryIsCurrent() const;
    bool pathIsCurrent() const;
    bool makeSpare(QString *problem);
    bool publishSpare(QString *problem);
    void discard(Fifo &fifo);
    void unlinkIfOurs(const QByteArray &name, const Fifo &fifo);
    QString describePath(const QByteArray &name) const;

    const QString m_directory;
    const QByteArray m_name; // "<pid>.stats"
    const QByteArray m_spareName; // ".<pid>.stats.next": a dotfile, which readers skip
    SnapshotWriter *const m_writer;
    RecorderThread m_thread;
    int m_directoryFd = -1;
    int m_directoryWatch = -1;
    dev_t m_directoryDevice = 0;
    ino_t m_directoryInode = 0;
    int m_inotifyFd = -1;
    Fifo m_current;
    Fifo m_spare;
    QString m_problem; // the last problem reported, so a retry loop warns once
};

} // namespace Statvent::Detail

#endif
