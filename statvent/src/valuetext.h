// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_VALUETEXT_H
#define STATVENT_VALUETEXT_H

#include "statvent/statvalue.h"

#include <QByteArrayView>

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>

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
        if (char *end = writeShortDecimal(at, value.toReal()))
            return end;
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
        // Most integers of a socket text are small: bucket indexes and counts. Written from a
        // table, with no branch on the number of digits, whose outcome is as random as they are.
        if (value > -SmallIntegers && value < SmallIntegers) {
            *at = '-';
            at += value < 0;
            const SmallInteger &digits = SmallIntegerText[size_t(value < 0 ? -value : value)];
            std::memcpy(at, digits.data(), digits.size()); // the length byte is overwritten later
            return at + digits[LengthByte];
        }
        return std::to_chars(at, at + MaxIntegerLength, value).ptr;
    }

private:
    /*!
     * Writes \a real as std::to_chars() and writeValue() would, if it is below 10^5 in magnitude
     * and has at most 3 decimals (4.9, 12.25, 495.0): most window rows. Returns nullptr, having
     * written nothing that counts, for any other value. Such a real has one shortest text, m
     * with k decimals, for the smallest k that makes m = real * 10^k whole; it reads back as
     * m / 10^k (both exact, one rounding), and in fixed notation it is never longer than in
     * scientific. About a tenth of to_chars()'s time.
     */
    static char *writeShortDecimal(char *at, double real) noexcept
    {
        constexpr double Limit = 1e5;
        constexpr double Scales[] = {1.0, 10.0, 100.0, 1000.0};
        const double magnitude = std::fabs(real);
        if (!(magnitude < Limit)) // NaN too
            return nullptr;
        for (int decimals = 0; decimals < int(std::size(Scales)); ++decimals) {
            const double scaled = magnitude * Scales[decimals];
            if (scaled != std::floor(scaled))
                continue;
            const qint64 digits = qint64(scaled);
            // A last digit 0 means that the product missed a shorter text: to_chars() decides.
            if ((decimals > 0 && digits % 10 == 0)
                || double(digits) / Scales[decimals] != magnitude)
                return nullptr;
            *at = '-';
            at += std::signbit(real);
            const qint64 scale = qint64(Scales[decimals]);
            at = writeInteger(at, digits / scale);
            *at++ = '.';
            if (decimals == 0) {
                *at++ = '0';
                return at;
            }
            // The decimals with their leading zeros: 0.05 is 5 at 2 decimals.
            qint64 fraction = digits % scale;
            for (int i = decimals - 1; i >= 0; --i, fraction /= 10)
                at[i] = char('0' + fraction % 10);
            return at + decimals;
        }
        return nullptr;
    }

    // The decimal digits of 0 to 999, left-aligned, and their count in the last byte.
    static constexpr int SmallIntegers = 1000;
    static constexpr size_t LengthByte = 3;
    using SmallInteger = std::array<char, 4>;
    static constexpr std::array<SmallInteger, SmallIntegers> SmallIntegerText = [] {
        std::array<SmallInteger, SmallIntegers> table{};
        for (int value = 0; value < SmallIntegers; ++value) {
            SmallInteger &text = table[size_t(value)];
            const char length = value < 10 ? 1 : value < 100 ? 2 : 3;
            for (int i = length - 1, rest = value; i >= 0; --i, rest /= 10)
                text[size_t(i)] = char('0' + rest % 10);
            text[LengthByte] = length;
        }
        return table;
    }();

public:
    //! Copies \a bytes to \a at; returns the end.
    static char *write(char *at, QByteArrayView bytes) noexcept
    {
        std::memcpy(at, bytes.data(), size_t(bytes.size()));
        return at + bytes.size();
    }
};

} // namespace Statvent::Detail

#endif
