// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "fifofeeder.h"

#include <QFile>

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

FifoFeeder::FifoFeeder(const QString &path, const QByteArray &text)
    : FifoFeeder(path, QList<QByteArray>{text})
{
}

FifoFeeder::FifoFeeder(const QString &path, const QList<QByteArray> &answers)
    : m_path(QFile::encodeName(path))
{
    m_valid = ::mkfifo(m_path.constData(), 0644) == 0;
    if (!m_valid)
        return;
    m_thread = std::thread([this, answers] {
        const QByteArray next = m_path + ".next";
        for (qsizetype answer = 0; answer < answers.size(); ++answer) {
            int fd = -1;
            // A write-only non-blocking open fails with ENXIO until a reader has the FIFO open.
            while ((fd = ::open(m_path.constData(), O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
                if ((errno != ENXIO && errno != EINTR) || m_stopping)
                    return;
                ::usleep(1000);
            }
            m_readerCame = true;
            if (answer + 1 < answers.size()
                && (::mkfifo(next.constData(), 0644) != 0
                    || ::rename(next.constData(), m_path.constData()) != 0)) {
                ::close(fd);
                return;
            }
            ::fcntl(fd, F_SETFL, 0); // from here on, write as a blocking writer does
            const QByteArray &text = answers.at(answer);
            qsizetype done = 0;
            while (done < text.size()) {
                const ssize_t written =
                    ::write(fd, text.constData() + done, size_t(text.size() - done));
                if (written < 0 && errno == EINTR)
                    continue;
                if (written < 0)
                    break; // the reader hung up (the tests ignore SIGPIPE)
                done += written;
            }
            ::close(fd);
        }
        m_done = true;
    });
}

FifoFeeder::~FifoFeeder()
{
    m_stopping = true;
    if (m_thread.joinable())
        m_thread.join();
}
