// SPDX-License-Identifier: MIT
#include "recorderthread.h"

#include <QThread>

#include <sys/eventfd.h>
#include <unistd.h>

namespace Statvent::Detail {

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
