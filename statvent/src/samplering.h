// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_SAMPLERING_H
#define STATVENT_SAMPLERING_H

#include <QList>

#include <algorithm>
#include <atomic>
#include <limits>
#include <memory>
#include <new>

namespace Statvent::Detail {

__extension__ typedef unsigned __int128 Uint128; // GCC and Clang; -Wpedantic knows no 128-bit type

//! The unit in which cores pass memory to each other (x86-64 and most ARM64 cores).
inline constexpr std::size_t CacheLineSize = 64;

/*!
 * A fixed-size ring of the most recent samples. Writers claim a slot with one fetch_add and
 * store into it; readers copy the slots without stopping writers. Unwritten slots hold NaN
 * (which record() never stores) so a reader can skip a slot claimed but not yet written. A
 * writer delayed between claiming a slot and storing into it, while the others go a whole lap,
 * puts its older sample over a newer one: the ring then holds one sample older than the latest.
 *
 * Laid out for several threads recording at once: the write counter, which every record()
 * takes from whichever core wrote it last, has a cache line to itself, so that taking it does
 * not also take away the fields every record() only reads. Consecutive slots, which
 * different threads store into at the same moment, are on different cache lines: slot n is
 * kept in lane n % 8, at position n / 8, and every lane is at least a cache line long (only
 * where a ring of fewer than 71 slots wraps do two of 8 consecutive slots share a line).
 */
class alignas(CacheLineSize) SampleRing
{
public:
    explicit SampleRing(quint32 capacity)
        : m_capacity(capacity)
        , m_laneLength(std::max<quint32>((capacity + Lanes - 1) / Lanes, SlotsPerLine))
        , m_reciprocal(~Uint128(0) / capacity + 1)
        , m_storage(allocateSlots(std::size_t(m_laneLength) * Lanes))
    {
    }

    quint32 capacity() const noexcept { return m_capacity; }

    void record(double value) noexcept
    {
        const quint64 index = m_written.fetch_add(1, std::memory_order_relaxed);
        slot(slotOf(index)).store(value, std::memory_order_relaxed);
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
        quint64 next = slotOf(written - count);
        for (quint64 i = 0; i < count; ++i) {
            const double value = slot(next).load(std::memory_order_relaxed);
            if (value == value) // not NaN: the slot has been written
                out.append(value);
            if (++next == m_capacity)
                next = 0;
        }
    }

    //! Starts this (new, empty) ring with the latest samples of \a samples, oldest first.
    void fill(const QList<double> &samples) noexcept
    {
        const qsizetype skip = std::max<qsizetype>(0, samples.size() - qsizetype(m_capacity));
        quint64 index = 0;
        for (qsizetype i = skip; i < samples.size(); ++i)
            slot(index++).store(samples[i], std::memory_order_relaxed);
        m_written.store(index, std::memory_order_relaxed);
    }

private:
    static constexpr quint32 Lanes = 8; // as many as the threads whose stores never meet
    static constexpr quint32 SlotsPerLine = CacheLineSize / sizeof(std::atomic<double>);

    struct SlotsDeleter
    {
        void operator()(std::atomic<double> *storage) const noexcept
        {
            ::operator delete[](storage, std::align_val_t(CacheLineSize));
        }
    };
    using Slots = std::unique_ptr<std::atomic<double>[], SlotsDeleter>;

    //! Slots on cache lines of their own (no other heap block shares them), all NaN.
    static Slots allocateSlots(std::size_t count)
    {
        auto *storage = static_cast<std::atomic<double> *>(
            ::operator new[](count * sizeof(std::atomic<double>), std::align_val_t(CacheLineSize)));
        for (std::size_t i = 0; i < count; ++i)
            new (storage + i) std::atomic<double>(std::numeric_limits<double>::quiet_NaN());
        return Slots(storage);
    }

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

    std::atomic<double> &slot(quint64 position) const noexcept
    {
        return m_storage[(position % Lanes) * m_laneLength + position / Lanes];
    }

    // Read by every record(), written only by the constructor.
    const quint32 m_capacity;
    const quint32 m_laneLength;
    const Uint128 m_reciprocal;
    const Slots m_storage;
    alignas(CacheLineSize) std::atomic<quint64> m_written{0};
    // alignas() on the class pads the counter's line to its end.
};

} // namespace Statvent::Detail

#endif
