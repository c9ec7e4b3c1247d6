// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_VALUETEXT_H
#define STATVENT_VALUETEXT_H

#include "statvent/statvalue.h"

#include <QByteArrayView>

#include <charconv>
#include <cstring>

namespace Statvent::Detail {

/*!
 * Writing text into a buffer sized beforehand, with plain stores: the writers of the pipe and
 * socket texts size one buffer for the worst case and fill it, with no capacity check per field.
 */
class ValueText
{
public:
    //! 32 bytes hold any qint64 and any shortest round-trip double, plus ".0".
    static constexpr qsizetype MaxValueLength = 32;
    //! The longest qint64 in decimal, sign included.
    static constexpr qsizetype MaxIntegerLength = 20;

    //! Writes \a value as both texts write values (room for MaxValueLength bytes at \a at);
    //! returns the end. A real always shows a point or an exponent, so it reads back as one.
    static char *writeValue(char *at, const StatValue &value) noexcept
    {
        if (value.isInteger())
            return writeInteger(at, value.toInteger());
        char *end = std::to_chars(at, at + MaxValueLength, value.toReal()).ptr;
        if (!std::memchr(at, '.', size_t(end - at)) && !std::memchr(at, 'e', size_t(end - at))) {
            *end++ = '.';
            *end++ = '0';
        }
        return end;
    }

    //! Writes \a value in decimal (room for MaxIntegerLength bytes at \a at); returns the end.
    static char *writeInteger(char *at, qint64 value) noexcept
    {
        return std::to_chars(at, at + MaxIntegerLength, value).ptr;
    }

    //! Copies \a bytes to \a at; returns the end.
    static char *write(char *at, QByteArrayView bytes) noexcept
    {
        std::memcpy(at, bytes.data(), size_t(bytes.size()));
        return at + bytes.size();
    }
};

} // namespace Statvent::Detail

#endif
