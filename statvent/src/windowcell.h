// SPDX-License-Identifier: MIT
#ifndef STATVENT_WINDOWCELL_H
#define STATVENT_WINDOWCELL_H

#include "samplering.h"
#include "statvent/aggregates.h"

#include <QByteArray>

#include <atomic>

namespace Statvent::Detail {

/*!
 * The storage of one sample window. The ring is replaced, never resized in place, when the
 * registry's window size changes; the registry keeps every ring it made until it is destroyed,
 * so a record() that loaded the old ring pointer just before the swap writes into valid memory
 * (that one sample is lost, which a window of recent samples can afford).
 */
//! A window's row names for one list of percentiles (see WindowRows::rowNames()).
struct RowNames
{
    QList<double> percentiles;
    QList<QByteArray> names;
};

struct WindowCell
{
    WindowCell(QByteArray statName, quint32 nameHash, NameFormatter nameFormatter, SampleRing *initialRing,
               qsizetype plainStatsBefore)
        : name(std::move(statName))
        , hash(nameHash)
        , formatter(std::move(nameFormatter))
        , ring(initialRing)
        , valuesBefore(plainStatsBefore)
    {
    }

    void record(double value) noexcept { ring.load(std::memory_order_acquire)->record(value); }

    bool claimWarning() noexcept { return !warned.exchange(true, std::memory_order_relaxed); }

    const QByteArray name;
    const quint32 hash;
    std::atomic<bool> warned{false};
    const NameFormatter formatter;
    std::atomic<SampleRing *> ring;
    //! Cached by snapshots, made again when the percentiles change; owned by the registry.
    mutable std::atomic<const RowNames *> rowNames{nullptr};
    //! How many plain statistics existed when this window was made: where its rows go in a
    //! snapshot, which lists statistics in the order they were created.
    const qsizetype valuesBefore;
};

} // namespace Statvent::Detail

#endif
