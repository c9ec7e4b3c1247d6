// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "writerprocess.h"

#include <QDeadlineTimer>
#include <QDebug>

namespace {

constexpr int StartTimeoutMs = 10000;

} // namespace

WriterProcess::~WriterProcess()
{
    kill();
}

bool WriterProcess::start(const QString &pipeDir, const QStringList &arguments)
{
    return launch(QStringLiteral(STATVENT_BIN_DIR "/webservice-testwriter"),
                  QStringList{QStringLiteral("--pipe-dir"), pipeDir} + arguments);
}

bool WriterProcess::startAs(uint uid, uint gid, const QString &pipeDir,
                            const QStringList &arguments)
{
    return launch(QStringLiteral("/usr/bin/setpriv"),
                  QStringList{QStringLiteral("--reuid=%1").arg(uid),
                              QStringLiteral("--regid=%1").arg(gid),
                              QStringLiteral("--clear-groups"),
                              QStringLiteral(STATVENT_BIN_DIR "/webservice-testwriter"),
                              QStringLiteral("--pipe-dir"), pipeDir}
                      + arguments);
}

bool WriterProcess::startOriginal(const QString &pipeDir, const QStringList &arguments)
{
    const QString script = QStringLiteral(STATVENT_WRITERS_DIR "/original_recorder.py");
    return launch(QStringLiteral("/usr/bin/python3"),
                  QStringList{script, QStringLiteral("--pipe-dir"), pipeDir} + arguments);
}

bool WriterProcess::launch(const QString &program, const QStringList &arguments)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->start(program, arguments);
    const QDeadlineTimer deadline(StartTimeoutMs);
    while (!m_process->canReadLine()) {
        if (deadline.hasExpired() || !m_process->waitForReadyRead(int(deadline.remainingTime()))) {
            qWarning() << "writer did not start:" << program << arguments
                       << m_process->errorString();
            return false;
        }
    }
    const QByteArray line = m_process->readLine().trimmed();
    if (!line.startsWith("ready ")) {
        qWarning() << "unexpected output from the writer:" << line;
        return false;
    }
    m_pid = line.sliced(6).toLongLong();
    return m_pid == m_process->processId();
}

void WriterProcess::kill()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->kill();
    m_process->waitForFinished(StartTimeoutMs);
}
