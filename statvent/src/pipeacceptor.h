// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_PIPEACCEPTOR_H
#define STATVENT_PIPEACCEPTOR_H

#include "recorderthread.h"

#include <QByteArray>
#include <QString>

#include <condition_variable>
#include <mutex>

#include <sys/types.h>

namespace Statvent::Detail {

class SnapshotWriter;

/*!
 * Keeps `<dir>/<pid>.stats` in place and notices its readers, with no kernel object that a user
 * has only a few of.
 *
 * The accept thread waits in a blocking open(O_WRONLY) of the published FIFO, which the kernel
 * completes the moment a reader opens it. The thread then at once renames a freshly made FIFO
 * over the path (atomic, so the path never goes missing), hands the connected write end to the
 * SnapshotWriter, and waits on the new FIFO. Nobody holds a FIFO open while it waits for a
 * reader, so a reader's poll() sees nothing until the snapshot comes, and the next FIFO exists
 * under its own name `.<pid>.stats.next` only for the instant between mkfifo and rename: a
 * reader that opens every file in the directory finds nothing that makes it wait for good.
 *
 * To stop, or to publish again, this process opens the FIFO itself (read-only, non-blocking),
 * which releases the waiting open.
 *
 * It also publishes `<dir>/<pid>.sock`, a listening Unix stream socket whose connections the
 * SnapshotWriter serves, under the same rules. Either door is enough to start: one that cannot
 * be published (its name taken by something that is not this user's) is reported and retried
 * every second while the other serves.
 *
 * The repair thread notices the FIFO, the socket or the directory being deleted or replaced and
 * has them published again (the directory recreated if needed); the accept thread retries every
 * second while that fails. It sleeps on inotify when the user has an inotify instance left,
 * else it looks every second. Nothing is ever opened through a symlink, and an existing path
 * that is not a FIFO of this user is left alone, with a warning.
 */
class PipeAcceptor
{
public:
    PipeAcceptor(const QString &directory, SnapshotWriter *writer);
    ~PipeAcceptor();

    //! Publishes the pipe and starts the threads; false with \a problem set if the pipe cannot be made.
    bool start(QString *problem);
    //! Stops the threads and removes the pipe (if it is still ours).
    void stop();

private:
    Q_DISABLE_COPY_MOVE(PipeAcceptor)

    struct Fifo
    {
        int pathFd = -1; // O_PATH: names the FIFO without counting as its reader or writer
        int watch = -1; // inotify watch, if repairs are watched
        dev_t device = 0;
        ino_t inode = 0;
        QByteArray readerKey; // how the writer's ReaderCounter knows it
        bool isOpen() const { return pathFd >= 0; }
    };

    struct Socket
    {
        bool published = false;
        int watch = -1;
        dev_t device = 0;
        ino_t inode = 0;
    };

    void acceptLoop();
    void repairLoop();
    void waitBeforeRetrying();

    // The members below need m_mutex.
    //! Makes a fresh FIFO and renames it over the path, replacing m_current.
    bool publish(QString *problem);
    //! Publishes the pipe if it is not in place; warns once per distinct problem.
    void publishOrReport();
    //! Binds a fresh listening socket at the socket's name and hands it to the writer.
    bool publishSocket(QString *problem);
    //! Publishes the socket if it is not in place; warns once per distinct problem.
    void publishSocketOrReport();
    bool socketIsCurrent() const;
    void withdrawSocket();
    bool ensureDirectory(QString *problem);
    /*!
     * Makes the accept thread's open() of m_current return, with a reader of our own that the
     * caller closes (closeRelease()) once m_releaseAnswered, or after the thread has ended.
     * False if there is nothing to release.
     */
    bool releaseWaitingOpen();
    void closeRelease();
    bool openDirectory(QString *problem);
    void closeDirectory();
    bool directoryIsCurrent() const;
    bool pathIsCurrent() const;
    //! Removes a spare FIFO or socket of this user left at m_spareName; refuses anything else.
    bool clearSpare(QString *problem);
    bool makeFifo(Fifo *fifo, QString *problem);
    void discard(Fifo &fifo);
    void unlinkIfOurs(const QByteArray &name, const Fifo &fifo);
    QString describePath(const QByteArray &name) const;

    const QString m_directory;
    const QByteArray m_name; // "<pid>.stats"
    // ".<pid>.stats.next": the next FIFO or socket, for the instant before it is renamed.
    const QByteArray m_spareName;
    const QByteArray m_socketName; // "<pid>.sock"
    SnapshotWriter *const m_writer;
    RecorderThread m_acceptThread;
    RecorderThread m_repairThread;
    // The accept thread, the repair thread and stop() share the members below. A std::mutex,
    // not a QMutex: ThreadSanitizer cannot see into Debian's uninstrumented Qt.
    std::mutex m_mutex;
    bool m_stopping = false;
    int m_directoryFd = -1;
    int m_directoryWatch = -1;
    dev_t m_directoryDevice = 0;
    ino_t m_directoryInode = 0;
    int m_inotifyFd = -1; // -1: the repair thread looks every second instead
    int m_releaseFd = -1; // our own reader of m_current, while the accept thread must wake
    bool m_releaseAnswered = false; // the accept thread's open() has returned since the release
    std::condition_variable m_releaseAnsweredChanged;
    int m_reserveFd = -1; // given up so that the release can open even when descriptors run out
    Fifo m_current;
    Socket m_socket;
    QString m_problem; // the last problem reported, so a retry loop warns once
    QString m_socketProblem; // the same for the socket
};

} // namespace Statvent::Detail

#endif
