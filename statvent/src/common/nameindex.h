// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_NAMEINDEX_H
#define STATVENT_NAMEINDEX_H

#include <QByteArrayView>

#include <vector>

namespace Statvent::Detail {

/*!
 * Finds rows by statistic name: an open-addressing hash table of views into names that the
 * caller keeps alive. Built for the hot paths of reading a snapshot (a repeated name within one
 * text: PipeSweep's FIFO reader, SnapshotFormat::Reader) and of combining (a name across
 * processes), where QHash's seeded hashing of byte arrays and QSet's node per name dominated the
 * cost of a request: one flat array, std::hash's 8-bytes-at-a-time hash, no allocation per name.
 * Shared by the library and statvent-web (the statvent_common object library).
 */
class NameIndex
{
public:
    explicit NameIndex(qsizetype expectedNames = 0);

    //! The row of \a name if it is in the index; otherwise adds it with \a row and returns -1.
    qsizetype findOrInsert(QByteArrayView name, qsizetype row);
    //! Where a name is, or would go: what find() tells insert().
    struct Probe
    {
        size_t hash = 0;
        size_t slot = 0;
        qsizetype row = -1; //!< -1: not in the index
    };
    /*!
     * Looks \a name up, for a name the caller does not keep: if it is not there, the caller
     * makes a copy that it keeps and inserts that with insert(), the index unchanged meanwhile.
     */
    Probe find(QByteArrayView name) const;
    //! Inserts \a keptName, equal to the name \a probe looked up, with \a row.
    void insert(const Probe &probe, QByteArrayView keptName, qsizetype row);

private:
    struct Slot
    {
        QByteArrayView name;
        size_t hash = 0;
        qsizetype row = -1; //!< -1: empty
    };

    void grow();
    size_t slotFor(QByteArrayView name, size_t hash) const;

    std::vector<Slot> m_slots;
    qsizetype m_count = 0;
};

} // namespace Statvent::Detail

#endif
