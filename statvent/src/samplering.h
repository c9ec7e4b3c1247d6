// SPDX-License-Identifier: MIT
#ifndef STATVENT_SAMPLERING_H
#define STATVENT_SAMPLERING_H

#include <QList>

#include <atomic>
#include <limits>
#include <memory>

namespace Statvent::Detail {

__extension__ typedef unsigned __int128 Uint128; // GCC and Clang; -Wpedantic knows no 128-bit type

/*!
 * A fixed-size ring of the most recent samples. Writers claim a slot with one fetch_add and
 * store into it; readers copy the slots without stopping writers. Unwritten slots hold NaN
 * (which record() never stores) so a reader can skip a slot claimed but not yet written.
 */
class SampleRing
{
public:
    explicit SampleRing(quint32 capacity)
        : m_capacity(capacity)
        , m_reciprocal(~Uint128(0) / capacity + 1)
        , m_slots(new std::atomic<double>[capacity])
    {
        for (quint32 i = 0; i < capacity; ++i)
            m_slots[i].store(std::numeric_limits<double>::quiet_NaN(), std::memory_order_relaxed);
    }

    quint32 capacity() const noexcept { return m_capacity; }

    void record(double value) noexcept
    {
        const quint64 index = m_written.fetch_add(1, std::memory_order_relaxed);
        m_slots[slotOf(index)].store(value, std::memory_order_relaxed);
    }

    int sampleCount() const noexcept
    {
        return int(std::min<quint64>(m_written.load(std::memory_order_relaxed), m_capacity));
    }

    //! Replaces \a out with the samples held now, oldest first.
    void copySamples(QList<double> &out) const
    {
        out.clear();
        const quint64 written = m_written.load(std::memory_order_relaxed);
        const quint64 count = std::min<quint64>(written, m_capacity);
        out.reserve(qsizetype(count));
        quint64 slot = slotOf(written - count);
        for (quint64 i = 0; i < count; ++i) {
            const double value = m_slots[slot].load(std::memory_order_relaxed);
            if (value == value) // not NaN: the slot has been written
                out.append(value);
            if (++slot == m_capacity)
                slot = 0;
        }
    }

    //! Starts this (new, empty) ring with the latest samples of \a samples, oldest first.
    void fill(const QList<double> &samples) noexcept
    {
        const qsizetype skip = std::max<qsizetype>(0, samples.size() - qsizetype(m_capacity));
        quint64 index = 0;
        for (qsizetype i = skip; i < samples.size(); ++i)
            m_slots[index++].store(samples[i], std::memory_order_relaxed);
        m_written.store(index, std::memory_order_relaxed);
    }

private:
    /*!
     * index % capacity without a division (tens of cycles on the record() path): Lemire's
     * "faster remainder by direct computation", exact for every 64-bit index and 32-bit divisor.
     */
    quint64 slotOf(quint64 index) const noexcept
    {
        const Uint128 lowBits = m_reciprocal * index;
        const Uint128 bottom = (Uint128(quint64(lowBits)) * m_capacity) >> 64;
        const Uint128 top = (lowBits >> 64) * m_capacity;
        return quint64((bottom + top) >> 64);
    }

    const quint32 m_capacity;
    const Uint128 m_reciprocal;
    std::atomic<quint64> m_written{0};
    std::unique_ptr<std::atomic<double>[]> m_slots;
};

} // namespace Statvent::Detail

#endif
