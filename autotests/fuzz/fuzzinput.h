// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_FUZZ_FUZZINPUT_H
#define STATVENT_FUZZ_FUZZINPUT_H

#include <statvent/statentry.h>
#include <statvent/statvalue.h>

#include <QByteArray>
#include <QByteArrayView>

#include <cstddef>
#include <cstdint>

namespace StatventFuzz {

/*!
 * Reads typed values off the front of a fuzzer's input, so that one byte string describes a
 * structured case: names, values, sample windows. Every input is a valid case: past the end,
 * numbers read as 0 and byte strings as empty.
 *
 * Doubles are read as raw bit patterns, so NaN, infinities, subnormals and -0.0 all occur; a
 * selector byte also offers the edge values a random bit pattern would rarely hit.
 */
class FuzzInput
{
public:
    FuzzInput(const uint8_t *data, size_t size) noexcept;

    bool atEnd() const noexcept { return m_rest.isEmpty(); }
    quint8 takeByte() noexcept;
    quint64 takeWord() noexcept; //!< 8 bytes, little-endian
    double takeDouble() noexcept;
    //! A double from the edge values or any bit pattern (so possibly NaN or infinite).
    double takeInterestingDouble() noexcept;
    //! An integer or a real, edge values included; a real may be NaN or infinite.
    Statvent::StatValue takeStatValue() noexcept;
    //! A byte string of at most \a maxLength bytes (a length byte, or 0xff and two more).
    QByteArray takeBytes(qsizetype maxLength);
    //! A snapshot of up to \a maxEntries rows with arbitrary names (LF and CR included) and values.
    Statvent::Snapshot takeSnapshot(qsizetype maxEntries, qsizetype maxNameLength);
    //! Everything not read yet.
    QByteArrayView rest() const noexcept { return m_rest; }

private:
    QByteArrayView m_rest;
};

} // namespace StatventFuzz

#endif
