// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#ifndef STATVENT_STATVALUE_H
#define STATVENT_STATVALUE_H

#include <statvent/statvent_export.h>

#include <QtGlobal>

#include <type_traits>

namespace Statvent {

/*!
 * One statistic's value: a 64-bit integer or a double.
 *
 * Integers stay exact; mixing an integer with a real gives a real ("once a float, stays a
 * float", as in the original statvent). Adding two integers whose sum does not fit in qint64
 * gives a real instead of wrapping around.
 *
 * Any arithmetic type converts implicitly, so `incr("x")`, `incr("x", 5)` and `incr("x", 2.5)`
 * all work without overload ambiguity.
 */
class STATVENT_EXPORT StatValue
{
public:
    enum class Type : quint8 { Integer, Real };

    constexpr StatValue() noexcept = default;

    template<typename T,
             std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, bool> = true>
    constexpr StatValue(
        T value) noexcept // NOLINT(google-explicit-constructor): values read naturally
    {
        if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(qint64)) {
            // An unsigned 64-bit value above INT64_MAX cannot be an exact qint64.
            if (value > quint64(std::numeric_limits<qint64>::max())) {
                m_type = Type::Real;
                m_real = double(value);
                return;
            }
        }
        m_integer = qint64(value);
    }

    template<typename T, std::enable_if_t<std::is_floating_point_v<T>, bool> = true>
    constexpr StatValue(T value) noexcept // NOLINT(google-explicit-constructor)
        : m_type(Type::Real)
        , m_real(double(value))
    {
    }

    constexpr Type type() const noexcept { return m_type; }
    constexpr bool isInteger() const noexcept { return m_type == Type::Integer; }
    constexpr bool isReal() const noexcept { return m_type == Type::Real; }

    //! The integer value; a real is truncated towards zero (saturating at the qint64 limits).
    qint64 toInteger() const noexcept;
    //! The value as a double (an integer beyond 2^53 loses its lowest bits).
    constexpr double toReal() const noexcept { return isInteger() ? double(m_integer) : m_real; }

    //! False for NaN and infinities, which no statistic may hold.
    bool isFinite() const noexcept;

    //! Sum with the original's promotion rules; an integer overflow gives a real.
    StatValue &operator+=(const StatValue &other) noexcept;
    friend StatValue operator+(StatValue a, const StatValue &b) noexcept { return a += b; }

    //! Numeric comparison across types (an integer and an equal real compare equal).
    static bool lessThan(const StatValue &a, const StatValue &b) noexcept;

    //! Same type and same value.
    friend constexpr bool operator==(const StatValue &a, const StatValue &b) noexcept
    {
        return a.m_type == b.m_type
            && (a.isInteger() ? a.m_integer == b.m_integer : a.m_real == b.m_real);
    }
    friend constexpr bool operator!=(const StatValue &a, const StatValue &b) noexcept
    {
        return !(a == b);
    }

private:
    Type m_type = Type::Integer;
    union {
        qint64 m_integer = 0;
        double m_real;
    };
};

} // namespace Statvent

#endif
