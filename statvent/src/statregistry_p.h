// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_STATREGISTRY_P_H
#define STATVENT_STATREGISTRY_P_H

#include "celltable.h"
#include "samplering.h"
#include "utf8name.h"
#include "valuecell.h"
#include "windowcell.h"

#include "statvent/typedsnapshot.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QSet>

#include <memory>
#include <vector>

namespace Statvent {

class StatRegistryPrivate
{
public:
    /*!
     * The cell for \a name, created if missing; nullptr, after a warning about \a operation, for
     * an invalid name or the name of a window's row.
     */
    Detail::ValueCell *valueCell(QByteArrayView name, quint32 hash, const char *operation);
    //! As valueCell(), for a window; refused when one of its rows would repeat a statistic's name.
    Detail::WindowCell *windowCell(QByteArrayView name, quint32 hash,
                                   const NameFormatter &formatter, const char *operation);

    /*!
     * The cell for \a name in \a table, found without the mutex if it exists. Else, if \a name
     * may name a statistic (if not, says why, once per name), `create(locker)` makes it under the
     * mutex; it must look again, as another thread may have made it meanwhile.
     */
    template<typename Cell, typename Create>
    Cell *findOrCreate(Detail::CellTable<Cell> &table, QByteArrayView name, quint32 hash,
                       const char *operation, Create create);
    //! Warns about \a name once for the registry's lifetime (bounded, so a flood of bad names cannot grow it forever).
    void warnOnce(QByteArrayView name, const char *operation, const char *reason);

    //! The cell for an update by name of \a value; nullptr, after a warning, if it is refused.
    Detail::ValueCell *checkedValueCell(const Detail::Utf8Name &key, const StatValue &value,
                                        const char *operation);

    //! The row names of \a window for \a wanted percentiles (a warning if the formatter fails).
    Detail::RowNames rowNames(QByteArrayView window, const QList<double> &wanted,
                              const NameFormatter &formatter);
    /*!
     * After the percentiles changed to \a wanted: every window's rows renamed; a row whose new
     * name another statistic or an earlier window's row has already is left out, with a warning.
     */
    void renameRows(const QList<double> &wanted, quint64 generation);
    //! Under the mutex: whether a plain statistic or a window's row has \a name.
    bool isNameTaken(const QByteArray &name) const;
    /*!
     * Every statistic, with the windows behind their rows when \a withWindows (else
     * TypedSnapshot::windows stays empty): what StatRegistry::snapshot() and typedSnapshot()
     * return. Takes no lock.
     */
    TypedSnapshot collect(bool withWindows) const;
    //! snapshot() as pipe text, written from the cells with no snapshot in between.
    QByteArray pipeText() const;
    //! typedSnapshot() as socket text, written from the cells with no snapshot in between.
    QByteArray typedText() const;
    /*!
     * Walks every statistic in the order of a snapshot, taking no lock: calls
     * `sink.statistic(cursor, cell)` for each plain statistic (\a cursor can share its name) and
     * `sink.window(window)` (a WindowVisit) for each window; with \a withHistograms, each
     * window's histogram and labels are made too.
     */
    template<typename Sink>
    void walk(Sink &sink, bool withHistograms) const;
    //! Under the mutex. Keeps \a rowNames alive until the registry dies (a snapshot may still read replaced ones).
    const Detail::RowNames *keep(Detail::RowNames rowNames);

    // Guards inserts, the window size, the percentiles, the rings, the row names and the warned
    // names. Lookups, updates and snapshots do not take it (see CellTable).
    mutable QMutex mutex;
    Detail::CellTable<Detail::ValueCell> values;
    Detail::CellTable<Detail::WindowCell> windows;

    // Every ring ever made, the replaced ones included (see WindowCell).
    std::vector<std::unique_ptr<Detail::SampleRing>> rings;
    // Every set of row names ever made: a snapshot may still read one just replaced.
    std::vector<std::unique_ptr<Detail::RowNames>> rowNameSets;
    // The rows every window reports now: no plain statistic may take one of these names.
    QSet<QByteArray> rowOwners;
    int windowSize = 100;
    QList<double> percentiles = {50, 95, 99, 100};
    // Counts changes of the percentiles, so that rows made outside the mutex can be checked.
    quint64 percentilesGeneration = 0;
    QSet<QByteArray> warnedNames;
    bool warnedNamesFull = false;
};

} // namespace Statvent

#endif
