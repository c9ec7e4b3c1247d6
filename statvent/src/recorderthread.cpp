// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "recorderthread.h"

#include <QThread>

#include <sched.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace Statvent::Detail {

namespace {

/*
 * Two readers that open the pipe before the swap share one FIFO, and only one of them gets the
 * snapshot, so the swap must follow a reader's open as closely as possible; and a reader waits
 * for the writer thread's wake-up too. Under load the
 * default scheduler may let this thread wait for a whole time slice (milliseconds) before it
 * runs; a short slice (Linux >= 6.12, EEVDF, no privilege needed) lets it preempt at once. The
 * thread only sleeps in poll() and renames a file, so it costs others nothing. Older kernels
 * refuse the request, which is harmless.
 */
void askForPromptWakeUps()
{
    struct SchedAttr
    {
        uint32_t size;
        uint32_t policy;
        uint64_t flags;
        int32_t nice;
        uint32_t priority;
        uint64_t runtime; // for SCHED_OTHER since 6.12: the time slice, at least 100 us
        uint64_t deadline;
        uint64_t period;
    } attributes{};
    attributes.size = sizeof attributes;
    attributes.policy = SCHED_OTHER;
    attributes.runtime = 100 * 1000;
    ::syscall(SYS_sched_setattr, 0, &attributes, 0);
}

} // namespace

RecorderThread::RecorderThread() = default;

RecorderThread::~RecorderThread()
{
    stop();
    if (m_wakeFd >= 0)
        ::close(m_wakeFd);
}

bool RecorderThread::start(const QString &name, std::function<void()> loop)
{
    if (m_wakeFd < 0)
        m_wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m_wakeFd < 0)
        return false;
    m_stopRequested.store(false, std::memory_order_release);
    m_finished.store(false, std::memory_order_relaxed);
    m_thread = QThread::create([this, loop = std::move(loop)] {
        askForPromptWakeUps();
        loop();
        m_finished.store(true, std::memory_order_release);
    });
    m_thread->setObjectName(name);
    m_thread->start();
    return true;
}

void RecorderThread::stop()
{
    if (!m_thread)
        return;
    m_stopRequested.store(true, std::memory_order_release);
    wake();
    m_thread->wait();
    while (!m_finished.load(std::memory_order_acquire)) {
        // Returns at once: wait() only returns after the loop, which set the flag.
    }
    delete m_thread;
    m_thread = nullptr;
}

void RecorderThread::wake()
{
    const quint64 one = 1;
    [[maybe_unused]] const auto written = ::write(m_wakeFd, &one, sizeof one);
}

void RecorderThread::consumeWakeUps()
{
    quint64 count;
    [[maybe_unused]] const auto read = ::read(m_wakeFd, &count, sizeof count);
}

} // namespace Statvent::Detail
