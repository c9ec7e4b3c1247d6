// SPDX-FileCopyrightText: The Statvent for Qt authors
// SPDX-License-Identifier: MIT
#include "statvent/statvalue.h"

#include <cmath>
#include <limits>

namespace Statvent {

qint64 StatValue::toInteger() const noexcept
{
    if (isInteger())
        return m_integer;
    if (std::isnan(m_real))
        return 0;
    // 2^63 is exactly representable; anything at or above it saturates.
    constexpr double limit = 9223372036854775808.0;
    if (m_real >= limit)
        return std::numeric_limits<qint64>::max();
    if (m_real < -limit)
        return std::numeric_limits<qint64>::min();
    return qint64(m_real);
}

bool StatValue::isFinite() const noexcept
{
    return isInteger() || std::isfinite(m_real);
}

StatValue &StatValue::operator+=(const StatValue &other) noexcept
{
    if (isInteger() && other.isInteger()) {
        qint64 sum;
        if (!__builtin_add_overflow(m_integer, other.m_integer, &sum)) {
            m_integer = sum;
            return *this;
        }
        // Overflow: carry on as a real rather than wrap around.
        const double real = double(m_integer) + double(other.m_integer);
        m_type = Type::Real;
        m_real = real;
        return *this;
    }
    const double real = toReal() + other.toReal();
    m_type = Type::Real;
    m_real = real;
    return *this;
}

bool StatValue::lessThan(const StatValue &a, const StatValue &b) noexcept
{
    if (a.isInteger() && b.isInteger())
        return a.m_integer < b.m_integer;
    return a.toReal() < b.toReal();
}

} // namespace Statvent
