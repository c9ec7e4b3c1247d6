// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_TESTS_FIFOFEEDER_H
#define STATVENT_TESTS_FIFOFEEDER_H

#include <QByteArray>
#include <QList>
#include <QString>

#include <atomic>
#include <thread>

/*!
 * A FIFO that hands given text to its first reader, as the original statvent's writer does:
 * a thread waits for a reader to open the FIFO, writes everything, closes. Lets a test feed
 * exact bytes (the original's pipe samples, malformed or non-UTF-8 text) through a real FIFO,
 * and tell whether anybody ever opened it.
 *
 * Given several answers, it gives one to each reader in turn and, as a recorder does, renames a
 * fresh FIFO over the path before it answers, so that the next reader finds the next answer.
 *
 * The thread polls a non-blocking open() every millisecond rather than block in open(), so
 * that the destructor can stop it even when no reader ever comes.
 */
class FifoFeeder
{
public:
    FifoFeeder(const QString &path, const QByteArray &text);
    FifoFeeder(const QString &path, const QList<QByteArray> &answers);
    //! Stops the thread if no reader ever came, and waits for it.
    ~FifoFeeder();
    FifoFeeder(const FifoFeeder &) = delete;
    FifoFeeder &operator=(const FifoFeeder &) = delete;

    bool isValid() const { return m_valid; }
    //! A reader has opened the FIFO.
    bool readerCame() const { return m_readerCame; }
    //! All the answers went out and the last FIFO was closed.
    bool done() const { return m_done; }

private:
    const QByteArray m_path;
    bool m_valid = false;
    std::atomic<bool> m_readerCame{false};
    std::atomic<bool> m_done{false};
    std::atomic<bool> m_stopping{false};
    std::thread m_thread;
};

#endif
