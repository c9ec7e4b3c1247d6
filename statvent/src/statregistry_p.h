// SPDX-License-Identifier: MIT
#ifndef STATVENT_STATREGISTRY_P_H
#define STATVENT_STATREGISTRY_P_H

#include "celltable.h"
#include "samplering.h"
#include "valuecell.h"
#include "windowcell.h"

#include <QByteArrayView>
#include <QList>
#include <QMutex>
#include <QSet>

#include <memory>
#include <vector>

namespace Statvent {

class StatRegistryPrivate
{
public:
    //! The cell for \a name, created if missing; nullptr (after a warning) for an invalid name.
    Detail::ValueCell *valueCell(QByteArrayView name, quint32 hash);
    Detail::WindowCell *windowCell(QByteArrayView name, quint32 hash, const NameFormatter &formatter);

    //! Warns about \a name once for the registry's lifetime (bounded, so a flood of bad names cannot grow it forever).
    void warnOnce(QByteArrayView name, const char *operation, const char *reason);

    // Guards inserts, the window size, the percentiles, the rings and the warned names.
    // Lookups, updates and snapshots do not take it (see CellTable).
    mutable QMutex mutex;
    Detail::CellTable<Detail::ValueCell> values;
    Detail::CellTable<Detail::WindowCell> windows;
    //! The window's row names for \a wanted percentiles, from its cache or made and cached now.
    const Detail::RowNames &rowNamesFor(const Detail::WindowCell &cell, const QList<double> &wanted,
                                        const QList<QByteArray> &labels);

    // Every ring ever made, the replaced ones included (see WindowCell).
    std::vector<std::unique_ptr<Detail::SampleRing>> rings;
    // Every set of row names ever made: a snapshot may still read one just replaced.
    std::vector<std::unique_ptr<Detail::RowNames>> rowNameSets;
    int windowSize = 100;
    QList<double> percentiles = {50, 95, 99, 100};
    QSet<QByteArray> warnedNames;
    bool warnedNamesFull = false;
};

} // namespace Statvent

#endif
