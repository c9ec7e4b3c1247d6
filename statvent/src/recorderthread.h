// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_RECORDERTHREAD_H
#define STATVENT_RECORDERTHREAD_H

#include <QString>

#include <atomic>
#include <functional>

class QThread;

namespace Statvent::Detail {

/*!
 * A QThread running one loop that sleeps in poll() and can be woken to stop: the loop polls
 * wakeFd() along with its own descriptors and returns once stopRequested() is true.
 */
class RecorderThread
{
public:
    RecorderThread();
    ~RecorderThread();

    //! False if the wake-up descriptor cannot be made.
    bool start(const QString &name, std::function<void()> loop);
    //! Wakes the loop, waits for it to return. Does nothing if the thread is not running.
    void stop();
    //! Wakes the loop without asking it to stop (it reads and clears wakeFd()).
    void wake();

    int wakeFd() const { return m_wakeFd; }
    bool stopRequested() const { return m_stopRequested.load(std::memory_order_acquire); }
    //! Clears the wake-up count once the loop saw it.
    void consumeWakeUps();

private:
    Q_DISABLE_COPY_MOVE(RecorderThread)

    QThread *m_thread = nullptr;
    int m_wakeFd = -1;
    std::atomic<bool> m_stopRequested{false};
    // Set by the thread as its last act and read after QThread::wait(): the join then is an
    // acquire/release pair that ThreadSanitizer can see (it cannot see into Debian's Qt).
    std::atomic<bool> m_finished{false};
};

} // namespace Statvent::Detail

#endif
