// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_TESTS_WRITERPROCESS_H
#define STATVENT_TESTS_WRITERPROCESS_H

#include <QProcess>
#include <QStringList>

#include <memory>

/*!
 * A writer child process for statvent-web's tests: webservice-testwriter (a real Recorder, or
 * one of its misbehaving modes) or original_recorder.py (the original Python statvent's loop).
 * start() returns once the child has said its pipe is in place; the destructor kills it.
 */
class WriterProcess
{
public:
    WriterProcess() = default;
    ~WriterProcess();
    WriterProcess(const WriterProcess &) = delete;
    WriterProcess &operator=(const WriterProcess &) = delete;

    //! webservice-testwriter --pipe-dir \a pipeDir \a arguments
    bool start(const QString &pipeDir, const QStringList &arguments = {});
    //! webservice-testwriter run by setpriv as user \a uid, group \a gid (the caller is root).
    bool startAs(uint uid, uint gid, const QString &pipeDir, const QStringList &arguments = {});
    //! original_recorder.py --pipe-dir \a pipeDir \a arguments
    bool startOriginal(const QString &pipeDir, const QStringList &arguments = {});

    qint64 pid() const { return m_pid; }
    //! SIGKILL: the process dies at once, leaving its pipe behind like a crash would.
    void kill();

private:
    bool launch(const QString &program, const QStringList &arguments);

    std::unique_ptr<QProcess> m_process;
    qint64 m_pid = 0;
};

#endif
