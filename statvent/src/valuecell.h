// SPDX-License-Identifier: MIT
#ifndef STATVENT_VALUECELL_H
#define STATVENT_VALUECELL_H

#include "statvent/statvalue.h"

#include <QByteArray>

#include <atomic>

namespace Statvent::Detail {

/*!
 * The storage of one plain statistic.
 *
 * The value is `integer + realPart`, and is reported as a real once `isReal` is set. Integer
 * adds are a single fetch_add (no lock, no retry loop); an add that crosses the qint64 range
 * moves the wrapped-around 2^64 into `realPart`, so the sum stays right and becomes a real,
 * exactly as the original promotes int + float. Real adds go to `realPart`.
 *
 * set() of the same type is one store; a set that changes the type stores each part. An incr
 * racing with a set on the same statistic from another thread may land before or after it, and
 * a real incr racing with an integer set may be dropped (documented in docs/ARCHITECTURE.md:
 * counters and gauges are different uses of a name).
 */
struct ValueCell
{
    ValueCell(QByteArray statName, quint32 nameHash)
        : name(std::move(statName))
        , hash(nameHash)
    {
    }

    void add(const StatValue &value) noexcept
    {
        if (value.isInteger()) {
            const qint64 delta = value.toInteger();
            const qint64 before = integer.fetch_add(delta, std::memory_order_relaxed);
            qint64 after;
            if (Q_UNLIKELY(__builtin_add_overflow(before, delta, &after))) {
                constexpr double TwoToThe64 = 18446744073709551616.0;
                realPart.fetch_add(delta > 0 ? TwoToThe64 : -TwoToThe64, std::memory_order_relaxed);
                markReal();
            }
            return;
        }
        realPart.fetch_add(value.toReal(), std::memory_order_relaxed);
        markReal();
    }

    void set(const StatValue &value) noexcept
    {
        // A gauge keeps its type from one set() to the next: then one store replaces the value
        // and a concurrent reader sees the old or the new one. Only a change of type takes
        // several stores, during which a reader may see a mix (documented in ARCHITECTURE.md).
        const bool real = isReal.load(std::memory_order_relaxed);
        if (value.isInteger()) {
            if (!real && realPart.load(std::memory_order_relaxed) == 0.0)
                return integer.store(value.toInteger(), std::memory_order_relaxed);
            isReal.store(false, std::memory_order_relaxed);
            realPart.store(0.0, std::memory_order_relaxed);
            integer.store(value.toInteger(), std::memory_order_relaxed);
        } else {
            if (real && integer.load(std::memory_order_relaxed) == 0)
                return realPart.store(value.toReal(), std::memory_order_relaxed);
            integer.store(0, std::memory_order_relaxed);
            realPart.store(value.toReal(), std::memory_order_relaxed);
            isReal.store(true, std::memory_order_relaxed);
        }
    }

    StatValue load() const noexcept
    {
        const qint64 whole = integer.load(std::memory_order_relaxed);
        if (!isReal.load(std::memory_order_relaxed))
            return StatValue(whole);
        return StatValue(double(whole) + realPart.load(std::memory_order_relaxed));
    }

    //! True once: the first refused update through a handle is reported, later ones are not.
    bool claimWarning() noexcept { return !warned.exchange(true, std::memory_order_relaxed); }

    const QByteArray name;
    const quint32 hash;
    std::atomic<bool> isReal{false};
    std::atomic<bool> warned{false};
    std::atomic<qint64> integer{0};
    std::atomic<double> realPart{0.0};

private:
    void markReal() noexcept
    {
        // Read first: a counter that is already real does not keep dirtying the cache line.
        if (!isReal.load(std::memory_order_relaxed))
            isReal.store(true, std::memory_order_relaxed);
    }
};

} // namespace Statvent::Detail

#endif
