// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_UNIQUENAMES_H
#define STATVENT_UNIQUENAMES_H

#include "namearena.h"
#include "nameindex.h"

#include <QByteArray>
#include <QList>

namespace Statvent::Detail {

/*!
 * Keeps the names of the rows read from one text, each name once, sharing the bytes of the
 * text that the same writer sent before (SnapshotFormat::Reader, statvent-web's FIFO reader).
 *
 * A writer lists its statistics in the same order every time it is read, so a reader asked
 * again mostly meets, row for row, the names it met before. Such a name is kept as a copy of the
 * previous one (a reference, no allocation), and while every name so far equals the previous
 * text's name at the same row, none can repeat an earlier one, since the previous text's names
 * are unique: the index of names (a hash and a comparison per name) is built only when the
 * text departs from the previous one, from the rows read so far. A writer read again whose names
 * did not change costs no allocation and no lookup per name, only a comparison. New names are
 * copied into shared blocks (NameArena).
 *
 * \a Row is the type of the caller's rows; \a name is the member that holds a row's name.
 */
//! Whether UniqueNames refuses a name that a row already has.
enum class NameRepeats : quint8 { Keep, Reject };

template<typename Row>
class UniqueNames
{
public:
    /*!
     * \a rows is the caller's list, which add() appends to, alive and changed only by add()
     * for as long as this object is used. \a previous is what the same writer sent before (an
     * implicitly shared copy), empty if nothing. \a expectedRows sizes the index, if needed.
     */
    UniqueNames(const QList<Row> &rows, QByteArray Row::*name, QList<Row> previous,
                NameRepeats repeats, qsizetype expectedRows = 0)
        : m_rows(rows)
        , m_name(name)
        , m_previous(std::move(previous))
        , m_expectedRows(expectedRows)
        , m_rejectRepeats(repeats == NameRepeats::Reject)
        , m_followsPrevious(!m_previous.isEmpty())
    {
        if (!m_followsPrevious && m_rejectRepeats)
            m_index = NameIndex(expectedRows);
    }

    /*!
     * Returns false, appending nothing, if \a name repeats the name of a row (and repeats are
     * rejected). Otherwise calls \a append with the name to keep (a QByteArray), which must
     * append one row with that name to the rows, and returns true.
     */
    template<typename Append>
    bool add(QByteArrayView name, Append &&append)
    {
        const qsizetype row = m_rows.size();
        if (m_followsPrevious) {
            if (row < m_previous.size() && QByteArrayView(m_previous.at(row).*m_name) == name) {
                append(m_previous.at(row).*m_name);
                return true;
            }
            departFromPrevious();
        }
        NameIndex::Probe probe;
        if (m_rejectRepeats) {
            probe = m_index.find(name);
            if (probe.row >= 0)
                return false;
        }
        append(m_arena.copy(name));
        // A view into the row's own copy, whose bytes stay put when the list grows.
        if (m_rejectRepeats)
            m_index.insert(probe, m_rows.constLast().*m_name, row);
        return true;
    }

private:
    void departFromPrevious()
    {
        m_followsPrevious = false;
        m_previous = QList<Row>();
        if (!m_rejectRepeats)
            return;
        m_index = NameIndex(std::max(m_expectedRows, m_rows.size()));
        for (qsizetype row = 0; row < m_rows.size(); ++row)
            m_index.findOrInsert(m_rows.at(row).*m_name, row);
    }

    const QList<Row> &m_rows;
    QByteArray Row::*const m_name;
    QList<Row> m_previous;
    NameIndex m_index;
    NameArena m_arena; // the names that are not the previous text's
    const qsizetype m_expectedRows;
    const bool m_rejectRepeats;
    bool m_followsPrevious;
};

} // namespace Statvent::Detail

#endif
