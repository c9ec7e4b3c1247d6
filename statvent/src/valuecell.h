// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_VALUECELL_H
#define STATVENT_VALUECELL_H

#include "logging.h"
#include "statvent/statentry.h"
#include "statvent/statvalue.h"

#include <QByteArray>

#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

namespace Statvent::Detail {

__extension__ using Int128 = __int128; // GCC and Clang; -Wpedantic knows no 128-bit type

/*!
 * The storage of one plain statistic.
 *
 * The value is `integer` while the statistic is an integer, and `integer + real` once it is a
 * real (the `Real` flag). `integer` never wraps around, so whatever a reader sees in it is a sum
 * that really happened:
 *
 * - An integer add between -2^32 and 2^32 to an `integer` within +-(2^63 - 2^62) is one
 *   fetch_add, the hot path. Threads that passed the range check before another thread's add
 *   can carry `integer` past the range, but never past +-2^63: that would take 2^30 threads
 *   (Linux allows 2^22) each adding 2^32.
 * - Any other integer add is a compare-and-swap that refuses to overflow. A sum that does not
 *   fit in qint64 moves `integer` into `real` under the cell's lock, and the cell becomes a real.
 * - Real adds and set() take the cell's lock.
 *
 * The lock is a sequence count (odd while held). A reader reads `integer`, `real` and the flags
 * between two loads of the count and tries again if it changed, so a read always returns a value
 * the cell held: `real` and the flags only change under the lock, and `integer` alone is always
 * a sum that happened. Every update is applied atomically; set() replaces the value at one
 * moment, and an add racing with it lands either before (and is replaced) or after it.
 *
 * A real sum beyond the largest finite double is saturated at +-DBL_MAX (with a warning once):
 * a statistic never holds an infinity, which every reader of the pipe text would reject.
 */
class ValueCell
{
public:
    explicit ValueCell(quint16 nameBytes) noexcept
        : nameLength(nameBytes)
    {
    }

    //! The name, which CellTable stores right after the cell.
    QByteArrayView name() const noexcept
    {
        return QByteArrayView(reinterpret_cast<const char *>(this) + sizeof(*this), nameLength);
    }

    void add(const StatValue &value) noexcept
    {
        if (value.isInteger()) {
            const qint64 delta = value.toInteger();
            if (Q_LIKELY(delta >= 0 && delta <= FastDelta)) {
                if (Q_LIKELY(integer.load(std::memory_order_relaxed) < FastLimit)) {
                    integer.fetch_add(delta, std::memory_order_relaxed);
                    return;
                }
            }
            return addInteger(delta);
        }
        addReal(value.toReal());
    }

    void set(const StatValue &value) noexcept
    {
        const quint32 locked = lock();
        const bool isReal = value.isReal();
        integer.store(isReal ? 0 : value.toInteger(), std::memory_order_relaxed);
        real.store(isReal ? value.toReal() : 0.0, std::memory_order_relaxed);
        setFlags(Gauge | (isReal ? Real : 0));
        unlock(locked);
    }

    StatValue load() const noexcept
    {
        for (;;) {
            const quint32 before = sequence.load(std::memory_order_acquire);
            if (Q_UNLIKELY(before & 1)) {
                std::this_thread::yield();
                continue;
            }
            const qint64 whole = integer.load(std::memory_order_relaxed);
            const double fraction = real.load(std::memory_order_relaxed);
            const bool isReal = flags.load(std::memory_order_relaxed) & Real;
            std::atomic_thread_fence(std::memory_order_acquire);
            if (sequence.load(std::memory_order_relaxed) == before)
                return isReal ? StatValue(double(whole) + fraction) : StatValue(whole);
        }
    }

    //! Counter until the statistic is set or given a negative add; then a gauge for good.
    StatKind kind() const noexcept
    {
        return flags.load(std::memory_order_relaxed) & Gauge ? StatKind::Gauge : StatKind::Counter;
    }
    void markGauge() noexcept { raiseFlag(Gauge); }

    //! True once: the first refused update through a handle is reported, later ones are not.
    bool claimWarning() noexcept { return raiseFlag(Warned); }

private:
    enum Flag : quint8 { Real = 1, Gauge = 2, Warned = 4, SaturationWarned = 8 };
    static constexpr qint64 FastDelta = qint64(1) << 32;
    static constexpr qint64 FastLimit = std::numeric_limits<qint64>::max() - (qint64(1) << 62);

    void addInteger(qint64 delta) noexcept
    {
        if (delta < 0)
            markGauge();
        qint64 before = integer.load(std::memory_order_relaxed);
        qint64 after;
        while (!__builtin_add_overflow(before, delta, &after)) {
            if (integer.compare_exchange_weak(before, after, std::memory_order_relaxed))
                return;
        }
        // The sum leaves qint64: the whole value moves into the real part.
        const quint32 locked = lock();
        const Int128 sum = Int128(integer.exchange(0, std::memory_order_relaxed)) + delta;
        storeReal(real.load(std::memory_order_relaxed)
                  + double(sum)); // the exact sum, rounded once
        unlock(locked);
    }

    void addReal(double delta) noexcept
    {
        if (delta < 0)
            markGauge();
        const quint32 locked = lock();
        storeReal(real.load(std::memory_order_relaxed) + delta);
        unlock(locked);
    }

    //! Under the lock: makes the cell a real holding \a sum, saturated at +-DBL_MAX.
    void storeReal(double sum) noexcept
    {
        if (Q_UNLIKELY(!std::isfinite(sum))) {
            sum = std::copysign(std::numeric_limits<double>::max(), sum);
            if (raiseFlag(SaturationWarned))
                warnSaturated(name());
        }
        real.store(sum, std::memory_order_relaxed);
        raiseFlag(Real);
    }

    //! Sets \a flag; true if this call set it.
    bool raiseFlag(quint8 flag) noexcept
    {
        // Read first: a flag already set does not keep dirtying the cache line.
        if (flags.load(std::memory_order_relaxed) & flag)
            return false;
        return !(flags.fetch_or(flag, std::memory_order_relaxed) & flag);
    }

    //! Under the lock: replaces the type and kind flags, keeping the warned ones.
    void setFlags(quint8 value) noexcept
    {
        quint8 current = flags.load(std::memory_order_relaxed);
        // A gauge set again with the same type changes nothing (and writes nothing). Warned bits
        // may be raised concurrently outside the lock, so a change keeps them.
        while ((current & (Real | Gauge)) != value
               && !flags.compare_exchange_weak(
                   current, quint8(value | (current & (Warned | SaturationWarned))),
                   std::memory_order_relaxed)) {
        }
    }

    //! Takes the cell's lock; returns the (odd) sequence count to give to unlock().
    quint32 lock() noexcept
    {
        quint32 current = sequence.load(std::memory_order_relaxed);
        for (;;) {
            if (current & 1) {
                std::this_thread::yield();
                current = sequence.load(std::memory_order_relaxed);
                continue;
            }
            if (sequence.compare_exchange_weak(current, current + 1, std::memory_order_acquire))
                break;
        }
        std::atomic_thread_fence(
            std::memory_order_release); // readers that see our stores see the odd count
        return current + 1;
    }

    //! Only the holder writes the count while it is odd: a plain store releases the lock.
    void unlock(quint32 locked) noexcept { sequence.store(locked + 1, std::memory_order_release); }

    std::atomic<qint64> integer{0};
    std::atomic<double> real{0.0};
    std::atomic<quint32> sequence{0};
    std::atomic<quint8> flags{0};

public:
    const quint16 nameLength;
};

} // namespace Statvent::Detail

#endif
