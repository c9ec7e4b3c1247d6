// SPDX-FileCopyrightText: The Statvent for Qt authors
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
    QByteArray window; // the window's own name, shared by every typed snapshot
    QList<double> percentiles;
    QList<QByteArray> names; // an empty name: a row that is not reported
    NameFormatter formatter; // the one given when the window was made
};

struct WindowCell
{
    WindowCell(quint16 nameBytes, SampleRing *initialRing, const RowNames *initialRowNames,
               qsizetype plainStatsBefore)
        : nameLength(nameBytes)
        , ring(initialRing)
        , rowNames(initialRowNames)
        , valuesBefore(plainStatsBefore)
    {
    }

    //! The name, which CellTable stores right after the cell.
    QByteArrayView name() const noexcept
    {
        return QByteArrayView(reinterpret_cast<const char *>(this) + sizeof(*this), nameLength);
    }

    void record(double value) noexcept { ring.load(std::memory_order_acquire)->record(value); }

    bool claimWarning() noexcept { return !warned.exchange(true, std::memory_order_relaxed); }

    const quint16 nameLength;
    std::atomic<bool> warned{false};
    std::atomic<SampleRing *> ring;
    //! Made when the window is, made again when the percentiles change; owned by the registry.
    std::atomic<const RowNames *> rowNames;
    //! How many plain statistics existed when this window was made: where its rows go in a
    //! snapshot, which lists statistics in the order they were created.
    const qsizetype valuesBefore;
};

} // namespace Statvent::Detail

#endif
